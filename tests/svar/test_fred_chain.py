"""End-to-end on the monthly liquidity chain from ``../shared/data/fred`` (skipped when absent).

Checks the whole surface on real, heteroskedastic data: lag choice, stability,
wild-bootstrap bands, causality table, historical decomposition adding up (1e-10).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from causalmacro.svar import SVAR

pytestmark = pytest.mark.shared_data


def _monthly(fred: Path, series: str) -> pd.Series:
    frame = pd.read_csv(fred / f"{series}.csv", parse_dates=["observation_date"], index_col="observation_date")
    return pd.to_numeric(frame[series], errors="coerce").dropna().resample("MS").mean()


@pytest.fixture(scope="module")
def chain(fred_dir: Path) -> pd.DataFrame:
    cpi = _monthly(fred_dir, "CPIAUCSL").interpolate(limit_area="inside")
    walcl = _monthly(fred_dir, "WALCL")
    net = walcl / 1000 - _monthly(fred_dir, "WTREGEN") / 1000 - _monthly(fred_dir, "RRPONTSYD").reindex(walcl.index).fillna(0.0)
    frame = pd.DataFrame({
        "inflation": 100 * np.log(cpi).diff(12),
        "real_rate": _monthly(fred_dir, "DFII10"),
        "net_liquidity": 100 * np.log(net).diff(),
        "hy_spread": _monthly(fred_dir, "BAMLH0A0HYM2"),
        "btc": 100 * np.log(_monthly(fred_dir, "CBBTCUSD")).diff(),
    })
    return frame.loc["2014-12-01":"2025-11-01"].dropna()


def test_chain_end_to_end(chain: pd.DataFrame) -> None:
    order = ["inflation", "real_rate", "net_liquidity", "hy_spread", "btc"]
    res = SVAR(chain, order=order, lags="aic", maxlags=6, trend="c").fit()
    assert res.lags >= 1
    irf = res.irf(horizon=24, bands="wild", reps=300, level=0.9, rng=0)
    assert irf.sizes == {"bound": 3, "horizon": 25, "response": 5, "shock": 5}
    assert irf.attrs["reps_kept"] + irf.attrs["n_explosive"] == 300
    unit = res.irf(12, shock_size="unit", scale={"real_rate": 0.25})
    assert_allclose(unit.sel(horizon=0, response="real_rate", shock="real_rate").item(), 0.25)
    table = res.causality_table()
    assert table["chain_link"].sum() == 4
    hd = res.historical_decomposition()
    assert_allclose(hd.sum("shock").to_numpy(), chain[order].to_numpy()[res.lags:], atol=1e-10)
    assert list(res.structural_shocks().columns) == order
    json.dumps(res.to_dict())

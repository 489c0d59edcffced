"""End-to-end on the monthly liquidity chain from ``../shared/data/fred`` (skipped when absent).

Checks the whole surface on real, heteroskedastic data: lag choice, stability,
block-bootstrap bands, causality table, historical decomposition adding up (1e-10).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from causalmacro.data.sources.csvdir import CsvDirSource
from causalmacro.panel import build_panel
from causalmacro.spec import load_spec
from causalmacro.svar import SVAR

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def chain(fred_dir: Path) -> pd.DataFrame:
    spec = load_spec(Path(__file__).resolve().parents[2] / "models" / "liquidity_chain.toml")
    return build_panel(spec, CsvDirSource(fred_dir)).data


def test_chain_end_to_end(chain: pd.DataFrame) -> None:
    order = ["inflation", "real_rate", "net_liquidity", "hy_spread", "btc"]
    res = SVAR(chain, order=order, lags="aic", max_lags=6, trend="c").fit()
    assert res.lags >= 1
    irf = res.irf(horizon=24, bands="block", reps=300, level=0.9, rng=0)
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

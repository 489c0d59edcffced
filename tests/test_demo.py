"""Tests of the embedded offline demo (:mod:`causalmacro.data.sources.demo`)."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.api import VAR

from causalmacro.data.sources.base import load_all
from causalmacro.data.sources.demo import (
    DEMO_SERIES,
    DemoSource,
    demo_meta,
    demo_panel,
    demo_transforms,
    demo_truth,
)
from causalmacro.errors import DataError

POSITIVE = [
    "CPIAUCSL",
    "WALCL",
    "WTREGEN",
    "RRPONTSYD",
    "M2SL",
    "VIXCLS",
    "BAMLH0A0HYM2",
    "DTWEXBGS",
    "NASDAQCOM",
    "SP500",
    "CBBTCUSD",
    "CBETHUSD",
    "GOLD",
    "FEDFUNDS",
    "DGS2",
]
LONG_END = "2262-03"  # about 3,000 months: the longest sample pandas' timestamps allow


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return demo_panel()


@pytest.fixture(scope="module")
def long_core() -> tuple[pd.DataFrame, dict]:
    truth = demo_truth()
    tr = demo_transforms(end=LONG_END, rng=20240601)
    return tr, truth


def test_index_columns_and_attrs(panel: pd.DataFrame) -> None:
    assert list(panel.columns) == list(DEMO_SERIES)
    assert isinstance(panel.index, pd.DatetimeIndex)
    assert panel.index.freqstr == "MS"
    assert panel.index.name == "date"
    assert panel.index[0] == pd.Timestamp("2010-01-01")
    assert panel.index[-1] == pd.Timestamp("2025-12-01")
    assert len(panel) == 16 * 12
    assert (panel.dtypes == "float64").all()
    assert panel.attrs == {"synthetic": True, "source": "causalmacro embedded demo (synthetic)"}


def test_deterministic_for_a_seed(panel: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(panel, demo_panel(rng=0))
    pd.testing.assert_frame_equal(panel, demo_panel(rng=np.random.default_rng(0)))
    other = demo_panel(rng=1)
    for sid in DEMO_SERIES:  # every series differs in most months after the common start level
        a, b = panel[sid].dropna().iloc[1:], other[sid].dropna().iloc[1:]
        assert (a != b).mean() > 0.5, sid


def test_window_is_a_slice_of_the_longer_draw(panel: pd.DataFrame) -> None:
    short = demo_panel(start="2015-06", end="2020-03")
    pd.testing.assert_frame_equal(short, panel.loc["2015-06":"2020-03"], check_freq=False)
    assert isinstance(short.index, pd.DatetimeIndex) and short.index.freqstr == "MS"
    longer = demo_panel(end="2030-12")
    pd.testing.assert_frame_equal(longer.loc[:"2025-12"], panel, check_freq=False)


def test_series_start_and_no_gaps_after(panel: pd.DataFrame) -> None:
    first = {sid: demo_meta(sid)["start"] for sid in DEMO_SERIES}
    assert first["CBBTCUSD"] == "2014-12"
    assert first["CBETHUSD"] == "2016-05"
    for sid, start in first.items():
        col = panel[sid]
        assert col.first_valid_index() == pd.Timestamp(start), sid
        assert col.loc[start:].notna().all(), sid
        assert np.isfinite(col.loc[start:]).all(), sid


def test_levels_positive_where_they_must_be(panel: pd.DataFrame) -> None:
    for rng in (0, 1, 2, 3):
        df = panel if rng == 0 else demo_panel(rng=rng)
        assert (df[POSITIVE].dropna() > 0).all().all(), rng
    assert (panel["FEDFUNDS"] >= 0.05).all()


def test_net_liquidity_identity(panel: pd.DataFrame) -> None:
    net = panel["WALCL"] / 1000 - panel["WTREGEN"] / 1000 - panel["RRPONTSYD"]
    assert (net > 0).all()
    start = demo_truth()["start_levels"]["NET_LIQUIDITY"]
    assert net.iloc[0] == pytest.approx(start, rel=1e-12)
    growth = 100 * np.diff(np.log(net.to_numpy()))
    tr = demo_transforms()
    assert_allclose(growth, tr["net_liquidity"].iloc[1:], rtol=1e-9, atol=1e-9)
    # The split is not degenerate: the drain is a fraction of the balance sheet.
    drain = (panel["WTREGEN"] / 1000 + panel["RRPONTSYD"]) / (panel["WALCL"] / 1000)
    assert drain.between(0, 1, inclusive="neither").all()


def test_served_levels_integrate_the_transforms(panel: pd.DataFrame) -> None:
    tr = demo_transforms()
    assert_allclose(
        100 * np.log(panel["CPIAUCSL"]).diff().iloc[1:], tr["inflation"].iloc[1:], rtol=1e-9
    )
    btc = panel["CBBTCUSD"].dropna()
    assert_allclose(100 * np.log(btc).diff().iloc[1:], tr.loc[btc.index[1:], "bitcoin"], rtol=1e-9)
    assert_allclose(panel["DFII10"], tr["real_rate"], rtol=1e-12)
    assert_allclose(panel["DGS10"], panel["DFII10"] + panel["T10YIE"], rtol=1e-12)
    above = tr["policy_rate"] > 0.05
    assert_allclose(panel.loc[above, "FEDFUNDS"], tr.loc[above, "policy_rate"], rtol=1e-12)
    assert (panel.loc[~above, "FEDFUNDS"] == 0.05).all()


def test_recursive_var_recovers_truth(long_core: tuple[pd.DataFrame, dict]) -> None:
    tr, truth = long_core
    core = truth["core"]
    y = tr[core["names"]].iloc[1:]  # drop the initial condition
    res = VAR(y.to_numpy()).fit(core["lags"], trend="c")
    k, p = len(core["names"]), core["lags"]
    se = np.asarray(res.stderr)[1:].T.reshape(k, p, k).transpose(1, 0, 2)
    z = np.abs(res.coefs - core["coefs"]) / se
    # ~3,000 months: every lag coefficient within 4.5 standard errors of the truth.
    assert z.max() < 4.5, z.max()
    # Impact matrix (Cholesky of the residual covariance): each element's sampling error is
    # about its equation's shock scale / sqrt(T), 1.8% here; allow 8% (~4.4 standard errors).
    b_hat = np.linalg.cholesky(res.sigma_u)
    scale = np.sqrt(np.diag(core["sigma_u"]))[:, None]
    assert np.all(np.abs(b_hat - core["impact"]) <= 0.08 * scale)
    # Unconditional mean, against the standard error of a sample mean of a persistent
    # process (long-run standard deviation / sqrt(T), from the true VAR).
    a1 = np.eye(k) - core["coefs"].sum(axis=0)
    lr_cov = np.linalg.solve(a1, np.linalg.solve(a1, core["sigma_u"]).T)
    se_mean = np.sqrt(np.diag(lr_cov) / len(y))
    assert np.all(np.abs(y.mean().to_numpy() - core["mean"]) < 4 * se_mean)


def test_satellites_follow_their_equations(long_core: tuple[pd.DataFrame, dict]) -> None:
    tr, truth = long_core
    core = truth["core"]
    y = tr[core["names"]].to_numpy()
    mu, a, b = core["mean"], core["coefs"], core["impact"]
    u = y[2:] - mu - (y[1:-1] - mu) @ a[0].T - (y[:-2] - mu) @ a[1].T
    eps = np.linalg.solve(b, u.T).T
    for name in ("ethereum", "vix", "drain_share"):
        sat = truth["satellites"][name]
        zt = tr[name].to_numpy()
        x = np.column_stack([np.ones(len(eps)), zt[1:-1], eps])
        beta, *_ = np.linalg.lstsq(x, zt[2:], rcond=None)
        resid = zt[2:] - x @ beta
        assert_allclose(beta[1], sat["ar"], atol=0.05, err_msg=name)
        assert_allclose(beta[2:], sat["loadings"], atol=0.06 * sat["sd"], err_msg=name)
        assert_allclose(resid.std(), sat["sd"], rtol=0.05, err_msg=name)


def test_truth_is_consistent_and_a_copy() -> None:
    t = demo_truth()
    core = t["core"]
    k = len(core["names"])
    assert core["names"][0] == "inflation" and core["names"][-1] == "bitcoin"
    assert core["coefs"].shape == (core["lags"], k, k)
    assert_allclose(core["impact"], np.tril(core["impact"]))
    assert (np.diag(core["impact"]) > 0).all()
    comp = np.zeros((k * core["lags"], k * core["lags"]))
    comp[:k] = np.hstack(list(core["coefs"]))
    comp[k:, :-k] = np.eye(k * (core["lags"] - 1))
    assert np.max(np.abs(np.linalg.eigvals(comp))) < 1
    core["coefs"][:] = 0.0
    assert np.abs(demo_truth()["core"]["coefs"]).sum() > 0


def test_meta() -> None:
    meta = demo_meta("WALCL")
    assert meta["title"].startswith("[synthetic] ")
    assert meta["units"] == "Millions of U.S. Dollars"
    assert demo_meta("RRPONTSYD")["units"] == "Billions of U.S. Dollars"
    assert meta["frequency"] == "M"
    assert {demo_meta(s)["frequency"] for s in DEMO_SERIES} == {"M"}
    with pytest.raises(DataError, match="did you mean CBBTCUSD"):
        demo_meta("CBBTCUSDX")


@pytest.mark.parametrize(
    ("start", "end", "match"),
    [
        ("2009-12", "2012-01", "before the demo's first month"),
        ("2015-01", "2014-12", "before start"),
        ("2010-01", "2300-01", "after"),
        ("soon", "2012-01", "not a date"),
    ],
)
def test_bad_window(start: str, end: str, match: str) -> None:
    with pytest.raises(DataError, match=match):
        demo_panel(start=start, end=end)


def test_demo_source_protocol() -> None:
    src = DemoSource(end="2020-12")
    assert src.synthetic is True
    got = load_all(src, ["CBETHUSD", "FEDFUNDS"])
    assert got["CBETHUSD"].index[0] == pd.Timestamp("2016-05-01")
    assert not got["CBETHUSD"].isna().any()
    with pytest.raises(DataError, match="NOPE"):
        load_all(src, ["NOPE"])


def test_params_contain_no_series() -> None:
    text = resources.files("causalmacro").joinpath("data/demo_params.json").read_text("utf-8")
    assert len(text) < 20_000
    raw = json.loads(text)
    assert set(raw) >= {"core", "satellites", "start_levels", "init"}


@pytest.mark.shared_data
def test_calibration_reproduces_the_committed_parameters(shared_data: Path) -> None:
    script = Path(__file__).resolve().parents[1] / "docs" / "calibrate_demo.py"
    spec = importlib.util.spec_from_file_location("calibrate_demo", script)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fresh = json.loads(json.dumps(mod.calibrate(shared_data)))
    committed = json.loads(
        resources.files("causalmacro").joinpath("data/demo_params.json").read_text("utf-8")
    )
    assert fresh.keys() == committed.keys()
    assert_allclose(fresh["core"]["coefs"], committed["core"]["coefs"], atol=1e-7)
    assert_allclose(fresh["core"]["impact"], committed["core"]["impact"], atol=1e-7)
    for name, sat in committed["satellites"].items():
        assert_allclose(fresh["satellites"][name]["loadings"], sat["loadings"], atol=1e-7)
    assert fresh["start_levels"] == pytest.approx(committed["start_levels"], rel=1e-7)

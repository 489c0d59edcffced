"""Specification grids: equal to a plain loop of SVAR fits, independent of the workers, resumable."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import causalmacro as cm
from causalmacro.cli import main
from causalmacro.errors import ArgumentError
from causalmacro.panel.events import event_dummies
from causalmacro.specgrid import grid, load_grid
from causalmacro.specgrid.options import make_options

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "models" / "demo.toml"
ORDERS = [["inflation", "real_rate", "net_liquidity", "hy_spread", "btc"],
          ["btc", "hy_spread", "net_liquidity", "real_rate", "inflation"],
          ["net_liquidity", "inflation", "btc", "real_rate", "hy_spread"]]
SMALL = {"orderings": ORDERS, "lags": [1, 2], "windows": 2, "window_length": 90, "reps": 40, "horizon": 6}


@pytest.fixture(scope="module")
def small(demo) -> cm.GridResults:
    spec, panel = demo
    return grid(spec, panel, workers=1, identifications=["recursive", "long_run"], **SMALL)


def test_grid_equals_a_plain_loop_of_svar_fits(demo, small) -> None:
    """Every specification is the spec's SVAR (its events in the window as dummies) fitted by hand, with the block's seed."""
    spec, panel = demo
    opts = make_options(list(spec.var.order), panel.data.index, orderings=ORDERS, lags=[1, 2], windows=2,
                        window_length=90, identifications=["recursive", "long_run"], reps=40, method="block",
                        level=0.9, horizon=6, trend="c", seed=0)
    assert small.irf.dims == ("ordering", "lags", "window", "identification", "horizon", "response", "shock", "bound")
    assert small.n_specifications == 3 * 2 * 2 * 2
    for block in opts.blocks():
        data = panel.data.loc[block.start:block.end]
        for order in ORDERS:
            for ident in ("recursive", "long_run"):
                first = data.index[block.lags:]
                held = [e for e in spec.events if first[0] <= pd.Timestamp(spec.event_date(e)) <= first[-1]]
                exog = event_dummies(spec, data.index, names=held, sample=first) if held else None
                res = cm.SVAR(data[order], order=order, lags=block.lags, identification=ident, exog=exog).fit(
                    rng=opts.block_seed(block))
                by_hand = res.irf(6, bands=res.bootstrap(40, method="block"), level=0.9, joint=True)  # [var] joint
                got = small.irf.sel(ordering=">".join(order), lags=block.lags, identification=ident).isel(
                    window=block.window)
                names = list(spec.var.order)
                np.testing.assert_allclose(got.transpose("horizon", "response", "shock", "bound").to_numpy(),
                                           by_hand.sel(response=names, shock=names).to_numpy(), rtol=1e-9, atol=1e-10)
    assert (small.data["nobs"] == 90 - small.data["lags"]).all()


def test_block_seeds_come_from_the_coordinates_only(demo) -> None:
    spec, panel = demo
    kw = dict(lags=[1, 2], windows=3, window_length=80, identifications=["recursive"], reps=10, method="block",
              level=0.9, horizon=4, trend="c", seed=7)
    a = make_options(list(spec.var.order), panel.data.index, orderings="all", **kw)
    b = make_options(list(spec.var.order), panel.data.index, orderings=ORDERS, **kw)
    assert [a.block_seed(x) for x in a.blocks()] == [b.block_seed(x) for x in b.blocks()]
    assert len({a.block_seed(x) for x in a.blocks()}) == len(a.blocks())


@pytest.mark.slow
def test_one_and_two_workers_give_identical_results(demo, small) -> None:
    spec, panel = demo
    two = grid(spec, panel, workers=2, identifications=["recursive", "long_run"], **SMALL)
    xr.testing.assert_identical(two.data, small.data)


def test_an_interrupted_grid_resumes_fitting_only_what_is_missing(demo, small, tmp_path: Path) -> None:
    spec, panel = demo
    fitted: list[str] = []

    def stop_after_two(block: object) -> None:
        fitted.append(block.key)  # type: ignore[attr-defined]
        if len(fitted) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grid(spec, panel, workers=1, identifications=["recursive", "long_run"], out=tmp_path, on_block=stop_after_two,
             **SMALL)
    assert len(list((tmp_path / "shards").glob("*.nc"))) == 2
    assert not list((tmp_path / "shards").glob(".*"))  # no half-written shard
    again: list[str] = []
    resumed = grid(spec, panel, workers=1, identifications=["recursive", "long_run"], out=tmp_path,
                   on_block=lambda b: again.append(b.key), **SMALL)
    assert resumed.facts["reused"] == 2 and resumed.facts["fitted"] == 2 and sorted(again + fitted) == sorted(
        b for b in [f"lags{p}-window{w:03d}" for p in (1, 2) for w in (0, 1)])
    xr.testing.assert_allclose(resumed.data, small.data, rtol=0, atol=0)
    xr.testing.assert_identical(load_grid(tmp_path).data, resumed.data)
    # other options: nothing is reused
    other = grid(spec, panel, workers=1, out=tmp_path, seed=1, **SMALL)
    assert other.facts["reused"] == 0


@pytest.mark.slow
def test_a_worker_killed_mid_grid_still_yields_the_full_result(demo, small) -> None:
    from distributed import Client, LocalCluster

    spec, panel = demo
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as client:
        killed: list[str] = []

        def kill_one(block: object) -> None:
            if not killed:  # SIGKILL one worker process while the other tasks are queued or running
                address = next(iter(client.scheduler_info()["workers"]))
                pid = client.run(os.getpid, workers=[address])[address]
                killed.append(address)
                os.kill(pid, signal.SIGKILL)

        many = {**SMALL, "windows": 6, "window_length": 80}  # 12 blocks: tasks left to lose when a worker dies
        got = grid(spec, panel, client=client, identifications=["recursive", "long_run"], on_block=kill_one, **many)
    reference = grid(spec, panel, workers=1, identifications=["recursive", "long_run"], **many)
    assert killed
    xr.testing.assert_identical(got.data, reference.data)


def test_sign_shares_and_curve(small) -> None:
    shares = small.sign_shares([("net_liquidity", "btc")])
    cell = small.irf.sel(response="btc", shock="net_liquidity", horizon=0)
    lo, hi = cell.sel(bound="lower").to_numpy().ravel(), cell.sel(bound="upper").to_numpy().ravel()
    row = shares.loc["net_liquidity -> btc"]
    assert row["specifications"] == 24
    assert row["positive"] == pytest.approx((lo > 0).mean()) and row["negative"] == pytest.approx((hi < 0).mean())
    curve = small.curve("net_liquidity", "btc")
    assert list(curve["point"]) == sorted(curve["point"])
    assert curve.attrs["shock_size"] == "std"  # the spec-curve figure titles its shock size from it
    # a recursive ordering with btc before net_liquidity sets the impact response to zero
    zero = curve[(~curve["source_first"]) & (curve["identification"] == "recursive")]
    assert len(zero) == 1 * 2 * 2 and np.allclose(zero[["point", "lower", "upper"]], 0)  # one such ordering


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"orderings": [["inflation", "real_rate", "net_liquidity", "hy_spread", "eth"]]},
     "orderings[0]: 'eth' is not a variable of the chain"),
    ({"orderings": [["inflation", "real_rate", "btc"]]}, "orderings[0]: ['inflation', 'real_rate', 'btc'] is not an "
                                                          "ordering of every chain variable"),
    ({"windows": [("2030-01", "2031-01")]}, "windows[0]: 2030-01-01..2031-01-01 holds 0 periods of the panel"),
    ({"windows": 0}, "windows: expected at least 1 rolling window"),
    ({"windows": 5, "window_length": 500}, "window_length: 500 periods is outside"),
    ({"identifications": ["sign"]}, "identifications: 'sign' is not one of"),
    ({"identifications": ["volatility"]}, "identifications: 'volatility' needs the spec's [var.volatility] table"),
    ({"lags": [0]}, "lags: expected positive integers"),
    ({"reps": 1}, "reps: expected at least 2"),
])
def test_bad_options_are_one_line(demo, kwargs: dict, message: str) -> None:
    spec, panel = demo
    with pytest.raises(ArgumentError) as err:
        grid(spec, panel, workers=1, **{"reps": 10, **kwargs})
    assert message in str(err.value) and "\n" not in str(err.value)


def test_cli_grid_writes_its_folder_and_refuses_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g"
    assert main(["--quiet", "grid", str(DEMO), "--orderings", "spec", "--lags", "1,2", "--windows", "2",
                 "--reps", "20", "--workers", "1", "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"grid.nc", "grid.json", "summary.csv", "report.html", "shards"} <= names
    assert "spec_curve_net_liquidity_btc_impact.png" in names
    assert load_grid(out).n_specifications == 4
    capsys.readouterr()
    assert main(["grid", str(DEMO), "--lags", "0", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--lags" in err[0]
    assert main(["--quiet", "grid", str(DEMO), "--windows", "200", "--workers", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "windows: 200 rolling windows" in err[0]


@pytest.mark.slow
def test_asset_model_per_window_places_crypto_on_the_spectrum(demo, tmp_path: Path) -> None:
    spec, panel = demo
    g = grid(spec, panel, orderings=None, lags=[2], windows=2, window_length=100, reps=20, workers=1, out=tmp_path,
             assets=True, asset_draws=200)
    assert g.data["asset_rank"].dims == ("window", "asset_shock", "asset")
    ranks = g.crypto_rank()
    assert list(ranks.index) == spec.asset_shocks and (ranks["windows"] == 2).all()
    # by hand: the best crypto asset's place among the assets, window by window
    rank = g.data["asset_rank"].sel(asset_shock="net_liquidity")
    assets = list(rank["asset"].values)
    places = [1 + min(sorted(assets, key=lambda a, w=w: float(rank.isel(window=w).sel(asset=a))).index(c)
                      for c in ("btc", "eth")) for w in range(2)]
    assert ranks.loc["net_liquidity", "top"] == np.mean([p == 1 for p in places])
    assert ranks.loc["net_liquidity", "median_position"] == np.median(places)
    again = grid(spec, panel, orderings=None, lags=[2], windows=2, window_length=100, reps=20, workers=1, out=tmp_path,
                 assets=True, asset_draws=200)
    assert again.facts["reused"] == 4 and again.facts["fitted"] == 0


def test_run_report_gains_a_robustness_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``causalmacro run --grid DIR`` puts the grid's sign shares and the curves into report.html."""
    g = tmp_path / "g"
    assert main(["--quiet", "grid", str(DEMO), "--orderings", "all", "--lags", "2", "--reps", "20", "--workers", "1",
                 "--out", str(g)]) == 0
    out = tmp_path / "run"
    assert main(["--quiet", "run", str(DEMO), "--no-assets", "--reps", "20", "--grid", str(g), "--out", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert '<h2 id="h-robustness">Robustness across specifications</h2>' in page and "120 structural VARs" in page
    assert (out / "spec_curve_net_liquidity_btc.png").is_file()
    capsys.readouterr()
    assert main(["--quiet", "run", str(DEMO), "--no-assets", "--grid", str(tmp_path / "nothing"),
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a causalmacro grid" in err[0]


@pytest.mark.filterwarnings("ignore::causalmacro.svar.WeakIdentificationWarning")  # the demo's variances are constant
def test_data_identified_schemes_fill_every_ordering_alike_and_leave_windows_they_cannot_identify_empty(demo) -> None:
    """A volatility scheme does not depend on the ordering: each block fits it once, as SVAR() with the spec's
    [var.volatility] and the block's seed; a window without the break cannot identify it and stays NaN."""
    spec, panel = demo
    vol = spec.model_copy(update={"var": spec.var.model_copy(update={
        "volatility": cm.spec.schema.VolatilitySpec(breaks=["2020-03"])})})
    g = grid(vol, panel, workers=1, orderings=ORDERS[:2], lags=[2], windows=[("2015-01", "2025-12"),
             ("2015-01", "2019-12")], reps=30, horizon=4, identifications=["recursive", "volatility"])
    cv = g.irf.sel(identification="volatility", lags=2)
    np.testing.assert_array_equal(cv.isel(ordering=0).to_numpy(), cv.isel(ordering=1).to_numpy())
    assert np.isnan(cv.isel(window=1).to_numpy()).all()  # no break inside 2015-2019
    full = panel.data.loc["2015-01":"2025-12"]
    first = full.index[2:]
    held = [e for e in spec.events if first[0] <= pd.Timestamp(spec.event_date(e)) <= first[-1]]
    exog = event_dummies(spec, full.index, names=held, sample=first) if held else None
    opts = make_options(list(spec.var.order), panel.data.index, orderings=ORDERS[:2], lags=[2],
                        windows=[("2015-01", "2025-12"), ("2015-01", "2019-12")], window_length=None,
                        identifications=["recursive", "volatility"], reps=30, method="block", level=0.9, horizon=4,
                        trend="c", seed=0)
    block = next(b for b in opts.blocks() if b.window == 0)
    names = list(spec.var.order)
    res = cm.SVAR(full[names], order=names, lags=2, exog=exog,
                  identification=cm.ChangesInVolatility(breaks=("2020-03-01",))).fit(rng=opts.block_seed(block))
    np.testing.assert_allclose(cv.isel(ordering=0, window=0).sel(bound="point").transpose(
        "horizon", "response", "shock").to_numpy(), res.irf(4).sel(bound="point").to_numpy(), rtol=1e-8, atol=1e-10)

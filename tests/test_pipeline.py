"""The pipeline layer: ``fit_spec`` is the main job without its writer, and the README's Python gives the CLI's numbers."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import causalmacro as cm
from causalmacro.cli import main
from causalmacro.spec import parse_spec
from causalmacro.svar import ExplosiveReplicationsWarning, ExplosiveVARWarning

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "models" / "demo.toml"


@pytest.fixture(scope="module")
def run(demo) -> cm.RunResults:
    spec, panel = demo
    return cm.fit_spec(spec, panel, rng=3, reps=120, assets=False)


def _json(obj: object) -> object:
    return json.loads(json.dumps(obj, default=str))


def test_choices_come_from_the_spec(demo, run) -> None:
    spec, _ = demo
    assert run.choices.bands == "bootstrap" and run.choices.bootstrap == "block" == spec.var.bootstrap
    assert run.choices.reps == 120 and run.draws is not None and run.draws.reps == 120
    assert run.irf.sizes["horizon"] == spec.var.horizon + 1
    assert run.fevd.sizes["horizon"] == spec.var.fevd_horizon
    assert run.choices.focus == "btc" == spec.var.order[-1]
    assert run.choices.graph_multiplicity == spec.graph.multiplicity and run.choices.graph_alpha == spec.graph.alpha
    assert run.choices.graph_rule == run.graph.graph["rule"]
    assert run.assets is None and not run.choices.assets_fitted


def test_channel_decomposition_follows_the_spec(demo, run) -> None:
    """Default plan: inflation and real-rate shocks through net liquidity and the HY spread, banded like the IRF."""
    spec, _ = demo
    assert spec.channel_plan == (["inflation", "real_rate"], ["net_liquidity", "hy_spread"])
    assert set(run.channels) == {"inflation", "real_rate"}
    da = run.channels["real_rate"]
    assert "bound" in da.dims and da.attrs["channels"] == "net_liquidity,hy_spread"
    np.testing.assert_allclose(da.sel(part="total").to_numpy(), run.irf.sel(shock="real_rate").to_numpy(), atol=1e-12)
    assert any(line.startswith("channels: at its peak") for line in run.summary_lines())


def test_summary_dates_the_estimation_sample(demo, run) -> None:
    """'130 obs (2015-03..2025-12)': the VAR's own sample, not the panel's, which starts `lags` periods earlier."""
    _, panel = demo
    (line,) = [line for line in run.summary_lines() if line.startswith("SVAR:")]
    start = panel.data.index[run.svar.lags]
    assert f"{run.svar.nobs} obs ({start:%Y-%m}..{panel.data.index[-1]:%Y-%m})" in line
    assert len(panel.data) - run.svar.lags == run.svar.nobs


def test_bands_share_the_recorded_draws(run) -> None:
    """irf and fevd bands are exactly the bands of run.draws, so a user can recompute them."""
    assert run.choices.joint  # [var] joint: the run's responses carry sup-t bands
    xr.testing.assert_identical(run.irf, run.svar.irf(run.choices.irf_horizon, bands=run.draws, joint=True))
    xr.testing.assert_identical(run.fevd, run.svar.fevd(run.choices.fevd_horizon, bands=run.draws))
    assert run.draws.seed == run.svar.seed == run.choices.svar_seed


def test_spec_changes_reach_the_fit(demo) -> None:
    spec, panel = demo
    other = spec.model_copy(update={
        "var": spec.var.model_copy(update={"fevd_horizon": 6, "bands": "none"}),
        "report": spec.report.model_copy(update={"focus": "hy_spread"}),
        "graph": spec.graph.model_copy(update={"alpha": 0.01}),
    })
    r = cm.fit_spec(other, panel, assets=False)
    assert r.fevd.sizes["horizon"] == 6 and list(r.irf["bound"].values) == ["point"] and r.draws is None
    assert r.choices.focus == "hy_spread"
    # bands="none": no bootstrap draws, so no path test and no chain edge (Granger alone makes none)
    assert cm.significant_edges(r.graph) == [] and r.graph.graph["rule"].startswith("chain edges: not tested")


def test_asset_returns_flip_yields_and_spreads(demo) -> None:
    spec, panel = demo
    returns = cm.asset_returns(spec, panel)
    assert list(returns.columns) == list(spec.assets.groups)
    for col in returns.columns:
        sign = -1.0 if col in spec.assets.flip else 1.0
        np.testing.assert_array_equal(returns[col].to_numpy(), sign * panel.data[col].to_numpy())


def test_cli_writes_what_fit_spec_returns(demo, run, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    assert main(["--quiet", "run", str(DEMO), "--no-assets", "--reps", "120", "--seed", "3", "--out", str(out)]) == 0
    assert json.loads((out / "results.json").read_text()) == _json(run.to_dict())
    # the replications used, and any dropped, in the manifest, the summary and both reports
    from causalmacro.pipeline.results import band_text

    bands = band_text(run.choices)
    assert bands.startswith(f"90% joint (sup-t) bands from {run.choices.reps_kept}")
    assert json.loads((out / "manifest.json").read_text())["bands"] == bands
    assert bands in (out / "report.md").read_text() and bands in (out / "report.html").read_text()


def test_bad_arguments(demo) -> None:
    spec, panel = demo
    with pytest.raises(cm.ArgumentError, match="reps must be 0"):
        cm.fit_spec(spec, panel, reps=1, assets=False)
    with pytest.raises(cm.ArgumentError, match="rng must be"):
        cm.fit_spec(spec, panel, rng=-1, assets=False)
    with pytest.raises(TypeError):
        cm.fit_spec(spec, panel, seed=1)  # type: ignore[call-arg]


@pytest.mark.slow
def test_readme_python_gives_the_cli_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the README's Python blocks as written, then ``causalmacro run`` on the same spec: same results.json."""
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 2 and "cm.fit_spec(spec, panel, rng=0)" in blocks[0]
    shutil.copytree(ROOT / "models", tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    ns: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), ns)
    assert main(["--quiet", "run", "models/demo.toml", "--out", "cli"]) == 0
    cli = json.loads(Path("cli/results.json").read_text())
    assert _json(ns["run"].to_dict()) == cli  # type: ignore[attr-defined]
    assert json.loads(Path("demo-report/results.json").read_text()) == cli
    assert cli["assets"]["diagnostics"]["passed"] is True
    assert ns["res"].lags == ns["run"].svar.lags  # type: ignore[attr-defined]
    assert ns["post"].diagnostics.passed  # type: ignore[attr-defined]
    assert ns["scn"] is ns["run"].scenarios.scenarios["tga_rebuild"]  # type: ignore[attr-defined]
    assert isinstance(ns["sres"], cm.SVARResults) and ns["sres"].bvar is ns["bvar"]  # type: ignore[attr-defined]


def test_graph_attributes_agree_with_the_results(run) -> None:
    """Every chain edge carries the run's own response, its joint band and its path test, from the run's draws."""
    c = run.choices
    joint = run.svar.irf(c.irf_horizon, bands=run.draws, level=c.level, joint=True)
    test = run.svar.irf_test(c.irf_horizon, bands=run.draws).set_index(["shock", "response"])["p_value"]
    assert run.graph.graph["multiplicity"] == c.graph_multiplicity and run.graph.graph["alpha"] == c.graph_alpha
    for u, v, d in run.graph.edges(data=True):
        point = joint.sel(response=v, shock=u)
        assert d["p_value_raw"] == test[u, v] and d["significant"] == (d["p_value"] < c.graph_alpha)
        np.testing.assert_allclose(d["irf"], point.sel(bound="point").to_numpy(), atol=1e-12)
        np.testing.assert_allclose(d["band"][0], point.sel(bound="lower").to_numpy(), atol=1e-12)
        assert d["impact"] == pytest.approx(float(point.sel(bound="point", horizon=0)))
    assert run.graph.graph["sample"] == f"{run.svar.reduced_form.index[0]:%Y-%m}..{run.svar.reduced_form.index[-1]:%Y-%m}"


@pytest.mark.filterwarnings("ignore::causalmacro.bayes.results.FitFailedWarning")  # short chains: the gate may fail
def test_asset_model_by_regime_with_event_covariates_in_the_main_job(tmp_path: Path) -> None:
    """[assets].regime and [events] reach the asset model; the report draws it by regime and conditions on now."""
    import tomllib

    raw = tomllib.loads(DEMO.read_text())
    raw["assets"].update(draws=150, tune=100, chains=4)
    spec = parse_spec(raw, path=DEMO)
    panel = cm.build_panel(spec, cm.open_source(spec))
    run = cm.fit_spec(spec, panel, rng=1, reps=50)
    assert run.assets is not None and run.assets.regimes == ("contracting", "expanding")
    labels = cm.regimes(panel, spec)["liquidity"].dropna()
    assert run.choices.asset_regime_now == str(labels.iloc[-1])
    # the asset model read the regime of the period before each return
    design = run.assets.design
    assert list(run.assets.covariate_effects()["covariate"].values) == list(spec.events)
    assert design.regimes == ("contracting", "expanding")
    # the position's spectrum is the posterior mean cumulative response in the current regime
    now = run.choices.asset_regime_now
    assert run.position is not None and run.position.spectrum_regime == ("liquidity", now)
    expected = run.assets.cumulative().isel(horizon=-1).sel(regime=now).mean(("chain", "draw")).to_pandas()
    pd.testing.assert_frame_equal(run.position.spectrum, expected)
    assert run.graph.graph["asset_regime"] == f"liquidity: {now}"
    # the report's tables are computed by the pipeline: standardised spectra now and by regime, the contrast in
    # the spec's label order ([regimes.liquidity].labels = ["contracting", "expanding"]: expanding against contracting)
    tables = run.asset_tables
    assert tables is not None and tables.regime == "liquidity" and tables.regime_now == now
    assert tables.contrast == ("expanding", "contracting") and list(tables.spectra) == spec.asset_shocks
    for shock in spec.asset_shocks:
        # the pipeline's tables are the spectra plus the by-construction flag (credit is built from hy_spread)
        assert tables.spectra[shock]["by_construction"].tolist() == [
            spec.asset_var_overlap.get(str(a)) == shock for a in tables.spectra[shock].index]
        pd.testing.assert_frame_equal(tables.spectra[shock].drop(columns="by_construction"), run.assets.spectrum(
            shock=shock, level=run.choices.level, regime=now, scale="standardized"))
        pd.testing.assert_frame_equal(tables.spectra_by_regime[shock]["contracting"].drop(columns="by_construction"),
                                      run.assets.spectrum(shock=shock, level=run.choices.level, regime="contracting",
                                                          scale="standardized"))
        pd.testing.assert_frame_equal(tables.contrasts[shock],
                                      run.assets.prob_regime_greater("expanding", "contracting", shock=shock))
    out = cm.write_run(run, tmp_path / "run")
    for shock in spec.asset_shocks:
        assert f"spectrum_{shock}_by_regime.png" in out.files
    # the posterior is written after the figures are declared but keeps its place in the folder's list: after the
    # asset figures, before the scenarios' files; and it reads back as the run's posterior
    order = out.files
    assert order.index(f"spectrum_{spec.asset_shocks[-1]}_by_regime.png") < order.index("asset_posterior.nc")
    assert order.index("asset_posterior.nc") < min(i for i, f in enumerate(order) if f.startswith("scenario"))
    back = cm.AssetResponseResults.load(tmp_path / "run" / "asset_posterior.nc")
    # saved as float32 (AssetResponseResults.save): equal to float32's relative precision, 6e-8, with room
    xr.testing.assert_allclose(back.idata["posterior"], run.assets.idata["posterior"], rtol=1e-6, atol=1e-12)
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["position"]["spectrum_regime"] == ["liquidity", now]


def test_residual_check_line_says_what_each_rejection_means() -> None:
    """Only a rejected portmanteau test suggests more lags; only a rejected normality test is about the bands."""
    from causalmacro.pipeline.results import _residual_check_lines
    from causalmacro.svar.diagnostics import ResidualDiagnostics as Diagnostics
    from causalmacro.svar.diagnostics import TestResult

    def test(name: str, p: float) -> TestResult:
        return TestResult(name=name, statistic=1.0, pvalue=p, df=(1.0,), distribution="chi2", null="none")

    normal_only = _residual_check_lines(Diagnostics(portmanteau=test("portmanteau(12)", 0.4),
                                                    normality=test("normality", 1e-9)))
    assert len(normal_only) == 1 and "normality p = 1e-09" in normal_only[0]
    assert "lags" not in normal_only[0] and "do not assume normal errors" in normal_only[0]
    auto_only = _residual_check_lines(Diagnostics(portmanteau=test("portmanteau(12)", 0.01),
                                                  normality=test("normality", 0.3)))
    assert "more lags" in auto_only[0] and "normal" not in auto_only[0]
    assert _residual_check_lines(Diagnostics(portmanteau=None, normality=test("normality", 0.5))) == []


def _band_choices(**extra: object) -> dict:
    base = {"bands": "bootstrap", "bootstrap": "wild", "level": 0.9, "reps": 1000, "reps_requested": 1000,
            "reps_override": False, "reps_kept": 1000, "reps_explosive": 0, "reps_unidentified": 0}
    return {**base, **extra}


@pytest.mark.parametrize(("extra", "expected"), [
    ({}, "90% bands from 1000 wild bootstrap replications (Rademacher: too narrow on impact, read after impact "
         "only)"),
    ({"bootstrap": "block", "block_length": 5, "reps_kept": 927, "reps_explosive": 73},
     "90% bands from 927 of 1000 moving-block bootstrap replications (blocks of 5 periods: valid on impact under "
     "heteroskedastic errors); 73 explosive ones dropped"),
    ({"bootstrap": "residual", "bias_correct": True, "reps_kept": 920, "reps_explosive": 73, "reps_unidentified": 7},
     "90% bands from 920 of 1000 residual bootstrap replications (i.i.d. resampling: valid under homoskedastic "
     "errors), bias-corrected (Kilian 1998); 73 explosive and 7 unidentified ones dropped"),
    ({"bands": "none", "reps": 0, "reps_requested": 0, "reps_override": True, "reps_kept": 0},
     "no bands (--reps 0)"),
    ({"bands": "none", "reps": 0, "reps_requested": 0, "reps_kept": 0}, "no bands ([var].reps = 0)"),
    ({"bands": "none", "reps": 0, "reps_kept": 0}, "no bands ([var].bands = 'none')"),
    ({"bands": "none", "reps": 0, "reps_kept": 0, "bands_missing": "only 0 of 1000 bootstrap replications were "
      "usable"}, "no bands: only 0 of 1000 bootstrap replications were usable"),
])
def test_band_text_counts_the_replications_used(extra: dict, expected: str) -> None:
    from causalmacro.pipeline.results import band_text

    assert band_text(_band_choices(**extra)) == expected


def test_replications_kept_and_dropped_are_recorded(run) -> None:
    assert run.draws is not None
    c = run.choices
    assert (c.reps_kept, c.reps_explosive, c.reps_unidentified) == (
        run.draws.n_kept, run.draws.n_explosive, run.draws.n_unidentified)
    assert c.reps_requested == 120 and c.reps_override is True
    svar_line = next(line for line in run.summary_lines() if line.startswith("SVAR:"))
    assert f"from {run.draws.n_kept}" in svar_line and "bootstrap replications" in svar_line


def test_no_bands_run_says_so_everywhere(demo, tmp_path: Path) -> None:
    spec, panel = demo
    stages: list[str] = []
    run0 = cm.fit_spec(spec, panel, rng=3, reps=0, assets=False, on_stage=stages.append)
    text = "\n".join([*stages, *run0.summary_lines()])
    assert "none bands" not in text
    assert "bootstrap bands" not in text  # the event line does not claim bands it lacks
    assert any("no bands (--reps 0)" in line for line in stages)
    assert any(line.startswith("SVAR:") and line.endswith("no bands (--reps 0)") for line in run0.summary_lines())


def test_run_compare_refuses_a_run_of_another_frequency(run, tmp_path: Path) -> None:
    from causalmacro.report.write import _changes

    other = tmp_path / "weekly"
    other.mkdir()
    results = json.loads(json.dumps(run.to_dict(), default=str))
    results["panel"]["frequency"] = "W-FRI"
    (other / "results.json").write_text(json.dumps(results))
    (other / "manifest.json").write_text(json.dumps({"data": {}, "window": {}}))
    with pytest.raises(cm.DataError, match=r"weekly and this run cannot be compared: frequency weekly vs monthly$"):
        _changes(run, run.to_dict(), other, required=True)  # --compare DIR
    assert _changes(run, run.to_dict(), other, required=False) is None  # the previous run in --out: no comparison


def test_an_explosive_var_reports_its_bands_missing_not_a_crash(demo) -> None:
    """Issue 19, item 9: with an explosive point estimate every replication explodes; the main job goes on
    without bands and says why (results, stage line), as the grid does."""
    import dataclasses

    spec, panel = demo
    data = panel.data.copy()
    n = len(data)
    # btc grows 6% a period on top of its own noise: the point estimate's largest root is 1.06
    data["btc"] = data["btc"].to_numpy() + 1.06 ** np.arange(n)
    explosive = dataclasses.replace(panel, data=data)
    lines: list[str] = []
    with pytest.warns(ExplosiveVARWarning), pytest.warns(ExplosiveReplicationsWarning, match="30 of 30"):
        run = cm.fit_spec(spec, explosive, reps=30, assets=False, on_stage=lines.append)
    c = run.choices
    assert c.bands == "none" and c.bands_missing is not None and "only 0 of 30" in c.bands_missing
    assert c.reps_explosive == 30 and c.reps_kept == 0
    assert list(run.irf["bound"].values) == ["point"]
    assert "no bands: only 0 of 30 bootstrap replications were usable (30 explosive" in lines[0]
    assert "largest root is 1.060" in c.bands_missing
    assert run.to_dict()["choices"]["bands_missing"] == c.bands_missing
    # the scenarios go on at the point estimates, and say why; no density forecast from no replications
    assert run.scenarios is not None and run.scenarios.density is None
    assert c.scenario_parameters == f"the point estimates ('point'): the run's draws are unusable ({c.bands_missing})"
    assert run.scenarios.density_note == f"none: {c.bands_missing}"


def test_compare_draws_each_scheme_beside_the_chosen_one(demo) -> None:
    """``[var] compare``: the chosen layer is the run's own irf; each other layer is that scheme fitted to the same
    sample and lags, as SVAR() fits it directly, banded by a bootstrap of its own."""
    spec, panel = demo
    other = spec.model_copy(update={"var": spec.var.model_copy(update={"compare": ["long_run"]})})
    r = cm.fit_spec(other, panel, rng=3, reps=60, assets=False)
    cmp = r.irf_compare
    assert cmp is not None and list(cmp["identification"].values) == ["recursive", "long_run"]
    assert r.choices.identification == "recursive" and r.choices.compare == ("long_run",)
    assert list(cmp["bands"].values) == ["bootstrap", "bootstrap"]  # the figure's legend names a kind only if they differ
    xr.testing.assert_allclose(cmp.sel(identification="recursive", drop=True), r.irf, atol=1e-12)
    direct = cm.SVAR(panel.data[list(spec.var.order)].dropna(), lags=r.svar.lags,
                     identification="long_run", exog=r.events).fit()
    np.testing.assert_allclose(cmp.sel(identification="long_run", bound="point").to_numpy(),
                               direct.irf(spec.var.horizon).sel(bound="point").to_numpy(), atol=1e-10)
    band = cmp.sel(identification="long_run")
    assert (band.sel(bound="upper") >= band.sel(bound="lower")).all()
    assert not np.allclose(band.sel(bound="upper").to_numpy(), cmp.sel(identification="recursive", bound="upper"))
    assert r.to_dict()["irf_compare"]["dims"] == ["identification", "horizon", "response", "shock", "bound"]

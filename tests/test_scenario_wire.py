"""The main job's scenarios wired to the run: the run's own bootstrap draws, the asset spectrum, the figures."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

import causalmacro as cm
from causalmacro.spec import parse_spec

DEMO = Path(__file__).resolve().parents[1] / "models" / "demo.toml"
REPS = 20
pytestmark = pytest.mark.filterwarnings("ignore::causalmacro.bayes.results.FitFailedWarning")  # short chains


@pytest.fixture(scope="module")
def setup() -> tuple:
    raw = tomllib.loads(DEMO.read_text())
    raw["assets"].update(draws=120, tune=100, chains=2)
    raw["scenarios"]["tga_rebuild"]["draws"] = 300
    spec = parse_spec(raw, path=DEMO)
    panel = cm.build_panel(spec, cm.open_source(spec))
    return spec, panel, cm.fit_spec(spec, panel, rng=5, reps=REPS)


def test_the_scenarios_take_the_runs_own_bootstrap_draws(setup) -> None:
    """Not a second bootstrap: the conditional forecast on the run's BootstrapDraws, number for number."""
    from causalmacro.pipeline.scenarios import exog_future, scenario_conditions

    spec, panel, run = setup
    ds = run.scenarios.scenarios["tga_rebuild"]
    kept = run.draws.params.shape[0]
    assert kept == run.choices.reps_kept and ds.attrs["replications"] == kept
    assert run.choices.scenario_parameters == (f"the run's block bootstrap draws: {kept} kept replications (of "
                                               f"{REPS}), cycled over each scenario's draws")
    sc = spec.scenarios["tga_rebuild"]
    direct = run.svar.conditional_forecast(scenario_conditions(spec, panel, run.svar, "tga_rebuild"), sc.steps,
                                           shocks=sc.shocks, draws=sc.draws, rng=np.random.default_rng([5, 0]),
                                           level=spec.var.level, exog_future=exog_future(spec, run.svar, sc.steps),
                                           parameters=run.draws)
    np.testing.assert_array_equal(ds["path_draws"].to_numpy(), direct["path_draws"].to_numpy())
    np.testing.assert_array_equal(ds["shock_draws"].to_numpy(), direct["shock_draws"].to_numpy())


def test_without_replications_the_scenarios_use_the_point_estimates(setup) -> None:
    from causalmacro.pipeline.scenarios import scenario_stage

    spec, panel, run = setup
    stage = scenario_stage(spec, panel, run.svar, seed=5, n_reps=0, parameters="point")
    ds = stage.scenarios["tga_rebuild"]
    assert ds.attrs["parameters"] == "point" and ds.attrs["replications"] == 0
    assert stage.parameters_note == "the point estimates ('point'): the run draws no bootstrap replications (reps = 0)"
    assert stage.spectra == {}


def test_the_asset_spectrum_under_the_scenario_is_the_posterior_on_the_stages_shock_draws(setup) -> None:
    _, _, run = setup
    ds = run.scenarios.scenarios["tga_rebuild"]
    tables = run.scenarios.spectra["tga_rebuild"]
    assert list(tables) == ["contracting", "expanding"] == list(run.assets.regimes)
    for regime, table in tables.items():
        direct = run.assets.scenario_spectrum(ds["shock_draws"], regime=regime, level=0.9, scale="standardized")
        assert table.equals(direct) and table.attrs == direct.attrs
        assert table.attrs["shock_paths"] == 300 and table.attrs["horizon"] == 12
    # the effect by hand for one asset: posterior draw j takes shock draw j mod 300, through C_{min(L, H-s)}
    cum = run.assets.cumulative(scale="data").sel(regime="expanding")
    eps = ds["shock_draws"].sel(shock=list(run.assets.design.shocks)).to_numpy()  # (draw, H, K)
    lags = cum.sizes["horizon"] - 1
    c = cum.sel(asset="btc").transpose("chain", "draw", "shock", "horizon").to_numpy()
    flat = c.reshape(-1, *c.shape[2:])
    reach = np.minimum(lags, 12 - np.arange(1, 13))
    effect = np.array([sum(eps[j % 300, s, k] * flat[j, k, reach[s]] for s in range(12) for k in range(eps.shape[2]))
                       for j in range(flat.shape[0])])
    scale = run.assets.design.y_scale[list(run.assets.design.assets).index("btc")]
    assert tables["expanding"].loc["btc", "mean"] == pytest.approx(effect.mean() / scale, rel=1e-10)


def test_results_json_holds_the_asset_tables_and_validates(setup) -> None:
    from schema_keys import check_results

    _, _, run = setup
    doc = json.loads(json.dumps(run.to_dict(), default=str))
    check_results(doc)
    block = doc["scenarios"]["runs"]["tga_rebuild"]["assets"]
    assert (block["scale"], block["level"], block["horizon"], block["shock_paths"]) == ("standardized", 0.9, 12, 300)
    table = run.scenarios.spectra["tga_rebuild"]["contracting"]
    rows = block["regimes"]["contracting"]
    assert [r["asset"] for r in rows] == list(table.index)
    assert [r["mean"] for r in rows] == table["mean"].tolist()
    assert doc["choices"]["scenario_parameters"] == run.choices.scenario_parameters


def test_the_folder_and_report_show_the_scenario_figures(setup, tmp_path: Path) -> None:
    from causalmacro.report import write_run

    _, _, run = setup
    files = write_run(run, tmp_path / "run").files
    names = ["fan.png", "scenario_tga_rebuild.png", "scenario_spectrum_tga_rebuild.png"]
    assert all(n in files and (tmp_path / "run" / n).stat().st_size > 10_000 for n in names)
    page = (tmp_path / "run" / "report.html").read_text()
    scen = page[page.index('<section id="scenarios">'):]
    scen = scen[:scen.index("</section>")]
    assert all(f'alt="{n}"' in scen for n in names)
    now = run.choices.asset_regime_now
    assert f"the figure shows the regime the chain is in now, {now}." in scen
    btc = run.scenarios.spectra["tga_rebuild"][now].loc["btc"]
    assert f"<td>{btc['mean']:+.2f} [{btc['lower']:+.2f}, {btc['upper']:+.2f}] P&gt;0 {btc['prob_positive']:.0%}</td>" \
        in scen
    md = (tmp_path / "run" / "report.md").read_text()
    assert all(f"![{n}]({n})" in md for n in names)

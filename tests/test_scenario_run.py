"""The spec's scenarios inside the main job: RunResults, RunChoices, results.json, the reports, ``diff``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import causalmacro as cm

ROOT = Path(__file__).resolve().parents[1]
REPS = 20


@pytest.fixture(scope="module")
def run(demo) -> cm.RunResults:
    spec, panel = demo
    return cm.fit_spec(spec, panel, rng=5, reps=REPS, assets=False)


@pytest.fixture(scope="module")
def plain(demo) -> cm.RunResults:
    """The same run from a spec without scenarios."""
    spec, panel = demo
    return cm.fit_spec(spec.model_copy(update={"scenarios": {}}), panel, rng=5, reps=0, assets=False)


def _wanted(run: cm.RunResults) -> list[float]:
    """The demo's conditions by hand: net liquidity down $250bn twice, as 100 x log changes."""
    res = run.svar
    level = float(run.panel.levels["net_liquidity"].loc[: res.reduced_form.index[-1]].iloc[-1])
    return [100 * math.log((level - 250) / level), 100 * math.log((level - 500) / (level - 250))]


def test_the_run_holds_the_stage_as_the_scenario_command_computes_it(demo, run) -> None:
    """Same SVAR seed, scenario streams and parameter draws (the run's bootstrap): equal numbers."""
    from causalmacro.build import build_svar, split_seed
    from causalmacro.pipeline.scenarios import scenario_stage

    spec, panel = demo
    direct = scenario_stage(spec, panel, build_svar(spec, panel.data).fit(rng=split_seed(5)[0]), seed=5, n_reps=REPS,
                            parameters=run.draws)
    assert direct is not None and run.scenarios is not None
    got, want = run.scenarios.scenarios["tga_rebuild"], direct.scenarios["tga_rebuild"]
    np.testing.assert_array_equal(got["forecast"].to_numpy(), want["forecast"].to_numpy())
    assert run.scenarios.density is not None and direct.density is not None
    np.testing.assert_array_equal(run.scenarios.density.to_numpy(), direct.density.to_numpy())
    np.testing.assert_allclose(got["forecast"].sel(variable="net_liquidity", bound="point")[:2], _wanted(run),
                               rtol=0, atol=1e-10)
    assert "scenarios" in run.timings


def test_choices_record_how_the_scenarios_ran(run, plain) -> None:
    c = run.choices
    sc = c.scenarios["tga_rebuild"]
    assert (sc.steps, sc.shocks, sc.draws, dict(sc.units), sc.seed) == (12, ("net_liquidity",), 1000,
                                                                       {"net_liquidity": "change"}, (5, 0))
    assert c.scenario_density == f"block bootstrap, {REPS} replications, coefficients re-estimated in each"
    assert c.as_text()["scenarios"] == ("tga_rebuild: 12 steps, shocks net_liquidity, 1000 draws, net_liquidity in "
                                        "change, seed [5, 0]")
    d = c.to_dict()
    assert d["scenarios"] == {"tga_rebuild": {"steps": 12, "shocks": ["net_liquidity"], "draws": 1000,
                                              "units": {"net_liquidity": "change"}, "seed": [5, 0]}}
    assert type(c).from_dict(d) == c
    with pytest.raises(TypeError):
        c.scenarios["x"] = sc  # type: ignore[index]
    assert plain.choices.scenarios == {} and plain.choices.scenario_density is None
    assert plain.choices.as_text()["scenarios"] == "none"


def test_results_json_block_validates_and_equals_the_stage(run) -> None:
    from schema_keys import check_results

    doc = json.loads(json.dumps(run.to_dict(), default=str))
    check_results(doc)
    check_results(doc["scenarios"], part="scenarios")
    block = doc["scenarios"]
    stage = run.scenarios
    assert stage is not None
    ds = stage.scenarios["tga_rebuild"]
    r = block["runs"]["tga_rebuild"]
    assert r["kl_mean"] == float(ds.attrs["kl_mean"]) and r["shocks_allowed"] == ["net_liquidity"]
    want = _wanted(run)
    assert [(c["horizon"], c["value"], c["units"]) for c in r["conditions"]] == [(1, -250.0, "change"),
                                                                                (2, -250.0, "change")]
    assert [c["model_value"] for c in r["conditions"]] == pytest.approx(want, rel=1e-12)
    btc = [row["scenario"] for row in r["table"] if row["variable"] == "btc"]
    assert btc == ds["forecast"].sel(variable="btc", bound="point").to_numpy().tolist()
    assert block["baseline"]["btc"] == stage.baseline[("btc", "point")].tolist()
    assert block["periods"][:2] == ["2026-01-01", "2026-02-01"]
    assert stage.density is not None
    dens = block["density"]
    assert dens["coords"]["quantile"] == [0.05, 0.25, 0.5, 0.75, 0.95]
    assert dens["coords"]["period"] == block["periods"]
    np.testing.assert_array_equal(np.array(dens["values"]),
                                  stage.density.transpose("period", "variable", "quantile").to_numpy())


def test_density_table_is_the_density_reshaped(run) -> None:
    stage = run.scenarios
    assert stage is not None and stage.density is not None
    table = stage.density_table()
    assert table is not None
    assert list(table.columns) == ["point", "5%", "25%", "50%", "75%", "95%"]
    assert table.loc[("hy_spread", "2026-03-01"), "95%"] == float(
        stage.density.sel(variable="hy_spread", quantile=0.95).isel(period=2))
    assert table.loc[("btc", "2026-01-01"), "point"] == float(stage.baseline[("btc", "point")].iloc[0])


def test_reports_show_the_conditions_in_both_units(run, tmp_path: Path) -> None:
    from causalmacro.report.html import html_report
    from causalmacro.report.markdown import markdown

    want = _wanted(run)
    kl = float(run.scenarios.scenarios["tga_rebuild"].attrs["kl_mean"])  # type: ignore[union-attr]
    page = html_report(run, tmp_path, [])
    section = page[page.index('<section id="scenarios">'):]
    section = section[:section.index("</section>")]
    assert '<a href="#scenarios">Scenarios</a>' in page
    assert "<h3>tga_rebuild (scenario; shocks allowed: net_liquidity)</h3>" in section
    assert "<td>-250 (change)</td>" in section
    assert f"<td>{want[0]:.4g} (percent change (log))</td>" in section
    assert f"<td>{want[1]:.4g} (percent change (log))</td>" in section
    assert f"<td>{want[0]:.2f}* (" in section and f"<td>{want[1]:.2f}* (" in section
    assert f"Plausibility: kl_mean = {kl:.3g} is half the sum of squares" in section
    assert f"block bootstrap, {REPS} replications, coefficients re-estimated in each." in section
    md = markdown(run, [])
    assert (f"- net_liquidity at 2026-01-01 (horizon 1): -250 (change), {want[0]:.4g} in the VAR's units\n"
            in md)
    assert "## Scenarios\n" in md and "| 2026-02-01 | " in md and f" {want[1]:.2f}* (" in md


def test_figure_slots_take_the_scenario_figures_when_the_folder_has_them(run, tmp_path: Path) -> None:
    """The figures another module draws drop into the section (not the general Figures section)."""
    from causalmacro.report.html import FAN_FIGURE, html_report, scenario_figures

    names = [FAN_FIGURE, *scenario_figures("tga_rebuild")]
    for name in names:
        (tmp_path / name).write_bytes(b"\x89PNG\r\n\x1a\n")  # embedded as it is: any bytes stand in
    page = html_report(run, tmp_path, names)
    scen = page[page.index('<section id="scenarios">'):]
    scen = scen[:scen.index("</section>")]
    figs = page[page.index('<section id="figures">'):]
    figs = figs[:figs.index("</section>")]
    assert all(f'alt="{n}"' in scen and f'alt="{n}"' not in figs for n in names)
    assert scen.index('alt="scenario_tga_rebuild.png"') < scen.index("Paths: the scenario's mean")


def test_a_spec_without_scenarios_writes_no_block_and_no_section(plain, tmp_path: Path) -> None:
    from causalmacro.report.html import html_report
    from causalmacro.report.markdown import markdown

    assert plain.scenarios is None and "scenarios" not in plain.to_dict() and "scenarios" not in plain.timings
    assert 'id="scenarios"' not in html_report(plain, tmp_path, [])
    assert "## Scenarios" not in markdown(plain, [])


def test_diff_reads_runs_with_and_without_the_block(run, plain) -> None:
    from causalmacro.report.changes import compare

    new = json.loads(json.dumps(run.to_dict(), default=str))
    old = json.loads(json.dumps(plain.to_dict(), default=str))
    manifest = {"data": {k: dict(v) for k, v in run.panel.inputs.items()}, "window": dict(run.panel.window)}
    for a, b in ((old, new), (new, old), (new, new)):
        diff = compare((manifest, a), (manifest, b), labels=("a", "b"))
        assert diff["data"] == {} and isinstance(diff["summary"], str)


def test_the_run_pickles_with_its_scenarios(run) -> None:
    import pickle

    back = pickle.loads(pickle.dumps(run))
    assert back.scenarios is not None and back.choices == run.choices
    assert back.scenarios.tables["tga_rebuild"].equals(run.scenarios.tables["tga_rebuild"])  # type: ignore[union-attr]

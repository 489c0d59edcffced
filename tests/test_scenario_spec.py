"""Scenarios of the spec: units of conditions, the spec tables, the pipeline stage and the CLI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from causalmacro.errors import ArgumentError, SpecError
from causalmacro.panel.invert import to_model_units
from causalmacro.spec import load_spec
from causalmacro.spec.defaults import SCENARIO


def _conv(values, units, transform, history, **kw):
    return to_model_units(values, units=units, transform=transform, history=pd.Series(history, dtype=float),
                          periods_per_year=kw.pop("ppy", 12), name="x", **kw)


def test_change_logdiff_by_hand():
    out = _conv({1: -250.0, 2: -250.0}, "change", "logdiff", [5900.0, 6000.0])
    assert out[1] == pytest.approx(100 * math.log(5750 / 6000), rel=1e-14)
    assert out[2] == pytest.approx(100 * math.log(5500 / 5750), rel=1e-14)


def test_level_units_each_transform():
    hist = [float(v) for v in range(100, 114)]  # 14 months, last level 113
    assert _conv({1: 120.0}, "level", "level", hist)[1] == 120.0
    assert _conv({1: 120.0}, "level", "log", hist)[1] == pytest.approx(math.log(120.0))
    assert _conv({1: 120.0}, "level", "diff", hist)[1] == pytest.approx(7.0)
    assert _conv({1: 120.0, 2: 110.0}, "level", "diff", hist).tolist() == pytest.approx([7.0, -10.0])
    # yoy: the level 12 months back of horizon 1 is hist[-12] = 102, of horizon 2 it is 103
    out = _conv({1: 120.0, 2: 110.0}, "level", "yoy", hist)
    assert out.tolist() == pytest.approx([100 * (120 / 102 - 1), 100 * (110 / 103 - 1)])
    # zscore: the sample's mean and sd (ddof=1)
    h = np.array(hist)
    assert _conv({1: 120.0}, "level", "zscore", hist)[1] == pytest.approx((120 - h.mean()) / h.std(ddof=1))


def test_change_units_diff_and_model_pass_through():
    assert _conv({3: -5.0}, "change", "diff", [1.0, 2.0])[3] == -5.0  # diff is the change itself
    assert _conv({2: 0.7}, "model", "logdiff", [1.0])[2] == 0.7


def test_condition_units_have_one_definition() -> None:
    """The spec defines the units; the panel's inversion imports them (no second Literal to drift)."""
    from typing import get_args

    from causalmacro.panel import invert
    from causalmacro.spec import schema

    assert invert.ConditionUnits is schema.ConditionUnits
    assert get_args(schema.ConditionUnits) == ("model", "level", "change")
    assert "ConditionUnits = " not in Path(invert.__file__).read_text()
    with pytest.raises(ArgumentError, match=r"^units: unknown units 'levels'; units are \['model', 'level', 'change'\]$"):
        _conv({1: 1.0}, "levels", "level", [1.0])


def test_yoy_needs_a_year_of_history():
    with pytest.raises(ArgumentError) as e:
        _conv({1: 120.0}, "level", "yoy", [100.0] * 11)
    assert str(e.value) == ("x: a 'level' condition at horizon 1 needs the level 12 periods earlier "
                            "(transform 'yoy'), which the data do not have; give the condition in 'model' units")


def test_a_gap_before_a_level_condition_is_refused():
    with pytest.raises(ArgumentError) as e:
        _conv({2: 5000.0}, "level", "logdiff", [6000.0])
    assert str(e.value) == ("x: a 'level' condition at horizon 2 needs the level at horizon 1 "
                            "(transform 'logdiff'), which is free; condition horizon 1 too, or use 'model' units")
    with pytest.raises(ArgumentError, match="non-positive level"):
        _conv({1: -7000.0}, "change", "logdiff", [6000.0])


# ---- the spec's [scenarios] tables ----

ROOT = Path(__file__).resolve().parents[1]
DEMO = (ROOT / "models" / "demo.toml").read_text()


def test_demo_spec_scenario_reads_as_written() -> None:
    sc = load_spec(ROOT / "models" / "demo.toml").scenarios["tga_rebuild"]
    assert sc.shocks == ["net_liquidity"] and sc.steps == 12 and sc.draws == 1000
    cond = sc.conditions["net_liquidity"]
    assert cond.units == "change" and cond.periods() == {1: -250.0, 2: -250.0}


def test_scenario_defaults_come_from_the_table(tmp_path: Path) -> None:
    text = DEMO.replace("steps = 12\n", "").replace("draws = 1000\n", "")
    path = tmp_path / "s.toml"
    path.write_text(text)
    sc = load_spec(path).scenarios["tga_rebuild"]
    assert (sc.steps, sc.draws) == (SCENARIO.steps, SCENARIO.draws)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("[scenarios.tga_rebuild.conditions.net_liquidity]", "[scenarios.tga_rebuild.conditions.net_liqudity]",
         "key 'scenarios.tga_rebuild.conditions.net_liqudity': 'net_liqudity' is not a variable of [var].order "
         "(did you mean 'net_liquidity'?)"),
        ('shocks = ["net_liquidity"]', 'shocks = ["liquidity"]',
         "key 'scenarios.tga_rebuild.shocks.0': 'liquidity' is not a shock of [var].order"),
        ("values = { 1 = -250, 2 = -250 }", "values = { 1 = -250, 13 = -250 }",
         "key 'scenarios.tga_rebuild.conditions.net_liquidity.values.13': horizon 13 is outside the "
         "scenario's 12 steps"),
        ("values = { 1 = -250, 2 = -250 }", "values = { 1 = -250, next = -250 }",
         "period 'next' is neither a horizon (1, 2, ...) nor a date (YYYY-MM)"),
        ('units = "change"', 'units = "dollars"', "key 'scenarios.tga_rebuild.conditions.net_liquidity.units': "
         "'dollars' is not allowed"),
    ],
)
def test_bad_scenario_tables_name_the_key(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in DEMO
    path = tmp_path / "s.toml"
    path.write_text(DEMO.replace(old, new, 1))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert "\n" not in str(info.value)
    assert expected in str(info.value)


# ---- the scenario stage on the demo ----


@pytest.fixture(scope="module")
def demo_fit():
    import causalmacro as cm
    from causalmacro.build import build_svar

    spec = cm.load_spec(ROOT / "models" / "demo.toml")
    panel = cm.build_panel(spec, cm.open_source(spec))
    return spec, panel, build_svar(spec, panel.data).fit(rng=1)


def test_spec_scenario_equals_the_direct_call(demo_fit) -> None:
    from causalmacro.pipeline.scenarios import exog_future, scenario_stage

    spec, panel, res = demo_fit
    stage = scenario_stage(spec, panel, res, seed=3, n_reps=0)
    level = float(panel.levels["net_liquidity"].loc[: res.reduced_form.index[-1]].iloc[-1])
    want = [100 * math.log((level - 250) / level), 100 * math.log((level - 500) / (level - 250))]
    cond = stage.conditions["tga_rebuild"]
    assert cond.loc[[1, 2], "net_liquidity"].tolist() == pytest.approx(want, rel=1e-12)
    direct = res.conditional_forecast(pd.DataFrame({"net_liquidity": want}, index=[1, 2]), 12,
                                      shocks=["net_liquidity"], draws=1000, rng=np.random.default_rng([3, 0]),
                                      exog_future=exog_future(spec, res, 12))
    ds = stage.scenarios["tga_rebuild"]
    np.testing.assert_allclose(ds["forecast"].to_numpy(), direct["forecast"].to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ds["forecast"].sel(variable="net_liquidity", bound="point")[:2], want, atol=1e-10)
    # only the liquidity shock moves
    assert float(abs(ds["shocks"].drop_sel(shock="net_liquidity")).max()) == 0.0
    table = stage.tables["tga_rebuild"]
    row = table[(table.horizon == 2) & (table.variable == "btc")].iloc[0]
    base = float(stage.baseline[("btc", "point")].iloc[1])
    assert row.baseline == base and row.difference == pytest.approx(row.scenario - base)
    assert stage.density is None and stage.density_note.startswith("none: the run draws no bootstrap")


def _with(spec, **changes):
    sc = spec.scenarios["tga_rebuild"]
    return spec.model_copy(update={"scenarios": {"tga_rebuild": sc.model_copy(update=changes)}})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"values": {"2025-06": -250.0}}, "scenario tga_rebuild: net_liquidity: period 2025-06 is not after the "
         "data's end (2025-12)"),
        ({"values": {"2027-06": -250.0}}, "scenario tga_rebuild: net_liquidity: period 2027-06 is outside the "
         "forecast horizon (2026-01 to 2026-12, 12 steps)"),
        ({"values": {"2": -250.0}}, "scenario tga_rebuild: net_liquidity: a 'change' condition at horizon 2 needs "
         "the level at horizon 1 (transform 'logdiff'), which is free; condition horizon 1 too, or use 'model' units"),
    ],
)
def test_bad_dated_conditions(demo_fit, changes, message) -> None:
    from causalmacro.pipeline.scenarios import run_scenario

    spec, panel, res = demo_fit
    cond = spec.scenarios["tga_rebuild"].conditions["net_liquidity"].model_copy(update=changes)
    bad = _with(spec, conditions={"net_liquidity": cond})
    with pytest.raises(ArgumentError) as e:
        run_scenario(bad, panel, res, "tga_rebuild")
    assert str(e.value) == message


def test_more_conditions_than_shocks(demo_fit) -> None:
    from causalmacro.pipeline.scenarios import run_scenario

    spec, panel, res = demo_fit
    sc = spec.scenarios["tga_rebuild"]
    two = sc.conditions["net_liquidity"].model_copy(update={"units": "model", "values": {"1": 0.5}})
    bad = _with(spec, conditions={"net_liquidity": sc.conditions["net_liquidity"], "btc": two})
    with pytest.raises(ArgumentError) as e:
        run_scenario(bad, panel, res, "tga_rebuild")
    assert str(e.value) == ("scenario tga_rebuild: conditions: 2 conditions up to horizon 1 but only 1 shock values "
                            "(1 shocks x 1 periods) may move; allow more shocks or drop conditions")


# ---- the CLI ----


def _cli(tmp_path: Path, capsys, text: str, *extra: str) -> tuple[int, str, str]:
    from causalmacro.cli import main

    path = tmp_path / "demo.toml"
    path.write_text(text)
    rc = main(["scenario", str(path), "--reps", "0", "--quiet", *extra])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_scenario_prints_the_table_and_writes(tmp_path: Path, capsys, demo_fit) -> None:
    import json

    rc, out, err = _cli(tmp_path, capsys, DEMO, "--out", str(tmp_path / "o"))
    assert rc == 0, err
    _, panel, res = demo_fit
    level = float(panel.levels["net_liquidity"].loc[: res.reduced_form.index[-1]].iloc[-1])
    assert out.startswith("scenario tga_rebuild (scenario; shocks allowed: net_liquidity; kl_mean ")
    assert f"{100 * math.log((level - 250) / level):.2f}*" in out
    block = json.loads((tmp_path / "o" / "scenarios.json").read_text())
    run = block["runs"]["tga_rebuild"]
    assert run["conditions"][0] == {"variable": "net_liquidity", "units": "change", "horizon": 1,
                                    "period": "2026-01-01", "value": -250.0,
                                    "model_value": pytest.approx(100 * math.log((level - 250) / level))}
    assert block["density"] is None and run["shocks_allowed"] == ["net_liquidity"]


@pytest.mark.parametrize(
    ("old", "new", "extra", "message"),
    [
        ("values = { 1 = -250, 2 = -250 }", "values = { 2025-10 = -250 }", (),
         "scenario tga_rebuild: net_liquidity: period 2025-10 is not after the data's end (2025-12)"),
        ("values = { 1 = -250, 2 = -250 }", "values = { 2 = -250 }", (),
         "scenario tga_rebuild: net_liquidity: a 'change' condition at horizon 2 needs the level at horizon 1 "
         "(transform 'logdiff'), which is free; condition horizon 1 too, or use 'model' units"),
        ("draws = 1000", "draws = 1000", ("--name", "tga"),
         "--name: unknown scenario 'tga'; scenarios are ['tga_rebuild']"),
        ('[scenarios.tga_rebuild.conditions.net_liquidity]', '[scenarios.tga_rebuild.conditions.btc]\nunits = "model"\n'
         'values = { 1 = 0.5 }\n[scenarios.tga_rebuild.conditions.net_liquidity]', (),
         "scenario tga_rebuild: conditions: 2 conditions up to horizon 1 but only 1 shock values (1 shocks x 1 "
         "periods) may move; allow more shocks or drop conditions"),
        ('[scenarios.tga_rebuild.conditions.net_liquidity]\nunits = "change"',
         '[scenarios.tga_rebuild.conditions.inflation]\nunits = "model"', (),  # no impact on inflation: ordered first
         "scenario tga_rebuild: conditions: the allowed shocks cannot meet these conditions together (the "
         "restrictions are rank deficient); allow other shocks or drop a condition"),
        ('shocks = ["net_liquidity"]', 'shocks = ["liquidity"]', (),
         "key 'scenarios.tga_rebuild.shocks.0': 'liquidity' is not a shock of [var].order"),
        ("[scenarios.tga_rebuild.conditions.net_liquidity]", "[scenarios.tga_rebuild.conditions.gold]", (),
         "key 'scenarios.tga_rebuild.conditions.gold': 'gold' is not a variable of [var].order"),
    ],
)
def test_cli_bad_conditions_one_line_exit_2(tmp_path: Path, capsys, old, new, extra, message) -> None:
    assert old in DEMO
    rc, _, err = _cli(tmp_path, capsys, DEMO.replace(old, new, 1), *extra)
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("causalmacro: error: ")
    assert message in err

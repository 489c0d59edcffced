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

"""Scenarios of the spec: units of conditions, the spec tables, the pipeline stage and the CLI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from causalmacro.errors import ArgumentError
from causalmacro.panel.invert import to_model_units


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

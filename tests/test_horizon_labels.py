"""Figures label their horizon axis with what the results know: the frequency of the data's index, the units given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import causalmacro as cm
from causalmacro.labelled import horizon_unit


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(("freq", "unit"), [
    ("MS", "months"), ("ME", "months"), ("BMS", "months"), ("W-FRI", "weeks"), ("QS", "quarters"),
    ("QE-DEC", "quarters"), ("YS", "years"), ("D", "days"), ("B", "business days"), ("2D", None),
])
def test_horizon_unit_from_a_date_index(freq: str, unit: str | None) -> None:
    assert horizon_unit(pd.date_range("2020-01-01", periods=12, freq=freq)) == unit


def test_horizon_unit_inferred_without_freq_and_none_when_the_index_says_none() -> None:
    dates = pd.DatetimeIndex(list(pd.date_range("2020-01-01", periods=12, freq="MS")))
    assert dates.freq is None and horizon_unit(dates) == "months"
    assert horizon_unit(pd.period_range("2020-01", periods=4, freq="M")) == "months"
    assert horizon_unit(pd.period_range("2020Q1", periods=4, freq="Q")) == "quarters"
    assert horizon_unit(pd.DatetimeIndex(["2020-01-01", "2020-01-05", "2020-03-01"])) is None
    assert horizon_unit(pd.RangeIndex(10)) is None


def _frame(freq: str, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = np.zeros((n, 2))
    for t in range(1, n):
        x[t] = 0.5 * x[t - 1] + rng.standard_normal(2)
    return pd.DataFrame(x, columns=["rate", "returns"], index=pd.date_range("2010-01-01", periods=n, freq=freq))


def test_plot_irf_without_arguments_labels_the_horizon_in_months() -> None:
    res = cm.SVAR(_frame("MS"), lags=1).fit()
    irf = res.irf(6)
    assert irf.attrs["horizon_unit"] == "months" and res.fevd(6).attrs["horizon_unit"] == "months"
    fig = cm.plot_irf(irf)
    axes = np.array(fig.axes).reshape(2, 2)
    assert [a.get_xlabel() for a in axes[-1]] == ["horizon (months)", "horizon (months)"]
    assert [a.get_xlabel() for a in axes[0]] == ["", ""]  # only the bottom row
    assert axes[0, 0].get_ylabel() == "rate\n(units of the series)"  # no units known: says so


def test_units_given_label_the_rows_and_an_explicit_horizon_unit_wins() -> None:
    irf = cm.SVAR(_frame("MS"), lags=1).fit().irf(6)
    fig = cm.plot_irf(irf, units={"rate": "percent"}, horizon_unit="periods")
    axes = np.array(fig.axes).reshape(2, 2)
    assert axes[0, 0].get_ylabel() == "rate\n(percent)" and axes[1, 0].get_ylabel() == "returns\n(units of the series)"
    assert axes[1, 0].get_xlabel() == "horizon (periods)"


def test_weekly_data_label_weeks_and_the_fevd_too() -> None:
    res = cm.SVAR(_frame("W-FRI"), lags=1).fit()
    assert np.array(cm.plot_irf(res.irf(4)).axes).reshape(2, 2)[1, 1].get_xlabel() == "horizon (weeks)"
    assert cm.plot_fevd(res.fevd(4), "returns").axes[0].get_xlabel() == "forecast horizon (weeks)"
    assert res.plot_fevd("rate", 4).axes[0].get_xlabel() == "forecast horizon (weeks)"


def test_an_index_without_a_frequency_keeps_periods() -> None:
    frame = _frame("MS").iloc[[i for i in range(120) if i % 7]]  # irregular dates
    irf = cm.SVAR(frame, lags=1).fit().irf(4)
    assert "horizon_unit" not in irf.attrs
    assert np.array(cm.plot_irf(irf).axes).reshape(2, 2)[1, 0].get_xlabel() == "horizon (periods)"


def test_the_svar_docstring_example_runs_as_written() -> None:
    import doctest

    import causalmacro.svar.model as model

    (test,) = [t for t in doctest.DocTestFinder().find(model.SVAR, "SVAR", module=model) if t.name == "SVAR"]
    assert "df = pd.DataFrame" in test.docstring and "plot_irf" in test.docstring  # self-contained, shows the plot
    result = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(test)
    assert result.failed == 0 and result.attempted >= 10

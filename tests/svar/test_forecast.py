"""Forecasts and forecast intervals against statsmodels' ``VARResults.forecast`` / ``forecast_interval``.

Reference: statsmodels 0.15 ``tsa.api.VAR`` on the same arrays, ``forecast_interval(y, steps,
alpha=1 - level)``: the normal interval from the forecast MSE without parameter uncertainty
(Lütkepohl 2005, eq. 2.2.11). Tolerance 1e-8 (relative and absolute): the same recursion in
double precision. Data: statsmodels' macrodata growth rates (no exog) and the simulated VARX
of ``varx_sim`` (pulse and step dummies).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.api import VAR
from varx_sim import simulate_varx

from causalmacro.errors import ArgumentError, DataError
from causalmacro.svar import SVAR
from causalmacro.svar.forecast import forecast_index

TOL = 1e-8


def _bounds(fc: pd.DataFrame, bound: str) -> np.ndarray:
    return fc.xs(bound, axis=1, level="bound").to_numpy()


def _check_against(fc: pd.DataFrame, ref, y: np.ndarray, steps: int, level: float, exog_future=None) -> None:
    point = ref.forecast(y[-ref.k_ar:], steps, exog_future=exog_future)
    mid, lo, hi = ref.forecast_interval(y[-ref.k_ar:], steps, alpha=1 - level, exog_future=exog_future)
    assert_allclose(_bounds(fc, "point"), point, rtol=TOL, atol=TOL)
    assert_allclose(_bounds(fc, "point"), mid, rtol=TOL, atol=TOL)
    assert_allclose(_bounds(fc, "lower"), lo, rtol=TOL, atol=TOL)
    assert_allclose(_bounds(fc, "upper"), hi, rtol=TOL, atol=TOL)


@pytest.fixture(scope="module")
def varx_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return simulate_varx(240, np.random.default_rng(11))


@pytest.mark.parametrize("trend", ["n", "c", "ct", "ctt"])
@pytest.mark.parametrize("level", [0.9, 0.68])
def test_forecast_matches_statsmodels(macro_growth: pd.DataFrame, trend: str, level: float) -> None:
    """Without exog, every trend (``"ct"``/``"ctt"`` continue as t = T+1, ...), two levels."""
    res = SVAR(macro_growth, lags=3, trend=trend).fit()
    y = macro_growth.to_numpy()
    ref = VAR(y).fit(3, trend=trend)
    fc = res.forecast(12, level=level)
    _check_against(fc, ref, y, 12, level)
    assert fc.attrs["level"] == level


@pytest.mark.parametrize("trend", ["c", "ct"])
def test_forecast_with_exog_matches_statsmodels(varx_data, trend: str) -> None:
    """Future dummies as a DataFrame (columns in any order) or an array give statsmodels' numbers."""
    y, x = varx_data
    res = SVAR(y, lags=2, trend=trend, exog=x).fit()
    ref = VAR(y.to_numpy(), exog=x.to_numpy()).fit(2, trend=trend)
    steps = 6
    future = np.column_stack([[0, 0, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0]]).astype(float)
    frame = pd.DataFrame(future, columns=["pulse", "step"],
                         index=pd.period_range(y.index[-1] + 1, periods=steps, freq="M"))
    for given in (frame[["step", "pulse"]], future, frame.reset_index(drop=True)):
        fc = res.forecast(steps, level=0.8, exog_future=given)
        _check_against(fc, ref, y.to_numpy(), steps, 0.8, exog_future=future)
    assert res.forecast(steps, exog_future=future).attrs["exog"] == ["pulse", "step"]


def test_trend_continues_into_the_future(macro_growth: pd.DataFrame) -> None:
    """By hand: y_{T+1} = const + trend * (T + 1) + sum_j A_j y_{T+1-j}, T counting every data row (1e-10)."""
    res = SVAR(macro_growth, lags=2, trend="ct").fit()
    y = macro_growth.to_numpy()
    nu, tr = res.params.loc["const"].to_numpy(), res.params.loc["trend"].to_numpy()
    a = res.reduced_form.coefs
    one = nu + tr * (len(y) + 1) + a[0] @ y[-1] + a[1] @ y[-2]
    two = nu + tr * (len(y) + 2) + a[0] @ one + a[1] @ y[-1]
    fc = res.forecast(2)
    assert_allclose(_bounds(fc, "point"), np.stack([one, two]), rtol=0, atol=1e-10)


def test_interval_is_normal_with_forecast_mse(macro_growth: pd.DataFrame) -> None:
    """One step ahead the half-width is z * sqrt(diag Sigma_u) (1e-12): no parameter uncertainty."""
    res = SVAR(macro_growth, lags=2).fit()
    fc = res.forecast(1, level=0.95)
    half = (_bounds(fc, "upper") - _bounds(fc, "lower"))[0] / 2
    assert_allclose(half, 1.959963984540054 * np.sqrt(np.diag(res.sigma_u.to_numpy())), rtol=1e-12)
    assert "parameter uncertainty ignored" in fc.attrs["method"]


def test_layout(macro_growth: pd.DataFrame) -> None:
    fc = SVAR(macro_growth, lags=2).fit().forecast(3)
    assert fc.columns.names == ["variable", "bound"]
    assert list(fc.columns.get_level_values("variable").unique()) == list(macro_growth.columns)
    assert list(fc["realgdp"].columns) == ["point", "lower", "upper"]
    assert list(fc.index) == list(pd.period_range("2009Q4", periods=3, freq="Q"))
    assert (fc.xs("lower", axis=1, level="bound") < fc.xs("upper", axis=1, level="bound")).all().all()


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (pd.period_range("2020-01", periods=5, freq="M"), pd.period_range("2020-06", periods=3, freq="M")),
        (pd.date_range("2020-01-01", periods=5, freq="MS"), pd.DatetimeIndex(["2020-06-01", "2020-07-01", "2020-08-01"])),
        (pd.DatetimeIndex(["2020-01-31", "2020-02-29", "2020-03-31", "2020-04-30"]),  # no freq set: inferred
         pd.DatetimeIndex(["2020-05-31", "2020-06-30", "2020-07-31"])),
        (pd.RangeIndex(0, 10, 2), pd.Index([10, 12, 14])),
        (pd.Index([3, 4, 5, 9]), pd.Index([10, 11, 12])),
        (pd.Index(["a", "b", "c", "d"]), pd.Index([4, 5, 6])),
        (pd.DatetimeIndex(["2020-01-01", "2020-01-03", "2020-02-11"]), pd.Index([3, 4, 5])),  # irregular: positions
    ],
)
def test_forecast_index(index: pd.Index, expected: pd.Index) -> None:
    out = forecast_index(index, 3)
    assert list(out) == list(expected)
    assert type(out) is type(expected) or isinstance(out, pd.RangeIndex)


@pytest.mark.parametrize(
    ("exog_future", "match"),
    [
        (None, "exog_future is required: the model has exog columns 'pulse', 'step'"),
        (np.zeros((5, 2)), r"shape \(5, 2\), expected \(6, 2\)"),
        (np.zeros(6), r"shape \(6,\), expected \(6, 2\)"),
        (pd.DataFrame({"pulse": np.zeros(6)}), "no column 'step'"),
        (pd.DataFrame({"pulse": np.zeros(6), "step": 1.0, "other": 0.0}), "column 'other' is not an exog column"),
        (pd.DataFrame({"pulse": np.zeros(5), "step": 1.0}), "has 5 rows, but steps=6"),
        (pd.DataFrame({"pulse": [0.0] * 5 + [np.nan], "step": 1.0}), "column 'pulse' has 1 missing values"),
        (pd.DataFrame({"pulse": np.zeros(6), "step": "x"}), "column 'step' is not numeric"),
        (pd.DataFrame({"pulse": np.zeros(6), "step": 1.0}, index=pd.period_range("2030-01", periods=6, freq="M")),
         "starts at 2030-01, but the forecast starts at 2020-01"),
        ("abc", "must be a DataFrame or a numeric array"),
    ],
)
def test_bad_exog_future(varx_data, exog_future, match: str) -> None:
    y, x = varx_data
    res = SVAR(y, lags=1, exog=x).fit()
    with pytest.raises(DataError, match=match) as info:
        res.forecast(6, exog_future=exog_future)
    assert "\n" not in str(info.value)


def test_bad_forecast_options(macro_growth: pd.DataFrame) -> None:
    res = SVAR(macro_growth, lags=1).fit()
    with pytest.raises(DataError, match="exog_future given, but the model has no exog"):
        res.forecast(2, exog_future=np.zeros((2, 1)))
    for steps in (0, -1, 1.5, True):
        with pytest.raises(ArgumentError, match="steps must be a positive int"):
            res.forecast(steps)  # type: ignore[arg-type]
    for level in (0.0, 1.0, 1.5):
        with pytest.raises(ArgumentError, match="level must be between 0 and 1"):
            res.forecast(2, level=level)

"""Point forecasts and Gaussian forecast intervals of a VAR(X).

The ``h``-step forecast is the recursion
:math:`\\hat y_{T+h} = \\hat\\Gamma' D_{T+h} + \\sum_j \\hat A_j \\hat y_{T+h-j}` with
:math:`\\hat y_s = y_s` for :math:`s \\le T` (Lütkepohl 2005, sec. 2.2.2, eq. 2.2.4),
where :math:`D_{T+h}` continues the trend terms (``t = T + h``, the data's first
row counting as 1) and holds the user's future exogenous values (ch. 10).
Intervals are :math:`\\hat y_{k,T+h} \\pm z_{(1+\\text{level})/2}\\, \\sigma_k(h)` with the
forecast MSE :math:`\\Sigma_y(h) = \\sum_{i=0}^{h-1} \\Phi_i \\Sigma_u \\Phi_i'`
(eq. 2.2.11 and sec. 2.2.3): the estimated coefficients are treated as known, so
parameter uncertainty (sec. 3.5.1, the :math:`\\Omega(h)/T` term) is left out. This
is what statsmodels' ``VARResults.forecast_interval`` and R's ``vars::predict`` report,
and it is the interval these forecasts are tested against.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from causalmacro.errors import ArgumentError
from causalmacro.svar.dynamics import ma_coefficients
from causalmacro.svar.exog import validate_exog_future
from causalmacro.svar.reduced_form import ReducedForm

__all__ = ["FORECAST_METHOD", "forecast_index", "forecast_mse", "var_forecast"]

FORECAST_METHOD = "normal interval from the forecast MSE, parameter uncertainty ignored (Lutkepohl 2005, eq. 2.2.11)"


def forecast_index(index: pd.Index, steps: int) -> pd.Index:
    """The ``steps`` periods after the last label of ``index``.

    Parameters
    ----------
    index : pandas.Index
        The data's index.
    steps : int

    Returns
    -------
    pandas.Index
        A ``PeriodIndex`` or ``DatetimeIndex`` continued by its frequency (given or
        inferred); integers continued by the step of a ``RangeIndex`` (1 for other
        integer indexes); otherwise positions ``T, ..., T + steps - 1`` counted from 0
        at the first row of the data.
    """
    name = index.name
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + 1, periods=steps, freq=index.freq, name=name)
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq
        if freq is None and len(index) >= 3:
            try:  # freq="infer" gives an offset; pd.infer_freq's string return is deprecated in pandas 3
                freq = pd.DatetimeIndex(index, freq="infer").freq
            except ValueError:
                freq = None
        if freq is not None:
            return pd.date_range(index[-1], periods=steps + 1, freq=freq, name=name)[1:]
    if pd.api.types.is_integer_dtype(index) and len(index):
        step = index.step if isinstance(index, pd.RangeIndex) else 1
        last = int(index[-1])
        return pd.RangeIndex(last + step, last + step * (steps + 1), step, name=name)
    return pd.RangeIndex(len(index), len(index) + steps, name=name)


def forecast_mse(coefs: np.ndarray, sigma_u: np.ndarray, steps: int) -> np.ndarray:
    """Forecast MSE matrices :math:`\\Sigma_y(h) = \\sum_{i<h} \\Phi_i \\Sigma_u \\Phi_i'`, ``h = 1..steps``.

    Parameters
    ----------
    coefs : ndarray, shape (p, K, K)
    sigma_u : ndarray, shape (K, K)
    steps : int

    Returns
    -------
    ndarray, shape (steps, K, K)
    """
    phi = ma_coefficients(coefs, steps - 1)
    return np.cumsum(phi @ sigma_u @ np.swapaxes(phi, -1, -2), axis=0)


def var_forecast(
    rf: ReducedForm, steps: int, *, level: float = 0.9, exog_future: Any = None
) -> pd.DataFrame:
    """Point forecasts and intervals from the end of the sample.

    Parameters
    ----------
    rf : ReducedForm
    steps : int
        Periods ahead, at least 1.
    level : float
        Coverage of the intervals, between 0 and 1.
    exog_future : pandas.DataFrame or array_like, optional
        Exogenous values for the ``steps`` forecast periods; required exactly when
        the model has exogenous regressors (see :func:`validate_exog_future`).

    Returns
    -------
    pandas.DataFrame
        Index: the forecast periods (:func:`forecast_index`). Columns: a
        ``MultiIndex`` ``(variable, bound)`` with ``bound`` in ``"point"``,
        ``"lower"``, ``"upper"``, so ``fc["x"]`` is one variable's forecast and
        ``fc.xs("point", axis=1, level="bound")`` the point forecasts.
        ``attrs`` record ``level``, ``method``, ``steps`` and ``exog``.
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ArgumentError(f"steps must be a positive int, got {steps!r}")
    if not 0 < level < 1:
        raise ArgumentError(f"level must be between 0 and 1, got {level}")
    steps = int(steps)
    index = forecast_index(rf.index, steps)
    det = rf.deterministic
    x_future = validate_exog_future(exog_future, det.exog_names, steps, index)
    p, k = rf.lags, len(rf.names)
    coefs = np.asarray(rf.coefs)
    mean = det.future(steps, x_future if det.k_exog else None) @ np.asarray(rf.params[: det.k])
    path = np.concatenate([np.asarray(rf.data[-p:]), np.zeros((steps, k))])
    for h in range(steps):
        acc = mean[h].copy()
        for j in range(p):
            acc += coefs[j] @ path[p + h - 1 - j]
        path[p + h] = acc
    point = path[p:]
    sd = np.sqrt(np.diagonal(forecast_mse(coefs, np.asarray(rf.sigma_u), steps), axis1=1, axis2=2))
    q = float(norm.ppf(0.5 + level / 2))
    bounds = np.stack([point, point - q * sd, point + q * sd], axis=-1)  # (steps, K, bound)
    columns = pd.MultiIndex.from_product([list(rf.names), ["point", "lower", "upper"]], names=["variable", "bound"])
    out = pd.DataFrame(bounds.reshape(steps, 3 * k), index=index, columns=columns)
    out.attrs = {"level": level, "method": FORECAST_METHOD, "steps": steps, "exog": list(det.exog_names)}
    return out

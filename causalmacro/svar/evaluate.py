"""Pseudo-out-of-sample forecast evaluation with recursive (expanding) windows.

At each forecast origin :math:`t \\ge` ``start`` every model is fitted on the data
up to and including :math:`t` (nothing later), forecasts :math:`h = 1..H` periods
ahead, and is scored against the realised values :math:`y_{t+h}` where they exist:
the root mean squared error and the Gaussian log predictive score
:math:`\\log \\phi((y_{t+h} - \\hat y_{t+h|t}) / \\hat\\sigma_{t+h|t}) - \\log \\hat\\sigma_{t+h|t}`
(higher is better), by model, variable and horizon (Clark & McCracken 2013, sec. 2;
Gneiting & Raftery 2007 for the log score). Lag orders chosen by a criterion are
chosen again in each window.

A model is a *forecaster*: a callable ``(window, steps) -> Predictive`` that fits
on ``window`` (a DataFrame) and returns predictive means and standard deviations
``(steps, K)``. :func:`var_forecaster` (the OLS VAR, Gaussian with the forecast MSE
of Lütkepohl 2005, eq. 2.2.11), :func:`random_walk` and :func:`ar1` are provided; any
other model (a Bayesian VAR's posterior predictive) plugs in the same way, e.g. by
:meth:`Predictive.from_paths` on simulated paths.

References
----------
Clark, T. E. & McCracken, M. W. (2013). Advances in forecast evaluation. *Handbook
of Economic Forecasting* 2B, 1107-1201.
Gneiting, T. & Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and
estimation. *JASA* 102(477), 359-378.
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from causalmacro.errors import ArgumentError, DataError
from causalmacro.spec.defaults import VAR as _VAR

__all__ = [
    "Forecaster",
    "Predictive",
    "ar1",
    "default_models",
    "forecast_errors",
    "forecast_evaluation",
    "random_walk",
    "var_forecaster",
]


@dataclass(frozen=True)
class Predictive:
    """Gaussian predictive distribution of ``steps`` periods: means and standard deviations, ``(steps, K)``."""

    mean: np.ndarray
    sd: np.ndarray

    @classmethod
    def from_paths(cls, paths: np.ndarray) -> Predictive:
        """Mean and standard deviation of simulated paths ``(draws, steps, K)``."""
        return cls(paths.mean(axis=0), paths.std(axis=0, ddof=1))


Forecaster = Callable[[pd.DataFrame, int], Predictive]
"""Fits on a window (rows up to the origin) and forecasts ``steps`` periods."""


def var_forecaster(lags: int | str = _VAR.lags, *, max_lags: int | None = _VAR.max_lags,
                   trend: str = _VAR.trend) -> Forecaster:
    """The OLS VAR: point forecast and the Gaussian forecast-MSE interval, refitted on each window.

    ``lags`` given as a criterion (``"aic"``) is selected again on each window.
    """
    from causalmacro.svar.model import SVAR

    def forecast(window: pd.DataFrame, steps: int) -> Predictive:
        res = SVAR(window, lags=lags, max_lags=max_lags, trend=trend).fit()  # type: ignore[arg-type]
        fc = res.forecast(steps, level=0.5)
        point = fc.xs("point", axis=1, level="bound")[list(window.columns)].to_numpy()
        upper = fc.xs("upper", axis=1, level="bound")[list(window.columns)].to_numpy()
        return Predictive(point, (upper - point) / norm.ppf(0.75))

    return forecast


def random_walk() -> Forecaster:
    """No change: :math:`\\hat y_{t+h} = y_t`, :math:`\\sigma_h = \\sqrt h\\, s`, ``s`` the sd (ddof 1) of the window's changes."""

    def forecast(window: pd.DataFrame, steps: int) -> Predictive:
        y = window.to_numpy(dtype=float)
        s = np.diff(y, axis=0).std(axis=0, ddof=1)
        h = np.arange(1, steps + 1)[:, None]
        return Predictive(np.repeat(y[-1:], steps, axis=0), np.sqrt(h) * s)

    return forecast


def ar1() -> Forecaster:
    """A per-variable AR(1) with a constant by OLS; Gaussian with :math:`\\sigma_h^2 = s^2 \\sum_{i<h} \\phi^{2i}`.

    ``s^2`` is the residual variance with ``T - 2`` degrees of freedom.
    """

    def forecast(window: pd.DataFrame, steps: int) -> Predictive:
        y = window.to_numpy(dtype=float)
        mean, sd = np.empty((steps, y.shape[1])), np.empty((steps, y.shape[1]))
        for k in range(y.shape[1]):
            x = np.column_stack([np.ones(len(y) - 1), y[:-1, k]])
            (c, phi), *_ = np.linalg.lstsq(x, y[1:, k], rcond=None)
            e = y[1:, k] - x @ np.array([c, phi])
            s2 = e @ e / (len(e) - 2)
            last = y[-1, k]
            for h in range(steps):
                last = c + phi * last
                mean[h, k] = last
            sd[:, k] = np.sqrt(s2 * np.cumsum(phi ** (2 * np.arange(steps))))
        return Predictive(mean, sd)

    return forecast


def default_models(lags: int | str = _VAR.lags, max_lags: int | None = _VAR.max_lags) -> dict[str, Forecaster]:
    """The OLS VAR against the random walk and the per-variable AR(1)."""
    return {"var": var_forecaster(lags, max_lags=max_lags), "random_walk": random_walk(), "ar1": ar1()}


def _origins(index: pd.Index, start: object, end: object | None) -> np.ndarray:
    try:
        first = int(index.searchsorted(start))  # type: ignore[arg-type]
        stop = len(index) - 1 if end is None else min(len(index) - 1, int(index.searchsorted(end, side="right")))  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise ArgumentError(f"start {start!r} or end {end!r} cannot be compared with the data's index "
                            f"({type(index).__name__})") from err
    if first >= stop:
        raise ArgumentError(f"start {start!r} leaves no origin with a later observation (data end {index[-1]})")
    return np.arange(first, stop)


def forecast_errors(
    data: pd.DataFrame, models: Mapping[str, Forecaster] | None = None, *, start: object, end: object | None = None,
    horizons: int = 12,
) -> pd.DataFrame:
    """Every forecast of every model at every origin, with the realised value.

    Parameters
    ----------
    data : pandas.DataFrame
        The variables (columns) in time order, no missing values.
    models : mapping of name to Forecaster, optional
        Default :func:`default_models`.
    start : index label
        The first forecast origin: the first window ends at the first row at or after it.
    end : index label, optional
        The last forecast origin (default: the second-to-last row).
    horizons : int
        Forecasts ``h = 1..horizons``.

    Returns
    -------
    pandas.DataFrame
        One row per model, origin, horizon and variable with a realised value:
        ``model, origin, horizon, variable, forecast, sd, actual, error, log_score``.
    """
    if isinstance(horizons, bool) or not isinstance(horizons, int | np.integer) or horizons < 1:
        raise ArgumentError(f"horizons must be a positive int, got {horizons!r}")
    if data.isna().to_numpy().any():
        bad = [str(c) for c in data.columns if data[c].isna().any()]
        raise DataError(f"forecast evaluation needs complete data; missing values in {', '.join(bad)}")
    models = default_models() if models is None else models
    values = data.to_numpy(dtype=float)
    names = [str(c) for c in data.columns]
    rows: list[dict[str, object]] = []
    for i in _origins(data.index, start, end):
        window = data.iloc[: i + 1]
        steps = min(int(horizons), len(data) - 1 - i)
        actual = values[i + 1: i + 1 + steps]
        for model, forecaster in models.items():
            pred = forecaster(window, steps)
            mean, sd = np.asarray(pred.mean)[:steps], np.asarray(pred.sd)[:steps]
            score = norm.logpdf(actual, loc=mean, scale=sd)
            for h in range(steps):
                for k, name in enumerate(names):
                    rows.append({"model": model, "origin": data.index[i], "horizon": h + 1, "variable": name,
                                 "forecast": mean[h, k], "sd": sd[h, k], "actual": actual[h, k],
                                 "error": actual[h, k] - mean[h, k], "log_score": score[h, k]})
    return pd.DataFrame(rows)


def forecast_evaluation(
    data: pd.DataFrame, models: Mapping[str, Forecaster] | None = None, *, start: object, end: object | None = None,
    horizons: int = 12,
) -> pd.DataFrame:
    """RMSE and mean Gaussian log predictive score by model, variable and horizon (recursive windows).

    Parameters are those of :func:`forecast_errors`.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per ``model, variable, horizon``: ``rmse``, ``log_score``
        (mean over origins; higher is better) and ``n`` (forecasts scored; fewer
        at long horizons, whose realised values run out).
    """
    errors = forecast_errors(data, models, start=start, end=end, horizons=horizons)
    grouped = errors.groupby(["model", "variable", "horizon"], sort=False)
    out = grouped.agg(rmse=("error", lambda e: float(np.sqrt(np.mean(np.square(e))))),
                      log_score=("log_score", "mean"), n=("error", "size")).reset_index()
    out.attrs = {"start": str(start), "end": str(end), "horizons": int(horizons), "windows": "recursive (expanding)",
                 "score": "Gaussian log predictive density"}
    return out

"""Density forecasts of a VAR(X) by the bootstrap, with parameter uncertainty.

Each bootstrap replication (:func:`~causalmacro.svar.bootstrap.run_bootstrap`)
carries re-estimated coefficients; from the observed last ``p`` rows every
replication simulates one future path with its own coefficients and future
errors resampled from the OLS residuals (rescaled by their degrees of freedom
and centred): moving blocks of consecutive residual vectors for ``"block"``,
single vectors for ``"residual"``. The quantiles of the simulated paths at each
period are the predictive distribution: the forecast-error variance of the
future errors (Lütkepohl 2005, eq. 2.2.11) plus the estimation uncertainty the
Gaussian interval of :mod:`causalmacro.svar.forecast` leaves out (sec. 3.5.1),
without assuming normal errors. This is the bootstrap predictive density of
Thombs & Schucany (1990) and Pascual, Romo & Ruiz (2004): the replications'
coefficients, the original sample's last observations and residuals.

The wild bootstrap keeps each residual at its date, so it has no future errors
to draw; it is refused.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
Thombs, L. A. & Schucany, W. R. (1990). Bootstrap prediction intervals for
autoregression. *JASA* 85(410), 486-492.
Pascual, L., Romo, J. & Ruiz, E. (2004). Bootstrap predictive inference for ARIMA
processes. *Journal of Time Series Analysis* 25(4), 449-465.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from causalmacro.errors import ArgumentError, DataError
from causalmacro.labelled import DENSITY_DIMS, check_level, fan_quantiles
from causalmacro.svar.bootstrap import BootstrapDraws, block_length_rule, block_shocks, dof_scale
from causalmacro.svar.exog import validate_exog_future
from causalmacro.svar.forecast import forecast_index, var_forecast
from causalmacro.svar.reduced_form import ReducedForm

__all__ = ["DENSITY_DIMS", "density_forecast", "fan_quantiles", "future_errors", "paths_density", "simulate_paths"]

def future_errors(
    rf: ReducedForm, reps: int, steps: int, method: str, rng: np.random.Generator, block_length: int | None = None,
) -> np.ndarray:
    """Future errors ``(reps, steps, K)`` resampled from the rescaled OLS residuals.

    ``"block"``: moving blocks of ``block_length`` consecutive residual vectors
    (default :func:`~causalmacro.svar.bootstrap.block_length_rule`), centred by
    position in the block as in the bootstrap; ``"residual"``: i.i.d. draws of
    the centred residual vectors. ``"wild"`` raises :class:`ArgumentError`.
    """
    if method not in ("block", "residual"):
        raise ArgumentError(
            f"density forecasts need method 'block' or 'residual', got {method!r} "
            "(the wild bootstrap keeps each residual at its date and has no future errors to draw)"
        )
    resid = np.asarray(rf.resid) * dof_scale(rf.nobs, rf.nobs - rf.df_resid)
    nobs = resid.shape[0]
    if method == "residual":
        centred = resid - resid.mean(axis=0)
        return centred[rng.integers(0, nobs, size=(reps, steps))]
    length = block_length or block_length_rule(nobs)
    chunks, have = [], 0
    while have < steps:  # each chunk is a full block-bootstrap series of T errors
        chunks.append(block_shocks(resid, reps, length, rng))
        have += nobs
    return np.concatenate(chunks, axis=1)[:, :steps]


def simulate_paths(
    init: np.ndarray, det_mean: np.ndarray, coefs: np.ndarray, errors: np.ndarray
) -> np.ndarray:
    """Future paths, one per replication, each with its own coefficients.

    Parameters
    ----------
    init : ndarray, shape (p, K)
        The last ``p`` observations, shared by all paths.
    det_mean : ndarray, shape (R, steps, K)
        Deterministic part of each replication at each future period.
    coefs : ndarray, shape (R, p, K, K)
    errors : ndarray, shape (R, steps, K)

    Returns
    -------
    ndarray, shape (R, steps, K)
    """
    reps, steps, k = errors.shape
    p = init.shape[0]
    y = np.empty((reps, p + steps, k))
    y[:, :p] = init
    for h in range(steps):
        acc = det_mean[:, h] + errors[:, h]
        for j in range(p):
            acc = acc + np.einsum("rik,rk->ri", coefs[:, j], y[:, p + h - 1 - j])
        y[:, p + h] = acc
    return y[:, p:]


def density_forecast(
    rf: ReducedForm,
    draws: BootstrapDraws,
    steps: int,
    *,
    level: float = 0.9,
    rng: np.random.Generator,
    exog_future: Any = None,
) -> xr.DataArray:
    """Predictive quantiles of the ``steps`` periods after the sample.

    Parameters
    ----------
    rf : ReducedForm
        The fitted reduced form (its last ``p`` rows start every path).
    draws : BootstrapDraws
        Replications whose coefficients carry the parameter uncertainty; their
        ``method`` (and block length) also resamples the future errors.
    steps : int
        Periods ahead, at least 1.
    level : float
        Coverage of the outer interval.
    rng : numpy.random.Generator
        Stream of the future errors.
    exog_future : pandas.DataFrame or array_like, optional
        Exogenous values of the forecast periods (required exactly when the model has exogenous regressors).

    Returns
    -------
    xarray.DataArray
        Dims ``("period", "variable", "quantile")``; ``quantile`` holds
        :func:`fan_quantiles` (``level``'s ends, the quartiles, the median). A
        non-dim coordinate ``point`` ``(period, variable)`` holds the point
        forecast of :func:`~causalmacro.svar.forecast.var_forecast`. ``attrs``:
        ``level``, ``method``, ``reps_kept`` and the draws' facts.
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ArgumentError(f"steps must be a positive int, got {steps!r}")
    level = check_level(level)
    steps = int(steps)
    if draws.n_kept < 2:
        raise DataError(f"density forecast: only {draws.n_kept} of {draws.reps} bootstrap replications are usable "
                        f"({draws.n_explosive} explosive, {draws.n_unidentified} unidentified)")
    errors = future_errors(rf, draws.n_kept, steps, draws.method, rng, draws.block_length)
    return paths_density(rf, draws, errors, level=level, exog_future=exog_future,
                         method=f"bootstrap predictive density ({draws.method}), parameter uncertainty included")


def paths_density(rf: ReducedForm, draws: BootstrapDraws, errors: np.ndarray, *, level: float,
                  exog_future: Any = None, method: str) -> xr.DataArray:
    """Quantiles of the paths that ``draws``' parameters and the future ``errors`` ``(n, steps, K)`` simulate.

    The one construction behind :func:`density_forecast` (resampled errors) and the
    Bayesian VAR's posterior predictive (Gaussian errors of each draw's covariance):
    same dims, coordinates and ``attrs`` layout; ``method`` says how the paths were drawn.
    """
    steps = int(errors.shape[1])
    index = forecast_index(rf.index, steps)
    det = rf.deterministic
    x_future = validate_exog_future(exog_future, det.exog_names, steps, index)
    future_det = det.future(steps, x_future if det.k_exog else None)  # (steps, k_det)
    det_mean = np.einsum("hd,rdk->rhk", future_det, np.asarray(draws.params)[:, : det.k])
    paths = simulate_paths(np.asarray(rf.data[-rf.lags:]), det_mean, np.asarray(draws.coefs), errors)
    qs = fan_quantiles(level)
    values = np.moveaxis(np.quantile(paths, qs, axis=0), 0, -1)  # (steps, K, Q)
    point = var_forecast(rf, steps, level=level, exog_future=exog_future).xs("point", axis=1, level="bound")
    names = list(rf.names)
    return xr.DataArray(
        values,
        dims=DENSITY_DIMS,
        coords={
            "period": index.rename("period"),  # a panel index named "date" must not name the dim
            "variable": names,
            "quantile": list(qs),
            "point": (("period", "variable"), point[names].to_numpy()),
        },
        name="forecast_density",
        attrs={**draws.attrs(), "level": level, "steps": steps, "method": method},
    )

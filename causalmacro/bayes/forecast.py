"""Density forecasts of every asset's cumulative return through the asset posterior.

In the asset model (:mod:`causalmacro.bayes.model`), in the data's units,

.. math:: r_{i,t} = a_i + \\sum_k \\sum_{l=0}^{L} \\beta_{i,k,l}\\, s_{k,t-l} + e_{i,t},
   \\qquad e_{i,t} \\sim t_\\nu(0, \\sigma_{e,i}),

where ``a`` and ``beta`` are the posterior's data-unit ``a`` and ``beta``: the model is written
on standardised returns and shocks, ``(r - y_loc) / y_scale`` on ``(s - x_loc) / x_scale``,
and ``a = y_loc + y_scale a_std - sum_{k,l} beta_{k,l} x_loc_k`` absorbs the shocks' means,
so ``a`` is the intercept on the **raw** structural shocks ``s``. Covariates (event dummies)
are zero in the future and drop out.

The forecast of the periods ``T+1..T+H`` after the fit's last date ``T`` draws, for each
posterior draw (chain and draw flattened), one path of the returns:

- the shocks up to ``T`` are the sample's observed structural shocks (the design's last row
  of lagged shocks, unstandardised), shared by every path: a shock at ``T`` still moves the
  return at ``T+1..T+L`` through its lags;
- the future shocks ``s_{T+1..T+H}`` are, by default, the in-sample structural shock
  vectors (the design's dates) resampled i.i.d. as whole rows, which keeps their fat tails
  and their cross-correlation; or, with ``shocks=``, a conditional forecast's or structural
  scenario's shock paths (:meth:`causalmacro.SVARResults.conditional_forecast`'s
  ``shock_draws``, or its mean path), so that the density is the assets' **under the
  scenario**: posterior draw ``j`` takes shock path ``j`` modulo their number, as in
  :mod:`causalmacro.bayes.scenario`;
- a Student-t residual ``sigma_e_i t_nu`` per asset and period, with the same draw's
  ``nu`` and ``sigma_e``.

The cumulative return over ``T+1..T+h`` is the sum of the path's first ``h`` returns. The
quantiles across paths are the posterior predictive density: parameter uncertainty (the
posterior), shock uncertainty and residual noise together. The point forecast is the
posterior predictive mean computed exactly (no simulation noise): each draw's conditional
mean (future shocks at their mean, the in-sample mean ``x_loc`` by default or the scenario's
path, residuals at 0, which needs ``nu > 1``) averaged over the draws.

With regimes the betas and intercepts are those of one regime, assumed to hold over the
whole horizon (no regime switching is forecast). With ``fit_shock_draws`` the past shocks are
those of the point design (the posterior mixes refits on several shock draws).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import ArgumentError
from ..labelled import DENSITY_DIMS, check_level, fan_quantiles
from .scenario import shock_path

if TYPE_CHECKING:
    from .results import AssetResponseResults

__all__ = ["asset_paths", "density_forecast", "past_shocks", "sample_shocks"]


def sample_shocks(results: AssetResponseResults) -> np.ndarray:
    """The raw structural shocks on the fit's dates, ``(n_dates, n_shocks)`` (the lag-0 columns of ``x``)."""
    d = results.design
    lag0 = np.arange(len(d.shocks)) * (d.lags + 1)
    return np.asarray(d.x[:, lag0] * d.x_scale + d.x_loc)


def past_shocks(results: AssetResponseResults) -> np.ndarray:
    """The raw shocks ``s_{T-L+1} .. s_T`` in time order, ``(L, n_shocks)``, from the design's last row."""
    d = results.design
    n_l = d.lags + 1
    last = d.x[-1].reshape(len(d.shocks), n_l) * d.x_scale[:, None] + d.x_loc[:, None]  # [k, j] = s_{k, T-j}
    return np.asarray(last[:, :d.lags][:, ::-1].T)  # j = L-1 .. 0 -> times T-L+1 .. T


def _draws(results: AssetResponseResults, regime: str | None) -> dict[str, np.ndarray]:
    """Posterior draws flattened over (chain, draw): a (n, A), beta (n, A, K, L+1), sigma_e (n, A), nu (n,)."""
    post = results.posterior
    missing = [v for v in ("a", "beta", "sigma_e", "nu") if v not in post]
    if missing:
        raise ArgumentError(f"forecast_density: the posterior has no {missing[0]!r} (a fit of AssetResponseModel "
                            "has a, beta, sigma_e and nu)")
    out = {}
    for name, dims in (("a", ("asset",)), ("beta", ("asset", "shock", "lag")), ("sigma_e", ("asset",)), ("nu", ())):
        v = post[name]
        if regime is not None and "regime" in v.dims:
            v = v.sel(regime=regime, drop=True)
        v = v.transpose("chain", "draw", *dims)
        out[name] = np.asarray(v.values, dtype=float).reshape(-1, *v.shape[2:])
    return out


def asset_paths(
    results: AssetResponseResults,
    future: np.ndarray,
    *,
    regime: str | None = None,
    residuals: np.ndarray | None = None,
) -> np.ndarray:
    """Cumulative returns ``(n_draws, steps, n_assets)`` of each posterior draw given future shocks.

    Parameters
    ----------
    results : AssetResponseResults
    future : ndarray, shape (n_draws, steps, n_shocks)
        Raw structural shocks of ``T+1..T+steps``, one path per posterior draw (flattened).
    regime : str, optional
        The regime whose betas and intercepts hold (required with regimes).
    residuals : ndarray, shape (n_draws, steps, n_assets), optional
        Residuals added to each period's return (None: none, the conditional mean).

    Returns
    -------
    ndarray
        ``out[j, h - 1, i]``: asset ``i``'s return summed over ``T+1..T+h`` in draw ``j``.
    """
    p = _draws(results, regime)
    n, steps, _ = future.shape
    lags = results.design.lags
    past = past_shocks(results)  # (L, K)
    seq = np.concatenate([np.broadcast_to(past, (n, *past.shape)), future], axis=1)  # (n, L + steps, K)
    returns = np.broadcast_to(p["a"][:, None, :], (n, steps, p["a"].shape[1])).copy()
    for t in range(steps):
        for lag in range(lags + 1):  # s_{T+1+t-lag} sits at position L + t - lag of seq
            returns[:, t] += np.einsum("nak,nk->na", p["beta"][..., lag], seq[:, lags + t - lag])
    if residuals is not None:
        returns += residuals
    return np.cumsum(returns, axis=1)


def density_forecast(
    results: AssetResponseResults,
    steps: int,
    *,
    level: float = 0.9,
    regime: str | None = None,
    rng: np.random.Generator | int | None = None,
    shocks: Any = None,
) -> xr.DataArray:
    """Predictive quantiles of every asset's cumulative return over the ``steps`` periods after the fit.

    See the module docstring for the construction; :meth:`AssetResponseResults.forecast_density`
    documents the arguments and the result.
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ArgumentError(f"steps must be a positive int, got {steps!r}")
    steps = int(steps)
    level = check_level(level)
    regime = results._check_regime(regime)
    gen = np.random.default_rng(rng)
    d = results.design
    p = _draws(results, regime)
    n = p["nu"].shape[0]
    if shocks is None:
        pool = sample_shocks(results)
        future = pool[gen.integers(0, len(pool), size=(n, steps))]
        expected = np.broadcast_to(pool.mean(axis=0), future.shape)
        how = "in-sample structural shocks resampled i.i.d."
        n_paths = 0
    else:
        paths, left_out, horizon = shock_path(shocks, d.shocks)
        if steps > horizon:
            raise ArgumentError(f"steps: the scenario's shock paths cover {horizon} periods; steps must be at most "
                                f"{horizon}, got {steps}")
        future = paths[np.arange(n) % paths.shape[0], :steps]
        expected = future
        how = "the scenario's shock paths"
        n_paths = int(paths.shape[0])
    resid = gen.standard_t(p["nu"][:, None, None], size=(n, steps, len(d.assets))) * p["sigma_e"][:, None, :]
    draws = asset_paths(results, future, regime=regime, residuals=resid)
    point = asset_paths(results, np.asarray(expected), regime=regime).mean(axis=0)  # (steps, A)
    qs = fan_quantiles(level)
    values = np.moveaxis(np.quantile(draws, qs, axis=0), 0, -1)  # (steps, A, Q)
    period = _future_index(d.dates, steps)
    assets = list(d.assets)
    attrs: dict[str, Any] = {
        "level": level, "steps": steps, "regime": regime if regime is not None else "",
        "method": f"asset posterior predictive ({how}, Student-t residuals)",
        "future_shocks": "scenario" if shocks is not None else "resampled",
        "shock_paths": n_paths, "draws": n, "cumulative": 1, "model": "asset_response",
        "what": "cumulative return from the period after the fit's last date",
        "units": {a: "cumulative return, the asset's units" for a in assets},
        "last_date": f"{d.dates[-1]:%Y-%m-%d}",
    }
    if shocks is not None:
        attrs["shocks_not_in_model"] = list(left_out)
    return xr.DataArray(
        values,
        dims=DENSITY_DIMS,
        coords={"period": period, "variable": assets, "quantile": list(qs),
                "point": (("period", "variable"), point)},
        name="forecast_density",
        attrs=attrs,
    )


def _future_index(dates: pd.DatetimeIndex, steps: int) -> pd.Index:
    """The ``steps`` dates after the fit's last one at the design's frequency (positions 1..steps without one)."""
    freq = dates.freq
    for tail in (dates, dates[-6:]):  # a gap (a date of unknown regime dropped) hides the frequency of the whole
        if freq is None and len(tail) >= 3:
            freq = pd.infer_freq(tail)
    if freq is None:
        return pd.Index(np.arange(1, steps + 1), name="period")
    return pd.date_range(dates[-1], periods=steps + 1, freq=freq)[1:].rename("period")

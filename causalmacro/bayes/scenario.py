"""Scenarios to every asset: a structural shock path pushed through the asset posterior.

A scenario (a conditional forecast or structural scenario of the VAR,
:meth:`causalmacro.SVARResults.conditional_forecast`) implies a path of structural shocks
:math:`\\varepsilon_{k, T+s}`, ``s = 1..H``, relative to the baseline in which no future
shock occurs. In the asset model

.. math:: r_{i,t} = a_i + \\sum_k \\sum_{l=0}^{L} \\beta_{i,k,l}\\, s_{k,t-l} + e_{i,t},

the asset's return under the scenario minus its return in the baseline is
:math:`\\sum_k \\sum_{l} \\beta_{i,k,l}\\, \\varepsilon_{k,t-l}` with only the future shocks
(``t - l >= T + 1``): the intercept, the residuals and the shocks up to ``T`` (pre-sample
for the scenario) are the same in both and cancel. Summed over ``t = T+1..T+H``, the
cumulative return the shock path causes is

.. math:: \\Delta_i = \\sum_k \\sum_{s=1}^{H} \\varepsilon_{k,T+s}\\, C_{i,k,\\min(L,\\, H-s)},
   \\qquad C_{i,k,h} = \\sum_{l=0}^{h} \\beta_{i,k,l},

(the cumulative responses of :meth:`AssetResponseResults.cumulative`): a shock ``s``
periods into the horizon acts through its lags up to the horizon's end only.

Units: the asset model is fitted on the SVAR's structural shocks
(:meth:`~causalmacro.SVARResults.structural_shocks`, :math:`\\varepsilon_t = B_0 u_t`, unit
variance), and the scenario's ``shocks`` are the same structural shocks of the same impact
matrix, so one unit of either is one standard deviation of the shock.

Each posterior draw gives one :math:`\\Delta_i`; with the scenario's ``shock_draws``
(the VAR's uncertainty about the path) posterior draw ``j`` (chain and draw flattened) takes
shock draw ``j`` modulo their number, so the result carries both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import ArgumentError

__all__ = ["scenario_effect", "shock_path"]


def shock_path(shocks: Any, model_shocks: Sequence[str]) -> tuple[np.ndarray, list[str], int]:
    """The scenario's shocks as ``(n_paths, H, n_model_shocks)``, the scenario shocks left out, and H.

    Parameters
    ----------
    shocks : xarray.DataArray or pandas.DataFrame
        A conditional forecast's ``shocks`` (dims ``horizon, shock[, bound]``: the
        ``"point"`` bound is taken), its ``shock_draws`` (dims ``draw, horizon, shock``),
        or a frame of horizons 1..H by shocks.
    model_shocks : sequence of str
        The asset model's shocks, every one of which the scenario must carry.

    Returns
    -------
    paths : ndarray, shape (n_paths, H, n_model_shocks)
    left_out : list of str
        Scenario shocks that move but are not in the asset model (they move no asset here).
    horizon : int
    """
    if isinstance(shocks, xr.Dataset):
        raise ArgumentError("shocks: pass the scenario's 'shocks' (the mean path) or 'shock_draws' DataArray, "
                            "not the whole Dataset")
    if isinstance(shocks, pd.DataFrame):
        shocks = xr.DataArray(shocks.to_numpy(dtype=float), dims=("horizon", "shock"),
                              coords={"horizon": np.arange(1, len(shocks) + 1), "shock": list(shocks.columns)})
    if not isinstance(shocks, xr.DataArray):
        raise ArgumentError(f"shocks: expected a DataArray or DataFrame of structural shocks, got "
                            f"{type(shocks).__name__}")
    if "bound" in shocks.dims:
        shocks = shocks.sel(bound="point", drop=True)
    if "draw" not in shocks.dims:
        shocks = shocks.expand_dims(draw=[0])
    if set(shocks.dims) != {"draw", "horizon", "shock"}:
        raise ArgumentError(f"shocks: expected dims horizon and shock (and draw or bound), got {list(shocks.dims)}")
    names = [str(s) for s in shocks["shock"].values]
    missing = [s for s in model_shocks if s not in names]
    if missing:
        raise ArgumentError(f"shocks: the scenario has no path for the asset model's shock {missing[0]!r}; "
                            f"the scenario's shocks are {names}")
    values = shocks.transpose("draw", "horizon", "shock")
    moving = np.abs(values.to_numpy()).max(axis=(0, 1)) > 0
    left_out = [n for n, m in zip(names, moving, strict=True) if m and n not in model_shocks]
    paths = values.sel(shock=list(model_shocks)).to_numpy().astype(float)
    if not np.isfinite(paths).all():
        raise ArgumentError("shocks: the scenario's shock path has missing values")
    return paths, left_out, paths.shape[1]


def scenario_effect(cumulative: xr.DataArray, paths: np.ndarray) -> xr.DataArray:
    """Posterior draws of each asset's cumulative return caused by the shock paths.

    Parameters
    ----------
    cumulative : xarray.DataArray
        Cumulative responses, dims ``(chain, draw, asset, shock, horizon[, regime])``,
        horizon ``h`` summing lags ``0..h`` (``h = 0..L``).
    paths : ndarray, shape (n_paths, H, n_shocks)
        Shock paths in the order of ``cumulative``'s ``shock``; posterior draw ``j``
        (flattened) takes path ``j`` modulo ``n_paths``.

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, asset[, regime])``.
    """
    lags = cumulative.sizes["horizon"] - 1
    steps = paths.shape[1]
    reach = np.minimum(lags, steps - np.arange(1, steps + 1))  # lag reach of the shock at T + s
    dims = ["chain", "draw", "asset", "shock", "horizon"] + (["regime"] if "regime" in cumulative.dims else [])
    c = cumulative.transpose(*dims).to_numpy()  # (C, D, A, K, L+1[, R])
    n_chain, n_draw = c.shape[:2]
    c_s = c[:, :, :, :, reach]  # (C, D, A, K, H[, R])
    pick = np.arange(n_chain * n_draw) % paths.shape[0]
    eps = paths[pick].reshape(n_chain, n_draw, steps, -1)  # (C, D, H, K)
    if "regime" in cumulative.dims:
        out = np.einsum("cdaksr,cdsk->cdar", c_s, eps)
    else:
        out = np.einsum("cdaks,cdsk->cda", c_s, eps)
    keep = [d for d in dims if d not in ("shock", "horizon")]
    coords = {d: cumulative[d].values for d in keep}
    return xr.DataArray(out, dims=keep, coords=coords, name="scenario_effect")

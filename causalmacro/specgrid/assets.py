"""The asset model per window of a grid: where crypto sits on the spectrum across samples.

For each window of the grid, the spec's own SVAR (its ordering and lag rule) is
fitted on the window, and the Bayesian asset-response model on its structural
shocks (blocked Gibbs sampler, the spec's ``[assets]`` settings). Each window is
one task with its own shard, like the VAR blocks.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.spec import ModelSpec

__all__ = ["fit_window_assets"]


def fit_window_assets(data: pd.DataFrame, spec: ModelSpec, start: pd.Timestamp, end: pd.Timestamp, seed: int,
                      sampler: dict[str, Any]) -> xr.Dataset:
    """The spectrum (standardised cumulative responses and posterior mean ranks) of one window.

    Parameters
    ----------
    data : DataFrame
        The panel's columns (chain and assets).
    spec : ModelSpec
        Needs ``[var]`` and ``[assets]``.
    start, end : Timestamp
        The window.
    seed : int
        The window's seed (from the grid's seed and the window's dates).
    sampler : dict
        ``draws``, ``tune``, ``chains`` of the Gibbs sampler (None: its defaults).

    Returns
    -------
    xarray.Dataset
        ``spectrum`` and ``rank`` with dims ``(shock, asset)`` (rank 1 = the
        highest response), and ``gate_passed``.
    """
    from threadpoolctl import threadpool_limits

    from causalmacro.bayes import AssetResponseModel
    from causalmacro.bayes.results import FitFailedWarning
    from causalmacro.svar import SVAR

    assert spec.var is not None and spec.assets is not None
    v, a = spec.var, spec.assets
    window = data.loc[start:end]
    order = list(v.order)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", FitFailedWarning)  # recorded as gate_passed
        res = SVAR(window[order], order=order, lags=v.lags, maxlags=v.max_lags, trend=v.trend).fit(rng=seed)
        returns = window[list(a.groups)].copy()
        returns[a.flip] = -returns[a.flip]
        shocks = res.structural_shocks()[spec.asset_shocks]
        post = AssetResponseModel(returns, shocks, groups=dict(a.groups), lags=a.lags).fit(
            rng=seed, cores=1, **sampler)
    assets = list(a.groups)
    spectrum = np.full((len(spec.asset_shocks), len(assets)), np.nan)
    rank = np.full_like(spectrum, np.nan)
    for i, shock in enumerate(spec.asset_shocks):
        table = post.spectrum(shock, scale="standardized").reindex(assets)
        spectrum[i], rank[i] = table["mean"].to_numpy(), table["rank_mean"].to_numpy()
    coords = {"shock": list(spec.asset_shocks), "asset": assets}
    return xr.Dataset({"spectrum": (("shock", "asset"), spectrum), "rank": (("shock", "asset"), rank),
                       "gate_passed": ((), bool(post.diagnostics.passed))}, coords=coords)

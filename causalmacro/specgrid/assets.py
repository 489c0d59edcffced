"""The asset model per window of a grid: where crypto sits on the spectrum across samples.

For each window of the grid, the spec's own SVAR and asset-response model are
built as the main job builds them (:mod:`causalmacro.build`: the identification,
the events as exogenous dummies and covariates, the regimes, the flips and the
sampler), fitted on the window. Each window is one task with its own shard,
like the VAR blocks.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.build import asset_fit_options, build_asset_model, build_svar, regime_now
from causalmacro.spec import ModelSpec

__all__ = ["fit_window_assets"]


def fit_window_assets(data: pd.DataFrame, spec: ModelSpec, start: pd.Timestamp, end: pd.Timestamp, seed: int,
                      regimes: pd.DataFrame, draws: int | None = None) -> xr.Dataset:
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
        The window's seed (from the grid's seed and the window's dates): the
        SVAR's and the sampler's.
    regimes : DataFrame
        The spec's regimes on the whole panel.
    draws : int, optional
        Draws per chain (default ``[assets].draws``).

    Returns
    -------
    xarray.Dataset
        ``spectrum`` and ``rank`` with dims ``(shock, asset)`` (rank 1 = the
        highest response; with ``[assets].regime``, in the regime of the
        window's last labelled period, ``regime_now``), and ``gate_passed``.
    """
    from threadpoolctl import threadpool_limits

    from causalmacro.bayes.results import FitFailedWarning

    assert spec.var is not None and spec.assets is not None
    window = data.loc[start:end]
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", FitFailedWarning)  # recorded as gate_passed
        res = build_svar(spec, window, strict_events=False).fit(rng=seed)
        model = build_asset_model(spec, window, res.structural_shocks(), regimes, strict_events=False)
        post = model.fit(**asset_fit_options(spec, draws=draws), rng=seed, cores=1)
    now = regime_now(spec, regimes, until=end)
    assets = list(spec.assets.groups)
    spectrum = np.full((len(spec.asset_shocks), len(assets)), np.nan)
    rank = np.full_like(spectrum, np.nan)
    for i, shock in enumerate(spec.asset_shocks):
        table = post.spectrum(shock, regime=now, scale="standardized").reindex(assets)
        spectrum[i], rank[i] = table["mean"].to_numpy(), table["rank_mean"].to_numpy()
    coords = {"shock": list(spec.asset_shocks), "asset": assets}
    return xr.Dataset({"spectrum": (("shock", "asset"), spectrum), "rank": (("shock", "asset"), rank),
                       "gate_passed": ((), bool(post.diagnostics.passed)), "regime_now": ((), now or "")},
                      coords=coords)

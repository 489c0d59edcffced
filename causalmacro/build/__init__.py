"""The build layer: the one place where a spec (a panel, a window) becomes models, unfitted.

:func:`causalmacro.fit_spec`, the specification grid and the docs build the
structural VAR, the local projections and the asset-response model through
these functions, so the same spec gives the same models by every door: the
identification, the events (exogenous dummies of the VAR, covariates of the
asset model), the regimes, the trend, the lag rule, the sign flips and the
sampler settings are read here and nowhere else.
"""

from causalmacro.build.assets import asset_fit_options, asset_returns, build_asset_model, regime_now
from causalmacro.build.bvar import (
    auto_b,
    build_bvar,
    bvar_b,
    bvar_identification,
    bvar_lags,
    bvar_prior,
)
from causalmacro.build.lp import build_local_projections, lp_lags
from causalmacro.build.seeds import split_seed
from causalmacro.build.svar import build_svar, var_events

__all__ = [
    "asset_fit_options",
    "asset_returns",
    "auto_b",
    "build_asset_model",
    "build_bvar",
    "build_local_projections",
    "build_svar",
    "bvar_b",
    "bvar_identification",
    "bvar_lags",
    "bvar_prior",
    "lp_lags",
    "regime_now",
    "split_seed",
    "var_events",
]

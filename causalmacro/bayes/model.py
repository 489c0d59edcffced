"""PyMC graph of the hierarchical asset-response model.

For asset ``i`` in class ``g(i)``, with structural shocks ``s[k, t]``::

    r[i, t] = a[i] + sum_k sum_l beta[i, k, l] * s[k, t - l] + e[i, t],   l = 0..L
    e[i, t] ~ StudentT(nu, 0, sigma_e[i])
    beta[i, k, l]     ~ Normal(mu_group[g(i), k, l], tau[g(i), k])
    mu_group[g, k, l] ~ Normal(mu[k, l], sigma[k])

The hierarchy is written on the standardised scale (returns and shocks divided
by their standard deviations, see :mod:`causalmacro.bayes.design`), where
assets quoted in different units are exchangeable. By default it is
non-centred (Papaspiliopoulos, Roberts & Sköld, 2007; Betancourt & Girolami,
2015), which removes the funnel between ``tau`` and the betas of small classes
(2-3 assets) that makes the centred form diverge.

Priors (standardised scale; weakly informative in the sense of Gelman et al.,
2013, sec. 2.9, and Gelman, 2006, for the scale parameters):

=================  =====================  ===============================================
parameter          prior                  reading
=================  =====================  ===============================================
``mu[k, l]``       Normal(0, 0.5)         a one-sd shock moves returns by < 1 sd (95%)
``sigma[k]``       HalfNormal(0.3)        spread of class means around the overall mean
``tau[g, k]``      HalfNormal(0.3)        spread of assets around their class mean
``a_std[i]``       Normal(0, 0.5)         intercept of standardised returns
``sigma_e_std[i]`` HalfNormal(1)          residual scale (standardised returns have sd 1)
``nu``             Gamma(2, 0.1)          Student-t degrees of freedom (Juárez & Steel, 2010)
``a_shift_std``    Normal(0, 0.5)         regime shift of the intercept: with two regimes
                                          their mean returns differ by < 1 sd (95%)
``gamma_std``      Normal(0, 2)           covariate effect: an event moves an asset's
                                          return by < ~4 of its sds (95%)
=================  =====================  ===============================================

The priors are centred on zero and exchangeable across classes, so the sign and
rank of every class (crypto at the high-beta end or not) come from the data.
With ``pooling="none"`` each standardised beta gets an independent
Normal(0, 0.5) prior (no borrowing of strength), the reference for shrinkage.

Deterministics report the betas (``beta``), intercepts (``a``) and residual
scales (``sigma_e``) in the data's units; ``beta_std`` and ``mu_group`` are on
the standardised scale (response in standard deviations of the asset's returns
per standard deviation of the shock).

Regimes
-------
With regimes (:mod:`causalmacro.bayes.regimes`) the hierarchy above is written
for every *effect* ``e`` of the regime coding ``M``: the common response
(``e = 0``, the average over regimes) and the contrasts between regimes, each
with its own class and overall means and scales (``mu[k, e, l]``,
``sigma[k, e]``, ``tau[g, k, e]``), so regime responses are pooled across
classes and their differences shrink toward zero (the Normal(0, 0.5) prior of
``mu`` is centred on no difference) unless the data say otherwise. The free
parameters gain an ``effect`` dim (``beta_std_effect``, ``mu_group_effect``);
``beta_std``, ``mu_group`` and ``beta`` are deterministics with a trailing
``regime`` dim, ``beta[..., r] = sum_e M[r, e] coef[..., e]``. The intercept
shifts by regime (``a_shift_std``, dims ``asset, contrast``) in effects coding,
so that a regime's different mean return is not loaded on the betas; ``a`` has
dims ``asset, regime``.

Covariates
----------
Exogenous covariates enter raw with coefficients ``gamma_std[asset, covariate]``
on the standardised-return scale (no pooling); ``gamma = gamma_std * y_scale`` is
the effect of a unit of the covariate in the asset's return units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import ArgumentError
from .design import StackedData

if TYPE_CHECKING:
    import pymc as pm

__all__ = [
    "PRIOR_A_SD",
    "PRIOR_COVARIATE_SD",
    "PRIOR_MU_SD",
    "PRIOR_NU",
    "PRIOR_REGIME_SHIFT_SD",
    "PRIOR_SIGMA_E",
    "PRIOR_SIGMA_SD",
    "PRIOR_TAU_SD",
    "Parameterization",
    "Pooling",
    "build_model",
    "data_values",
]

Pooling = Literal["partial", "none"]
Parameterization = Literal["noncentered", "centered"]

PRIOR_MU_SD = 0.5
PRIOR_SIGMA_SD = 0.3
PRIOR_TAU_SD = 0.3
PRIOR_A_SD = 0.5
PRIOR_SIGMA_E = 1.0
PRIOR_NU = (2.0, 0.1)  # Gamma(alpha, beta)
PRIOR_REGIME_SHIFT_SD = 0.5
PRIOR_COVARIATE_SD = 2.0


def data_values(data: StackedData) -> dict[str, np.ndarray]:
    """Values of the model's ``pm.Data`` containers for a design.

    Passing these to :func:`pymc.set_data` (or nutpie's ``with_data``) refits a
    built model on a design of the same shape without rebuilding it.
    """
    out = {
        "x": data.x,
        "time_idx": data.time_idx,
        "y_obs": data.y,
        "asset_idx": data.asset_idx,
        "asset_group": data.asset_group,
        "y_scale": data.y_scale,
        "y_loc": data.y_loc,
        "x_scale": data.x_scale,
        "x_loc": data.x_loc,
    }
    if data.regimes:
        out["regime_idx"] = data.regime_idx
    if data.covariates:
        out["z"] = data.z
    return out


def build_model(
    data: StackedData,
    *,
    pooling: Pooling = "partial",
    parameterization: Parameterization = "noncentered",
) -> pm.Model:
    """Build the PyMC model of a stacked design.

    Parameters
    ----------
    data : StackedData
        Long-format design.
    pooling : {"partial", "none"}
        Partial pooling within and across classes, or independent betas.
    parameterization : {"noncentered", "centered"}
        Form of the hierarchy; ``"centered"`` is kept as a baseline.

    Returns
    -------
    pymc.Model
        Model with dims ``asset``, ``group``, ``shock``, ``lag``, ``obs``.
    """
    if pooling not in ("partial", "none"):
        raise ArgumentError(f"pooling: expected 'partial' or 'none', got {pooling!r}")
    if parameterization not in ("noncentered", "centered"):
        raise ArgumentError(
            f"parameterization: expected 'noncentered' or 'centered', got {parameterization!r}"
        )
    n_assets, n_shocks, n_lags = len(data.assets), len(data.shocks), data.lags + 1
    regimes = bool(data.regimes)
    coords = {
        "asset": list(data.assets),
        "group": list(data.groups),
        "shock": list(data.shocks),
        "lag": list(range(n_lags)),
        "obs": np.arange(len(data.y)),
        "time": data.dates,
        "coef": [f"{k}[{lag}]" for k in data.shocks for lag in range(n_lags)],
    }
    if regimes:
        coords.update(regime=list(data.regimes), effect=list(data.effects), contrast=list(data.contrasts))
    if data.covariates:
        coords["covariate"] = list(data.covariates)
    # the hierarchy's dims: (shock, lag), or (shock, effect, lag) with regimes
    hier: tuple[str, ...] = ("shock", "effect") if regimes else ("shock",)
    suffix = "_effect" if regimes else ""
    import pymc as pm  # here, not at import: the Gibbs sampler samples this posterior without PyMC
    import pytensor.tensor as pt

    values = data_values(data)
    with pm.Model(coords=coords) as model:
        x = pm.Data("x", values["x"], dims=("time", "coef"))
        time_idx = pm.Data("time_idx", values["time_idx"], dims="obs")
        y_obs = pm.Data("y_obs", values["y_obs"], dims="obs")
        asset_idx = pm.Data("asset_idx", values["asset_idx"], dims="obs")
        asset_group = pm.Data("asset_group", values["asset_group"], dims="asset")
        y_scale = pm.Data("y_scale", values["y_scale"], dims="asset")
        y_loc = pm.Data("y_loc", values["y_loc"], dims="asset")
        x_scale = pm.Data("x_scale", values["x_scale"], dims="shock")
        x_loc = pm.Data("x_loc", values["x_loc"], dims="shock")

        if pooling == "partial":
            mu = pm.Normal("mu", 0.0, PRIOR_MU_SD, dims=(*hier, "lag"))
            sigma = pm.HalfNormal("sigma", PRIOR_SIGMA_SD, dims=hier)
            tau = pm.HalfNormal("tau", PRIOR_TAU_SD, dims=("group", *hier))
            sigma_b = pt.shape_padleft(pt.shape_padright(sigma))  # (1, *hier, 1)
            tau_b = pt.shape_padright(tau[asset_group])  # (asset, *hier, 1)
            if parameterization == "noncentered":
                z_group = pm.Normal("z_group", 0.0, 1.0, dims=("group", *hier, "lag"))
                mu_group = pm.Deterministic(
                    "mu_group" + suffix, mu[None] + sigma_b * z_group, dims=("group", *hier, "lag")
                )
                z_beta = pm.Normal("z_beta", 0.0, 1.0, dims=("asset", *hier, "lag"))
                beta_std = pm.Deterministic(
                    "beta_std" + suffix,
                    mu_group[asset_group] + tau_b * z_beta,
                    dims=("asset", *hier, "lag"),
                )
            else:
                mu_group = pm.Normal(
                    "mu_group" + suffix, mu[None], sigma_b, dims=("group", *hier, "lag")
                )
                beta_std = pm.Normal(
                    "beta_std" + suffix, mu_group[asset_group], tau_b, dims=("asset", *hier, "lag")
                )
        else:
            beta_std = pm.Normal("beta_std" + suffix, 0.0, PRIOR_MU_SD, dims=("asset", *hier, "lag"))

        a_std = pm.Normal("a_std", 0.0, PRIOR_A_SD, dims="asset")
        sigma_e_std = pm.HalfNormal("sigma_e_std", PRIOR_SIGMA_E, dims="asset")
        nu = pm.Gamma("nu", alpha=PRIOR_NU[0], beta=PRIOR_NU[1])

        if regimes:
            # the coding (effect, regime) and its contrast rows (contrast, regime): contiguous constants
            coding_t = pt.as_tensor_variable(np.ascontiguousarray(data.coding.T))
            shift_t = pt.as_tensor_variable(np.ascontiguousarray(data.coding[:, 1:].T))
            regime_idx = pm.Data("regime_idx", values["regime_idx"], dims="time")
            # (asset, shock, effect, lag, 1) x (effect, 1, regime) summed over effect
            beta_std = pm.Deterministic(
                "beta_std",
                (beta_std[..., None] * coding_t[:, None, :]).sum(axis=2),
                dims=("asset", "shock", "lag", "regime"),
            )
            if pooling == "partial":
                pm.Deterministic(
                    "mu_group",
                    (mu_group[..., None] * coding_t[:, None, :]).sum(axis=2),
                    dims=("group", "shock", "lag", "regime"),
                )
            a_shift_std = pm.Normal(
                "a_shift_std", 0.0, PRIOR_REGIME_SHIFT_SD, dims=("asset", "contrast")
            )
            a_regime = a_std[:, None] + a_shift_std @ shift_t  # (asset, regime)
            # (time, asset) fitted values with each date's regime betas
            coef = beta_std.reshape((n_assets, n_shocks * n_lags, -1)).dimshuffle(2, 0, 1)
            fitted = (x[:, None, :] * coef[regime_idx]).sum(axis=-1)
            fitted = fitted + a_regime.T[regime_idx]
        else:
            coef = beta_std.reshape((n_assets, n_shocks * n_lags))
            # (time, asset) fitted values by a broadcast product (no BLAS here), then one
            # gather on the flat index: C ops only, about 30% cheaper than x @ coef.T
            # followed by a two-dimensional fancy index
            fitted = (x[:, None, :] * coef[None, :, :]).sum(axis=-1)
        if data.covariates:
            z = pm.Data("z", values["z"], dims=("time", "covariate"))
            gamma_std = pm.Normal("gamma_std", 0.0, PRIOR_COVARIATE_SD, dims=("asset", "covariate"))
            fitted = fitted + (z[:, None, :] * gamma_std[None]).sum(axis=-1)
            pm.Deterministic("gamma", gamma_std * y_scale[:, None], dims=("asset", "covariate"))
        flat = fitted.ravel()[time_idx * n_assets + asset_idx]
        mean = flat if regimes else a_std[asset_idx] + flat
        pm.StudentT("y", nu=nu, mu=mean, sigma=sigma_e_std[asset_idx], observed=y_obs, dims="obs")

        if regimes:
            beta = pm.Deterministic(
                "beta",
                beta_std * y_scale[:, None, None, None] / x_scale[None, :, None, None],
                dims=("asset", "shock", "lag", "regime"),
            )
            pm.Deterministic(
                "a",
                y_loc[:, None] + y_scale[:, None] * a_regime
                - pt.sum(beta * x_loc[None, :, None, None], axis=(1, 2)),
                dims=("asset", "regime"),
            )
        else:
            beta = pm.Deterministic(
                "beta",
                beta_std * y_scale[:, None, None] / x_scale[None, :, None],
                dims=("asset", "shock", "lag"),
            )
            pm.Deterministic(
                "a",
                y_loc + y_scale * a_std - pt.sum(beta * x_loc[None, :, None], axis=(1, 2)),
                dims="asset",
            )
        pm.Deterministic("sigma_e", sigma_e_std * y_scale, dims="asset")
    return model

"""The defaults of the model settings, in one table.

The spec schema (:mod:`causalmacro.spec.schema`) takes its field defaults from
here, and so do the Python classes that fit the same models
(:class:`causalmacro.SVAR`, :class:`causalmacro.AssetResponseModel`,
:class:`causalmacro.LocalProjections`, :func:`causalmacro.grid`), so that a
model fitted from a spec and the same model fitted from Python with nothing
said agree. ``tests/test_defaults.py`` holds every class to this table.

Each table is a frozen dataclass instance; change a default here, and only here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ASSETS",
    "BVAR",
    "DATA_DRIVEN",
    "EVALUATION",
    "GRAPH",
    "LP",
    "MINNESOTA",
    "SCENARIO",
    "SIGN",
    "VAR",
    "AssetsDefaults",
    "BVARDefaults",
    "DataDrivenDefaults",
    "EvaluationDefaults",
    "EvaluationModel",
    "GraphDefaults",
    "LPDefaults",
    "LagRule",
    "MinnesotaDefaults",
    "ScenarioDefaults",
    "SignDefaults",
    "Trend",
    "VARDefaults",
]

LagRule = Literal["aic", "bic", "hqic"]
"""The information criteria that choose a VAR's lag order (the spec's ``[var] lags`` and ``SVAR(lags=)``)."""
Trend = Literal["n", "c", "ct", "ctt"]
"""Deterministic terms, as in statsmodels: none, constant, constant and trend, and a quadratic trend."""


@dataclass(frozen=True)
class VARDefaults:
    """The structural VAR: ``[var]`` and :class:`causalmacro.SVAR`."""

    lags: int | LagRule = "aic"
    max_lags: int = 6
    trend: Trend = "c"
    identification: Literal["recursive", "short_run", "sign", "long_run", "volatility", "non_gaussian", "proxy"] = (
        "recursive")
    horizon: int = 24
    reps: int = 1000
    level: float = 0.9
    bootstrap: Literal["block", "residual", "wild"] = "block"
    block_length: int | None = None
    bias_correct: bool = False
    joint: bool = True
    bands: Literal["auto", "bootstrap", "set", "posterior", "none"] = "auto"
    fevd_horizon: int = 12
    estimator: Literal["ols", "bvar"] = "ols"  # "bvar": the Bayesian VAR of [var.prior] (causalmacro.BVAR)


@dataclass(frozen=True)
class SignDefaults:
    """Sign restrictions: ``[var.sign]`` and :class:`causalmacro.svar.SignRestrictions`."""

    horizons: int = 0
    draws: int = 5000


@dataclass(frozen=True)
class AssetsDefaults:
    """The asset-response model: ``[assets]`` and :class:`causalmacro.AssetResponseModel`."""

    lags: int = 2
    sampler: Literal["gibbs", "pymc", "nutpie"] = "gibbs"
    target_accept: float = 0.95
    # the Gibbs sampler without a set `draws` samples to the convergence gate (causalmacro.bayes.rounds): every
    # chain runs burn_sweeps of warm-up (discarded), then first_sweeps kept, then extra_sweeps more kept a round
    # until R-hat and bulk ESS pass on all its kept sweeps, at most max_sweeps in all; reaching the cap fails the
    # gate (FitFailedWarning). burn_sweeps: the sampler forgets its start within ~50 sweeps on the demo and
    # weekly designs (benchmarks/README.md, "Warm-up of the Gibbs sampler"); 100 is twice that
    # extra_sweeps: a failing round costs little (the check stops at the first failing variable, the one that failed
    # the round before), so a fine step wastes few sweeps; on the demo R-hat of sigma decides, and 4 seeds stopped at
    # 600, 600, 700 and 900 sweeps a chain with 100 (with 200 the schedule is 500, 700, 900, ...)
    burn_sweeps: int = 100
    first_sweeps: int = 400
    extra_sweeps: int = 100
    max_sweeps: int = 4000


@dataclass(frozen=True)
class LPDefaults:
    """Local projections: ``[lp]`` and :class:`causalmacro.LocalProjections`."""

    lag_augment: bool = True
    cumulative: bool = False
    hac_lags: int | None = None  # None: h + 1 Newey-West lags at horizon h (Jordà 2005)


@dataclass(frozen=True)
class GraphDefaults:
    """The dependency graph: ``[graph]`` and :func:`causalmacro.dependency_graph`."""

    alpha: float = 0.10
    multiplicity: Literal["holm", "bh", "none"] = "holm"


@dataclass(frozen=True)
class ScenarioDefaults:
    """Scenarios: ``[scenarios.<name>]`` and :meth:`causalmacro.SVARResults.conditional_forecast`."""

    steps: int = 12  # periods forecast after the data's end
    draws: int = 1000  # draws of the shocks from their conditional distribution (0: the mean path only)


VAR = VARDefaults()
SIGN = SignDefaults()
SCENARIO = ScenarioDefaults()
ASSETS = AssetsDefaults()
LP = LPDefaults()
GRAPH = GraphDefaults()


@dataclass(frozen=True)
class DataDrivenDefaults:
    """Identification from the data (changes in volatility, non-Gaussian shocks):
    :class:`causalmacro.svar.ChangesInVolatility` and :class:`causalmacro.svar.NonGaussian`."""

    max_iter: int = 50  # GLS-ML rounds (volatility, svars' id.cv max.iter); Newton iterations (non_gaussian)
    # stop when a round raises the log-likelihood by less; svars' crit = 0.001 reaches C++ as an int (0),
    # so id.cv in effect iterates until the likelihood stops rising: a tiny tol reproduces it
    tol: float = 1e-9
    alpha: float = 0.05  # level of the test that the variance ratios are distinct / of the normality test
    gaussian_df: float = 30.0  # non_gaussian: a shock with more degrees of freedom looks Gaussian


DATA_DRIVEN = DataDrivenDefaults()


@dataclass(frozen=True)
class MinnesotaDefaults:
    """The Minnesota prior of the Bayesian VAR: :class:`causalmacro.Minnesota`, as R ``BVAR`` sets it.

    Each hyperparameter's value is also the mode of its Gamma hyperprior (``bv_lambda``, ``bv_soc``,
    ``bv_sur`` of R ``BVAR`` 1.0.5), with that standard deviation and those bounds.
    """

    lambda_: float = 0.2  # overall tightness
    lambda_sd: float = 0.4
    lambda_bounds: tuple[float, float] = (0.0001, 5.0)
    alpha: float = 2.0  # lag decay: the prior variance of lag l shrinks as 1 / l**alpha
    # the prior scales psi when not given: the AR(p) residual sd by exact Gaussian ML ("ml", R BVAR's auto_psi via
    # arima, so the two agree) or by conditional least squares ("ols", R's arima(method = "CSS"): no search, cannot
    # fail to converge, O(1/n) apart). "ml" is the default because it is R BVAR's and costs ~10 ms a series.
    psi: Literal["ml", "ols"] = "ml"
    b: float = 1.0  # prior mean of each variable's own first lag (1: random walk)
    # b = "auto" ([var.prior], and the forecast evaluation's BVAR without a [var.prior]): Banbura, Giannone &
    # Reichlin (2010), b = 0 for a series whose transform is a change (these), 1 for one in levels (level, log, zscore)
    b_changes: tuple[str, ...] = ("diff", "logdiff", "yoy")
    var: float = 1e7  # prior variance of the constant
    dummy_sd: float = 1.0  # sd of the Gamma hyperprior of the soc and sur tightnesses
    dummy_bounds: tuple[float, float] = (0.0001, 50.0)


@dataclass(frozen=True)
class BVARDefaults:
    """The Bayesian VAR: :class:`causalmacro.BVAR`."""

    lags: int = 2
    hyper: Literal["fixed", "glp"] = "glp"
    draws: int = 5000


MINNESOTA = MinnesotaDefaults()
BVAR = BVARDefaults()


EvaluationModel = Literal["var", "bvar", "random_walk", "ar1"]
"""The models of the forecast evaluation (``[evaluation] models``, ``causalmacro evaluate --models``)."""


@dataclass(frozen=True)
class EvaluationDefaults:
    """The pseudo-out-of-sample forecast evaluation: ``[evaluation]`` and ``causalmacro evaluate``.

    The OLS VAR takes ``[var]``'s lags; the BVAR is :class:`causalmacro.BVAR` with the spec's
    ``[var.prior]``, else ``Minnesota(psi="ols")`` with ``b`` by each series' transform
    (``MINNESOTA.b_changes``: 0, else 1) and ``hyper="glp"``, chosen again in every window.
    """

    start: str | None = None  # the first forecast origin, "YYYY-MM"; None: the sample's midpoint
    horizons: int = 12
    models: tuple[EvaluationModel, ...] = ("var", "bvar", "random_walk", "ar1")
    draws: int = 2000  # BVAR posterior draws (and predictive paths) per window
    bvar_lags: int = BVAR.lags  # the BVAR's lag order (the OLS VAR takes [var]'s)


EVALUATION = EvaluationDefaults()

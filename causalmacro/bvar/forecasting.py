"""Posterior predictive paths of a reduced-form Bayesian VAR, and its forecaster for the evaluation.

:func:`predictive_paths` simulates one future path per posterior draw of the
coefficients and ``Sigma`` of a :class:`~causalmacro.BVARResults` (no
identification needed) from the sample's last ``p`` observations, with errors
``N(0, Sigma_draw)``: draws of the posterior predictive density (Kadiyala &
Karlsson 1997, sec. 4). :func:`bvar_forecaster` refits the BVAR on each window of
the pseudo-out-of-sample evaluation (:mod:`causalmacro.svar.evaluate`), the
hyperparameters chosen again in every window by marginal likelihood (GLP 2015),
and scores its predictive through the mean and sd of the simulated paths
(:meth:`~causalmacro.svar.evaluate.Predictive.from_paths`): the Gaussian log score,
as for the other models. :func:`default_models` is the evaluation's set with the
BVAR (the ``svar`` layer's own ``default_models`` cannot reach it: ``bvar`` sits above).

References
----------
Giannone, D., Lenza, M. & Primiceri, G. E. (2015). Prior selection for vector
autoregressions. *REStat* 97(2), 436-451.
Kadiyala, K. R. & Karlsson, S. (1997). Numerical methods for estimation and inference
in Bayesian VAR-models. *J. Applied Econometrics* 12(2), 99-132.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from causalmacro.bvar.model import BVAR
from causalmacro.bvar.prior import Minnesota
from causalmacro.bvar.results import BVARResults
from causalmacro.errors import ArgumentError
from causalmacro.spec.defaults import BVAR as _BVAR
from causalmacro.spec.defaults import EVALUATION as _EVAL
from causalmacro.spec.defaults import VAR as _VAR
from causalmacro.svar.evaluate import Forecaster, Predictive, ar1, random_walk, var_forecaster

__all__ = ["bvar_forecaster", "default_models", "predictive_paths"]


def predictive_paths(res: BVARResults, steps: int, rng: np.random.Generator | int | None = None,
                     draws: int | None = None) -> np.ndarray:
    """Posterior predictive paths of the ``steps`` periods after the sample, ``(draw, step, variable)``.

    Path ``i`` uses posterior draw ``i``'s coefficients and ``Sigma`` and Gaussian
    errors ``N(0, Sigma_i)``, starting from the last ``p`` observations.

    Parameters
    ----------
    res : BVARResults
        A fitted reduced-form BVAR.
    steps : int
        Periods ahead.
    rng : numpy.random.Generator or int, optional
        Stream of the errors.
    draws : int, optional
        Use the first ``draws`` posterior draws (default: all).

    Returns
    -------
    numpy.ndarray
        ``(draws, steps, M)``.
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ArgumentError(f"steps must be a positive int, got {steps!r}")
    n = res.draws if draws is None else int(draws)
    if not 1 <= n <= res.draws:
        raise ArgumentError(f"draws must be from 1 to {res.draws} (the posterior draws), got {draws!r}")
    gen = np.random.default_rng(rng)
    m, p = len(res.variables), res.lags
    # the last p observations, newest first: y_T, then y_{T-1}..y_{T-p+1} from the last regressor row
    newest = np.concatenate([np.asarray(res.y)[-1], np.asarray(res.x)[-1, 1:1 + m * (p - 1)]]).reshape(p, m)
    coefs = np.asarray(res.coef_draws)[:n]  # (n, 1 + m p, m): constant, then lag 1..p blocks
    chol = np.linalg.cholesky(np.asarray(res.sigma_draws)[:n])
    errors = gen.standard_normal((n, int(steps), m)) @ np.swapaxes(chol, -1, -2)
    lagged = np.broadcast_to(newest.reshape(1, p * m), (n, p * m)).copy()
    out = np.empty((n, int(steps), m))
    for h in range(int(steps)):
        y = coefs[:, 0] + np.einsum("rk,rkm->rm", lagged, coefs[:, 1:]) + errors[:, h]
        out[:, h] = y
        lagged = np.concatenate([y, lagged[:, :m * (p - 1)]], axis=1)
    return out


def bvar_forecaster(prior: Minnesota | None = None, hyper: Literal["fixed", "glp"] = _BVAR.hyper, *,
                    draws: int = _EVAL.draws, lags: int = _BVAR.lags, seed: int = 0) -> Forecaster:
    """The Bayesian VAR's posterior predictive, refitted (hyperparameters included) on each window.

    Parameters
    ----------
    prior : Minnesota, optional
        Default ``Minnesota(psi="ols")``: R ``BVAR``'s defaults except the prior scales, the
        conditional least-squares AR residual sds chosen again on each window; R's exact-ML AR
        fit (``psi="ml"``) refuses a window where a series' AR is not stationary, which
        happens on the real chain when a forecaster is refitted on dozens of windows.
        A prior given with ``psi`` named (``"ml"``, ``"ols"``) also chooses it on each window.
        The default's ``b`` is 1 (a random walk) in every variable, which this function cannot
        know better: the spec's evaluation (:func:`causalmacro.pipeline.evaluation.evaluation_prior`)
        passes ``b`` by each series' transform, 0 for changes and 1 for levels.
    hyper : {"fixed", "glp"}
        ``"glp"``: ``lambda`` (and the dummies' tightnesses) at their posterior mode, chosen again in every window.
    draws : int
        Posterior draws, and predictive paths, per window.
    lags : int
        The lag order.
    seed : int
        The errors and draws of a window come from ``default_rng([seed, len(window)])``: a window's
        forecast does not depend on which windows ran before it.

    Returns
    -------
    Forecaster
        ``(window, steps) -> Predictive``: the mean and sd of the simulated paths.
    """
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 2:
        raise ArgumentError(f"draws must be an integer of at least 2, got {draws!r}")
    chosen = Minnesota(psi="ols") if prior is None else prior

    def forecast(window: pd.DataFrame, steps: int) -> Predictive:
        rng = np.random.default_rng([int(seed), len(window)])
        res = BVAR(window, lags=lags, prior=chosen, hyper=hyper).fit(int(draws), rng=rng)
        return Predictive.from_paths(predictive_paths(res, steps, rng))

    return forecast


def default_models(lags: int | str = _VAR.lags, max_lags: int | None = _VAR.max_lags, *,
                   bvar_lags: int = _BVAR.lags, draws: int = _EVAL.draws, seed: int = 0) -> dict[str, Forecaster]:
    """The evaluation's models: the OLS VAR, the BVAR (GLP), the random walk and the per-variable AR(1)."""
    return {"var": var_forecaster(lags, max_lags=max_lags),
            "bvar": bvar_forecaster(hyper="glp", draws=draws, lags=bvar_lags, seed=seed),
            "random_walk": random_walk(), "ar1": ar1()}

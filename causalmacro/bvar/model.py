"""The Bayesian VAR: a conjugate Minnesota prior, hyperparameters fixed or chosen by marginal likelihood.

``hyper="glp"`` chooses the overall tightness ``lambda`` and the dummies'
tightnesses (``soc``, ``sur``, where the prior has them; R ``BVAR``'s
``hyper = "auto"``) by maximising ``log p(Y | hyper) + log p(hyper)`` (Gamma
hyperpriors, Giannone, Lenza & Primiceri 2015) within their bounds with L-BFGS-B,
as R ``BVAR`` does for the starting point of its Metropolis-Hastings step
(``bv_mh``). Here the draws condition on that **mode**: there is no MCMC over
the hyperparameters, so their uncertainty is not integrated out (GLP report that
it matters little for forecasts). Given the hyperparameters the posterior is
conjugate and the draws are exact and i.i.d.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd

from causalmacro.bvar import posterior as post_
from causalmacro.bvar.prior import Minnesota, auto_psi, dummy_observations, log_gamma_density
from causalmacro.bvar.results import BVARResults
from causalmacro.errors import ArgumentError
from causalmacro.spec.defaults import BVAR as DEFAULTS

__all__ = ["BVAR"]

HYPER = ("fixed", "glp")


class BVAR:
    """A Bayesian VAR with the Minnesota prior (Giannone, Lenza & Primiceri 2015; R ``BVAR``).

    Parameters
    ----------
    data : pandas.DataFrame
        One column per variable, rows in time order, no missing values.
    lags : int
        The lag order ``p``.
    prior : Minnesota, optional
        The prior; default ``Minnesota()``.
    hyper : {"fixed", "glp"}
        ``"fixed"``: the prior's hyperparameters as given. ``"glp"``: ``lambda``
        and the dummies' tightnesses at the mode of their posterior (marginal
        likelihood times Gamma hyperpriors), the values given being the
        hyperpriors' modes and the search's start.

    Examples
    --------
    >>> res = cm.BVAR(df, lags=2, prior=cm.Minnesota(soc=1, sur=1), hyper="glp").fit(draws=5000, rng=rng)  # doctest: +SKIP
    >>> res.hyperparameters["lambda"], res.log_marginal_likelihood                                         # doctest: +SKIP
    """

    def __init__(self, data: pd.DataFrame, *, lags: int = DEFAULTS.lags, prior: Minnesota | None = None,
                 hyper: Literal["fixed", "glp"] = DEFAULTS.hyper) -> None:
        if not isinstance(data, pd.DataFrame):
            raise ArgumentError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if data.shape[1] < 2:
            raise ArgumentError(f"data must have at least 2 columns, got {data.shape[1]}")
        if data.isna().to_numpy().any():
            raise ArgumentError("data has missing values: " + ", ".join(map(str, data.columns[data.isna().any()])))
        if isinstance(lags, bool) or not isinstance(lags, int | np.integer) or not 1 <= lags < data.shape[0] - 1:
            raise ArgumentError(f"lags must be an integer from 1 to {data.shape[0] - 2}, got {lags!r}")
        if hyper not in HYPER:
            raise ArgumentError(f"unknown hyper {hyper!r}; valid: {', '.join(HYPER)}")
        prior = Minnesota() if prior is None else prior
        if not isinstance(prior, Minnesota):
            raise ArgumentError(f"prior must be a causalmacro.Minnesota, got {type(prior).__name__}")
        if not isinstance(prior.psi, str) and prior.psi is not None and len(prior.psi) != data.shape[1]:
            raise ArgumentError(f"psi has {len(prior.psi)} values for {data.shape[1]} variables")
        prior.b_values(list(map(str, data.columns)))  # a b that does not fit the columns: one line, now
        self.data = data
        self.lags = int(lags)
        self.prior = prior
        self.hyper = hyper

    def fit(self, draws: int = DEFAULTS.draws, *, rng: np.random.Generator | int | None = None) -> BVARResults:
        """Choose the hyperparameters (``hyper="glp"``), then draw the posterior exactly.

        Parameters
        ----------
        draws : int
            Number of i.i.d. posterior draws of the coefficients and ``Sigma``.
        rng : numpy.random.Generator or int, optional
            Randomness; an int seeds a new generator.

        Returns
        -------
        BVARResults
        """
        if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
            raise ArgumentError(f"draws must be a positive integer, got {draws!r}")
        rng = np.random.default_rng(rng)
        data = self.data.to_numpy(dtype=np.float64)
        y, x = post_.design(data, self.lags)
        m = y.shape[1]
        psi = (auto_psi(y, self.lags, self.prior.psi) if isinstance(self.prior.psi, str)
               else np.asarray(self.prior.psi))
        names = list(map(str, self.data.columns))
        b_own = self.prior.b_values(names)
        # the results' prior: psi filled in; b per variable by name unless it was one number
        prior = replace(self.prior, psi=tuple(psi),
                        b=self.prior.b if isinstance(self.prior.b, float) else dict(zip(names, map(float, b_own),
                                                                                         strict=True)))
        b = post_.prior_mean(m, self.lags, b_own)
        searched = ("lambda", *prior.dummies) if self.hyper == "glp" else ()
        log_ml = post_.LogML(y, x, b)

        def evaluate(values: Mapping[str, float]) -> tuple[float, float]:
            omega = post_.omega_diag(values["lambda"], prior.alpha, psi, self.lags, prior.var)
            yd, xd = dummy_observations(prior, y, self.lags, dict(values))
            ml = log_ml(yd, xd, omega, psi)
            return ml, ml + sum(log_gamma_density(values[name], *_mode_sd(prior, name)) for name in searched)

        start = {"lambda": prior.lambda_, **{name: float(getattr(prior, name)) for name in prior.dummies}}
        values = dict(start)
        converged = True
        if searched:
            from scipy.optimize import minimize

            bounds = [prior.lambda_bounds if name == "lambda" else prior.dummy_bounds for name in searched]
            for name, (lo, hi) in zip(searched, bounds, strict=True):
                if not lo <= start[name] <= hi:  # the hyperprior's mode outside the search: R BVAR refuses it too
                    raise ArgumentError(f"{name}={start[name]:g} is the mode of its hyperprior under hyper='glp' "
                                        f"and must lie within its search bounds [{lo:g}, {hi:g}]; widen the bounds "
                                        "or use hyper='fixed'")

            def objective(theta: np.ndarray) -> float:
                return -evaluate({**values, **dict(zip(searched, theta, strict=True))})[1]

            from threadpoolctl import threadpool_limits

            with threadpool_limits(limits=1):  # K x K algebra: BLAS threads only contend (10x slower on 2 busy cores)
                opt = minimize(objective, np.array([start[name] for name in searched]), method="L-BFGS-B",
                               bounds=bounds, options={"ftol": 1e-12, "gtol": 1e-8})
            converged = bool(opt.success)
            values.update(dict(zip(searched, map(float, opt.x), strict=True)))
        ml, log_post = evaluate(values)
        omega = post_.omega_diag(values["lambda"], prior.alpha, psi, self.lags, prior.var)
        yd, xd = dummy_observations(prior, y, self.lags, values)
        posterior = post_.posterior(np.vstack([yd, y]), np.vstack([xd, x]), b, omega, psi)
        coefs, sigma = post_.draw(posterior, int(draws), rng)
        return BVARResults(
            variables=tuple(map(str, self.data.columns)), lags=self.lags, index=self.data.index[self.lags:],
            prior=prior, hyper=self.hyper, searched=searched, converged=converged,
            hyperparameters={"lambda": values["lambda"], "alpha": prior.alpha,
                             **{f"psi[{v}]": float(p) for v, p in zip(self.data.columns, psi, strict=True)},
                             **{name: values[name] for name in prior.dummies}},
            log_marginal_likelihood=ml, log_hyperposterior=log_post,
            b_hat=posterior.b_hat, v=posterior.v, s=posterior.s, dof=posterior.dof,
            coef_draws=coefs, sigma_draws=sigma, y=y, x=x,
        )


def _mode_sd(prior: Minnesota, name: str) -> tuple[float, float]:
    if name == "lambda":
        return prior.lambda_, prior.lambda_sd
    return float(getattr(prior, name)), prior.dummy_sd

"""The frozen results of :class:`causalmacro.BVAR`: hyperparameters, marginal likelihood, labelled posterior draws."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.bvar.prior import Minnesota
from causalmacro.labelled import ThawedPickle, freeze

if TYPE_CHECKING:
    from causalmacro.bvar.structural import BayesianSVARResults
    from causalmacro.svar.identification import Identification

__all__ = ["BVARResults"]


@dataclass(frozen=True, eq=False)
class BVARResults(ThawedPickle):
    """A fitted Bayesian VAR. Built by :meth:`causalmacro.BVAR.fit`; read-only.

    Attributes
    ----------
    variables : tuple of str
        The variables, in the data's order.
    lags : int
        The lag order.
    index : pandas.Index
        The periods of the estimation sample (after the first ``lags``).
    prior : Minnesota
        The prior as used: ``psi`` filled in; ``b`` one number or ``{variable: value}``
        for every variable; ``lambda_``, ``soc``, ``sur`` as given
        (with ``hyper="glp"`` they are the hyperpriors' modes; the values used are
        in ``hyperparameters``).
    hyper : {"fixed", "glp"}
        How the hyperparameters were set.
    searched : tuple of str
        The hyperparameters chosen by marginal likelihood (empty when fixed).
    converged : bool
        Whether the search reported convergence (True when fixed).
    hyperparameters : mapping
        The values used: ``lambda``, ``alpha``, ``psi[<variable>]``, and ``soc``, ``sur`` where present.
    log_marginal_likelihood : float
        ``log p(Y | hyperparameters)`` (the dummies' own density divided out).
    log_hyperposterior : float
        ``log_marginal_likelihood`` plus the log Gamma hyperprior densities of
        ``searched`` (R ``BVAR``'s ``ml``; equal to the former when fixed).
    b_hat, v, s, dof
        The closed-form posterior: ``B | Sigma ~ MN(b_hat, v, Sigma)``, ``Sigma ~ IW(s, dof)``.
    coef_draws, sigma_draws : numpy.ndarray
        The exact posterior draws, ``(draw, term, equation)`` and ``(draw, row, column)``.
    y, x : numpy.ndarray
        The sample's left-hand side and regressors (without dummy observations).
    """

    variables: tuple[str, ...]
    lags: int
    index: pd.Index
    prior: Minnesota
    hyper: str
    searched: tuple[str, ...]
    converged: bool
    hyperparameters: Mapping[str, float]
    log_marginal_likelihood: float
    log_hyperposterior: float
    b_hat: np.ndarray
    v: np.ndarray
    s: np.ndarray
    dof: float
    coef_draws: np.ndarray
    sigma_draws: np.ndarray
    y: np.ndarray
    x: np.ndarray

    def __post_init__(self) -> None:
        for name in ("hyperparameters", "b_hat", "v", "s", "coef_draws", "sigma_draws", "y", "x"):
            object.__setattr__(self, name, freeze(getattr(self, name)))
        object.__setattr__(self, "searched", tuple(self.searched))
        object.__setattr__(self, "variables", tuple(self.variables))

    @property
    def terms(self) -> tuple[str, ...]:
        """The regressors' names: ``const``, then ``L1.<variable>``, ..., as statsmodels names them."""
        return ("const", *(f"L{lag}.{v}" for lag in range(1, self.lags + 1) for v in self.variables))

    @property
    def draws(self) -> int:
        """The number of posterior draws."""
        return int(self.coef_draws.shape[0])

    def _coef_array(self, values: np.ndarray, name: str, draw: bool = False) -> xr.DataArray:
        dims = ("draw", "term", "equation") if draw else ("term", "equation")
        coords: dict[str, Any] = {"term": list(self.terms), "equation": list(self.variables)}
        return xr.DataArray(values, dims=dims, coords=coords, name=name)

    @property
    def coefs(self) -> xr.DataArray:
        """Posterior draws of the coefficients, dims ``(draw, term, equation)``."""
        return self._coef_array(self.coef_draws, "coefs", draw=True)

    @property
    def sigma(self) -> xr.DataArray:
        """Posterior draws of the residual covariance ``Sigma``, dims ``(draw, row, column)``."""
        return xr.DataArray(self.sigma_draws, dims=("draw", "row", "column"),
                            coords={"row": list(self.variables), "column": list(self.variables)}, name="sigma")

    @property
    def coef_mean(self) -> xr.DataArray:
        """The posterior mean of the coefficients (closed form, ``b_hat``), dims ``(term, equation)``."""
        return self._coef_array(np.asarray(self.b_hat), "coef_mean")

    @property
    def coef_sd(self) -> xr.DataArray:
        """The posterior sd of the coefficients (closed form: matric-t), dims ``(term, equation)``.

        ``Var(B_ij) = v_ii E[Sigma_jj] = v_ii s_jj / (dof - M - 1)``.
        """
        m = len(self.variables)
        sd = np.sqrt(np.outer(np.diag(self.v), np.diag(self.s)) / (self.dof - m - 1))
        return self._coef_array(sd, "coef_sd")

    @property
    def sigma_mean(self) -> xr.DataArray:
        """The posterior mean of ``Sigma`` (closed form, ``s / (dof - M - 1)``), dims ``(row, column)``."""
        m = len(self.variables)
        return xr.DataArray(np.asarray(self.s) / (self.dof - m - 1), dims=("row", "column"),
                            coords={"row": list(self.variables), "column": list(self.variables)}, name="sigma_mean")

    def summary(self) -> str:
        """A plain-text summary: the prior, the hyperparameters, the marginal likelihood."""
        hyp = ", ".join(f"{k}={v:.4g}" for k, v in self.hyperparameters.items())
        how = "fixed" if self.hyper == "fixed" else f"posterior mode of {', '.join(self.searched)} (GLP 2015)"
        return "\n".join([
            f"Bayesian VAR({self.lags}), {len(self.variables)} variables, {len(self.index)} periods, "
            f"{self.draws} exact posterior draws",
            f"prior: {self.prior.describe()}; hyperparameters {how}",
            f"  {hyp}",
            f"log marginal likelihood: {self.log_marginal_likelihood:.4f}; "
            f"with hyperpriors: {self.log_hyperposterior:.4f}",
        ])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the settings, hyperparameters, marginal likelihood, posterior means and sds."""
        return {
            "variables": list(self.variables), "lags": self.lags, "hyper": self.hyper,
            "searched": list(self.searched), "converged": self.converged, "draws": self.draws,
            "prior": self.prior.describe(),
            "hyperparameters": dict(self.hyperparameters),
            "log_marginal_likelihood": self.log_marginal_likelihood,
            "log_hyperposterior": self.log_hyperposterior,
            "coef_mean": self.coef_mean.to_pandas().to_dict(),
            "coef_sd": self.coef_sd.to_pandas().to_dict(),
            "sigma_mean": self.sigma_mean.to_pandas().to_dict(),
        }

    def structural(self, identification: Identification | None = None, *,
                   rng: int | np.random.Generator | None = None) -> BayesianSVARResults:
        """Identify the posterior: a structural BVAR with the SVAR results' outputs and posterior bands.

        Parameters
        ----------
        identification : Identification, optional
            A scheme object (``cm.Recursive()``, the default, ``cm.LongRun()``,
            ``cm.ShortRun(...)``, ``cm.SignRestrictions(...)`` with zeros or narrative
            restrictions); schemes that need the residuals (volatility, non-Gaussian,
            proxy) raise :class:`~causalmacro.errors.ArgumentError`.
        rng : int or numpy.random.Generator, optional
            Seed of the identification's draws (sign rotations); recorded as ``seed``.

        Returns
        -------
        BayesianSVARResults
            See :mod:`causalmacro.bvar.structural`.

        Examples
        --------
        >>> sres = cm.BVAR(df, lags=2).fit(draws=2000, rng=0).structural(cm.Recursive())  # doctest: +SKIP
        >>> sres.irf(12, bands="posterior", reps=2000)                                     # doctest: +SKIP
        """
        from causalmacro.bvar.structural import build_structural

        return build_structural(self, identification, rng=rng)

    def plot(self, horizon: int = 24, **options: Any) -> Any:
        """The responses of :meth:`structural` (recursive, the data's order) with posterior bands.

        For another scheme, ``res.structural(scheme).plot()``; ``options`` go to
        :meth:`causalmacro.SVARResults.plot_irf`.
        """
        sres = self.structural()
        options.setdefault("bands", "posterior")
        options.setdefault("reps", sres.posterior.n_kept)
        return sres.plot(horizon, **options)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the results to ``path`` atomically: a zip of JSON and ``.npy`` (:mod:`causalmacro.bvar.io`).

        Every field is stored exactly, the posterior draws included.
        """
        from causalmacro.bvar.io import save_bvar

        return save_bvar(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BVARResults:
        """Read results written by :meth:`save` (a structural BVAR's file gives its :attr:`BayesianSVARResults.bvar`)."""
        from causalmacro.bvar.io import load_bvar
        from causalmacro.bvar.structural import BayesianSVARResults

        out = load_bvar(path)
        return out.bvar if isinstance(out, BayesianSVARResults) else out

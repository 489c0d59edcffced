"""The frozen results of :class:`causalmacro.BVAR`: hyperparameters, marginal likelihood, labelled posterior draws.

The structural layer
--------------------
:meth:`causalmacro.BVARResults.structural` returns :class:`BayesianSVARResults`, an
:class:`~causalmacro.svar.results.SVARResults` whose reduced form is the posterior mean
(coefficients ``b_hat``, ``Sigma`` the inverse-Wishart mean ``S / (dof - M - 1)``,
residuals ``Y - X b_hat``) and whose "bootstrap" draws are the exact posterior draws of
the coefficients and ``Sigma``, each identified with the scheme's ``identify_batch``
(Cholesky, Blanchard-Quah, sign rotations: the impact matrix is a function of the draw's
``(B, Sigma)``, so every identified draw is a draw of the structural posterior; for sign
restrictions, one accepted rotation per draw, the uniform-Haar prior of Rubio-Ramírez,
Waggoner & Zha 2010). Every method of the SVAR results then works unchanged: ``irf``,
``fevd``, ``historical_decomposition``, ``channel_decomposition``, plots and the graph,
with ``bands="posterior"`` (any bootstrap method name gives the same draws) and the
interval ``"posterior credible"``.

Schemes that re-estimate the impact matrix from the residuals' higher moments (changes
in volatility, non-Gaussian shocks, an external instrument: ``needs_resid``) are refused:
the posterior of ``(B, Sigma)`` carries no uncertainty about those moments, so bands from
re-estimating on each draw's residuals would be too narrow.

Draws whose lag matrices are explosive are kept (they are posterior draws; the
bootstrap's rule of dropping them does not apply); ``n_explosive`` is 0.

References
----------
Kadiyala, K. R. & Karlsson, S. (1997). Numerical methods for estimation and inference in
Bayesian VAR-models. *Journal of Applied Econometrics* 12(2), 99-132.
Rubio-Ramírez, J. F., Waggoner, D. F. & Zha, T. (2010). Structural vector autoregressions:
theory of identification and algorithms for inference. *REStud* 77(2), 665-696.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.bvar.prior import Minnesota
from causalmacro.errors import ArgumentError
from causalmacro.labelled import ThawedPickle, check_level, freeze
from causalmacro.spec.defaults import VAR as _VAR
from causalmacro.svar.bootstrap import BootstrapDraws, BootstrapMethod
from causalmacro.svar.density import paths_density
from causalmacro.svar.diagnostics import residual_diagnostics
from causalmacro.svar.dynamics import companion_roots
from causalmacro.svar.identification import Identification, Identified, Recursive
from causalmacro.svar.reduced_form import fit_reduced_form, split_params
from causalmacro.svar.results import Bands, SVARResults

__all__ = ["BVARResults", "BayesianSVARResults", "build_structural", "full_data"]


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
            See :mod:`causalmacro.bvar.results`.

        Examples
        --------
        >>> sres = cm.BVAR(df, lags=2).fit(draws=2000, rng=0).structural(cm.Recursive())  # doctest: +SKIP
        >>> sres.irf(12, bands="posterior", reps=2000)                                     # doctest: +SKIP
        """
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

        out = load_bvar(path, cls, build_structural)
        return out.bvar if isinstance(out, BayesianSVARResults) else out



def full_data(bvar: BVARResults) -> np.ndarray:
    """All rows of the BVAR's data, the first ``lags`` included, rebuilt from the first row of ``x``."""
    m, p = len(bvar.variables), bvar.lags
    x0 = np.asarray(bvar.x)[0]
    first = np.stack([x0[1 + (p - 1 - i) * m: 1 + (p - i) * m] for i in range(p)])  # rows y_0 .. y_{p-1}
    return np.vstack([first, np.asarray(bvar.y)])


def build_structural(
    bvar: BVARResults,
    identification: Identification | None = None,
    *,
    rng: int | np.random.Generator | None = None,
    stored: tuple[Identified, np.ndarray, np.ndarray, int] | None = None,
) -> BayesianSVARResults:
    """Identify a BVAR's posterior mean and draws (see :meth:`causalmacro.BVARResults.structural`).

    ``stored`` (the loader's): ``(identified, draw impacts, kept draw indices, seed)``
    restored as saved, nothing redrawn.
    """
    ident = Recursive() if identification is None else identification
    if not isinstance(ident, Identification):
        raise ArgumentError(f"identification must be an Identification object (e.g. cm.Recursive()), "
                            f"got {type(ident).__name__}")
    if ident.needs_resid:
        raise ArgumentError(
            f"identification {ident.name!r} re-estimates the shocks from the residuals' higher moments, which the "
            "posterior of (B, Sigma) does not describe; use cm.SVAR for it, or recursive, long_run, short_run, sign"
        )
    names = tuple(bvar.variables)
    m, p = len(names), bvar.lags
    data = full_data(bvar)
    # the OLS VAR on the same data: statsmodels' causality tests, information criteria and residual diagnostics
    ols, sm_res = fit_reduced_form(pd.DataFrame(data, columns=list(names)), p, "c")
    b_hat = np.asarray(bvar.b_hat)
    _, coefs = split_params(b_hat, 1, m)
    sigma = np.asarray(bvar.s) / (bvar.dof - m - 1)
    rf = replace(ols, index=bvar.index, params=b_hat, coefs=coefs, sigma_u=sigma,
                 resid=np.asarray(bvar.y) - np.asarray(bvar.x) @ b_hat, roots=companion_roots(coefs))
    _, coef_draws = split_params(np.asarray(bvar.coef_draws), 1, m)
    sigma_draws = np.asarray(bvar.sigma_draws)
    if stored is None:
        if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
            seed = int(rng)
        else:
            seed = int(np.random.default_rng(rng).integers(2**63))
        point_rng, draw_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
        identified = ident.identify(rf, point_rng)
        impact, ok = ident.identify_batch(coef_draws, sigma_draws, identified, draw_rng)
        keep = np.flatnonzero(ok)
        impact = impact[ok]
    else:
        identified, impact, keep, seed = stored
    posterior = BootstrapDraws(
        method="posterior", reps=bvar.draws, params=np.asarray(bvar.coef_draws)[keep], coefs=coef_draws[keep],
        sigma_u=sigma_draws[keep], impact=impact, n_explosive=0, n_unidentified=bvar.draws - keep.size,
        bias_corrected=False, seed=seed,
    )
    note = (f"reduced form at the posterior mean of a Bayesian VAR ({bvar.prior.describe()}); bands from "
            f"{posterior.n_kept} identified posterior draws; causality tests and diagnostics from the OLS VAR")
    return BayesianSVARResults(
        reduced_form=rf, identification=ident, identified=identified, lag_selection=None, notes=(note,),
        diagnostics=residual_diagnostics(sm_res, ols), _sm=sm_res, seed=seed, bvar=bvar, posterior=posterior,
        kept=keep,
    )


@dataclass(frozen=True, eq=False, repr=False)
class BayesianSVARResults(SVARResults):
    """A structural Bayesian VAR: :class:`~causalmacro.svar.results.SVARResults` with posterior bands.

    Built by :meth:`causalmacro.BVARResults.structural`; read-only. The reduced form
    (:attr:`reduced_form`) is the posterior mean: coefficients ``b_hat``, ``Sigma`` the
    inverse-Wishart mean, residuals ``Y - X b_hat``; the point impact matrix is the
    scheme applied to it. ``_sm`` (behind :meth:`causality`, :meth:`granger`,
    :meth:`to_dataframe`, :attr:`llf`, the information criteria and the residual
    diagnostics) is the **OLS** statsmodels VAR on the same data: those are frequentist
    tests of the data, not posterior quantities.

    Attributes
    ----------
    bvar : BVARResults
        The Bayesian VAR identified.
    posterior : BootstrapDraws
        The identified posterior draws (``method="posterior"``): ``params``, ``coefs``,
        ``sigma_u`` of the draws the scheme identified, and their ``impact``.
    kept : numpy.ndarray
        Indices of those draws among ``bvar``'s (sign restrictions may leave some unidentified).
    """

    bvar: Any = None
    posterior: Any = None
    kept: Any = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kept is not None:
            kept = np.array(self.kept, dtype=np.int64)
            kept.setflags(write=False)
            object.__setattr__(self, "kept", kept)

    def bootstrap(
        self,
        reps: int = 1000,
        *,
        method: BootstrapMethod = _VAR.bootstrap,
        bias_correct: bool = _VAR.bias_correct,
        rng: int | np.random.Generator | None = None,
        block_length: int | None = _VAR.block_length,
    ) -> BootstrapDraws:
        """The identified posterior draws (the first ``reps``), in place of bootstrap replications.

        The model is Bayesian: every band of these results comes from its posterior, so
        ``method``, ``rng`` and ``block_length`` do not apply (the draws are fixed when
        :meth:`~causalmacro.BVARResults.structural` identifies them) and are ignored.

        Parameters
        ----------
        reps : int
            How many of the identified posterior draws to use: the first ``reps``.
        bias_correct : bool
            Must be False (a bootstrap-after-bootstrap has no posterior counterpart).

        Returns
        -------
        BootstrapDraws
            ``method="posterior"``.

        Raises
        ------
        ArgumentError
            ``reps`` above the identified draws, or ``bias_correct=True``.
        """
        post: BootstrapDraws = self.posterior
        if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 2:
            raise ArgumentError(f"reps must be an integer of at least 2, got {reps!r}")
        if bias_correct:
            raise ArgumentError("bias_correct=True applies to bootstrap draws, not to a Bayesian VAR's posterior")
        if reps > post.n_kept:
            raise ArgumentError(f"reps={reps} is more than the {post.n_kept} identified posterior draws; "
                                f"pass reps <= {post.n_kept}, or fit the BVAR with more draws")
        if reps == post.n_kept:
            return post
        return replace(post, reps=int(reps), params=post.params[:reps], coefs=post.coefs[:reps],
                       sigma_u=post.sigma_u[:reps], impact=post.impact[:reps], n_unidentified=0)

    def _draws_for(self, bands: Bands | BootstrapDraws, reps: int, bias_correct: bool,
                   rng: int | np.random.Generator | None) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        if isinstance(bands, str) and bands in ("posterior", "block", "residual", "bootstrap", "wild"):
            bands = self.bootstrap(reps, bias_correct=bias_correct)
        return super()._draws_for(bands, reps, bias_correct, rng)

    def forecast_density(
        self,
        steps: int,
        reps: int = 1000,
        *,
        method: BootstrapMethod = "posterior",
        level: float = _VAR.level,
        rng: int | np.random.Generator | None = None,
        block_length: int | None = None,
        exog_future: Any = None,
    ) -> xr.DataArray:
        """Posterior predictive distribution of the ``steps`` periods after the sample (a fan chart's data).

        Each of the first ``reps`` posterior draws of the coefficients and ``Sigma``
        simulates one future path from the last ``p`` observations with Gaussian
        errors ``N(0, Sigma_draw)``: a draw of the posterior predictive density
        (Kadiyala & Karlsson 1997, sec. 4), all paths at once.

        Parameters
        ----------
        steps : int
            Periods ahead.
        reps : int
            Paths: the first ``reps`` posterior draws (at most the draws).
        method : {"posterior"}
            Only the posterior; a bootstrap method name raises :class:`ArgumentError`.
        level : float
            Coverage of the outer interval.
        rng : int or numpy.random.Generator, optional
            Stream of the Gaussian errors; default one derived from :attr:`seed`.
        block_length, exog_future
            Must be None (a BVAR has neither blocks nor exogenous regressors).

        Returns
        -------
        xarray.DataArray
            The layout of :func:`causalmacro.svar.density.density_forecast`: dims
            ``("period", "variable", "quantile")``, a ``point`` coordinate holding
            the posterior-mean forecast (:meth:`forecast`); ``attrs`` say ``posterior``.
        """
        if method != "posterior":
            raise ArgumentError(f"method {method!r}: a Bayesian VAR's density forecast is its posterior predictive; "
                                "valid: 'posterior'")
        if block_length is not None:
            raise ArgumentError("block_length applies to bootstrap density forecasts, not to a Bayesian VAR")
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
            raise ArgumentError(f"steps must be a positive int, got {steps!r}")
        level = check_level(level)
        draws = self.bootstrap(reps)
        gen = np.random.default_rng(np.random.SeedSequence(self.seed).spawn(3)[2] if rng is None else rng)
        rf, steps = self.reduced_form, int(steps)
        chol = np.linalg.cholesky(np.asarray(draws.sigma_u))
        errors = gen.standard_normal((draws.n_kept, steps, len(self.names))) @ np.swapaxes(chol, -1, -2)
        return paths_density(rf, draws, errors, level=level, exog_future=exog_future,
                             method="posterior predictive density (Gaussian errors, one posterior draw of the "
                                    "coefficients and Sigma per path)")

    def conditional_forecast(
        self,
        conditions: pd.DataFrame,
        steps: int | None = None,
        shocks: Any = None,
        draws: int = 0,
        rng: int | np.random.Generator | None = None,
        *,
        level: float = _VAR.level,
        exog_future: Any = None,
        parameters: Literal["bootstrap", "posterior", "point"] | BootstrapDraws | None = None,
    ) -> xr.Dataset:
        """The SVAR's conditional forecast or structural scenario, with the posterior's parameter uncertainty.

        The mean path is computed at the posterior mean (as the SVAR's at its
        estimate); with ``draws > 0`` path ``i`` uses identified posterior draw ``i``'s
        coefficients and impact matrix (cycling when ``draws`` exceeds them), so the
        bands mix the shocks' and the parameters' uncertainty. ``parameters``:
        ``None``, ``"posterior"`` or ``"bootstrap"`` (the posterior draws), ``"point"``
        (the posterior mean only) or draws of your own; the rest as in
        :meth:`SVARResults.conditional_forecast`.
        """
        chosen: Literal["point"] | BootstrapDraws | None
        if parameters is None or (isinstance(parameters, str) and parameters in ("bootstrap", "posterior")):
            chosen = self.posterior if draws > 0 else None
        elif isinstance(parameters, str) and parameters != "point":
            raise ArgumentError(f"parameters: unknown choice {parameters!r}; expected one of ['posterior', 'point'] "
                                "or parameter draws")
        else:
            chosen = parameters  # type: ignore[assignment]
        return super().conditional_forecast(conditions, steps, shocks, draws, rng, level=level,
                                            exog_future=exog_future, parameters=chosen)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write these results to ``path`` (a zip of JSON and ``.npy``; :mod:`causalmacro.bvar.io`).

        The BVAR's posterior, the scheme, the point identification and every
        identified draw's impact matrix are stored: :meth:`load` restores them
        without redrawing, so bands equal the saved ones.
        """
        from causalmacro.bvar.io import save_bvar

        return save_bvar(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BayesianSVARResults:  # type: ignore[override]
        """Read results written by :meth:`save`."""
        from causalmacro.bvar.io import load_bvar

        out = load_bvar(path, BVARResults, build_structural)
        if not isinstance(out, BayesianSVARResults):
            raise ArgumentError(f"{path} holds a BVAR without identification; read it with cm.BVARResults.load")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The SVAR's JSON summary (at the posterior mean) plus ``bvar`` (the BVAR's) and ``posterior_draws``."""
        post: BootstrapDraws = self.posterior
        return {**super().to_dict(), "bvar": self.bvar.to_dict(),
                "posterior_draws": {"draws": post.reps, "identified": post.n_kept}}

    def summary(self) -> str:
        """The SVAR summary at the posterior mean, headed by the Bayesian VAR's prior and draws."""
        post: BootstrapDraws = self.posterior
        head = (f"Structural Bayesian VAR: {self.identification.name} identification of {post.n_kept} of "
                f"{post.reps} posterior draws\n{self.bvar.summary()}\n")
        return head + super().summary()

    def __repr__(self) -> str:
        return (f"BayesianSVARResults(variables={list(self.names)}, lags={self.lags}, nobs={self.nobs}, "
                f"identification={self.identification.name!r}, draws={self.posterior.n_kept})")

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(self.summary()) + "</pre>"

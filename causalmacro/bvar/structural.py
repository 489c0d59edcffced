"""The structural layer of the Bayesian VAR: the package's identification schemes on posterior draws.

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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.errors import ArgumentError
from causalmacro.labelled import check_level
from causalmacro.spec.defaults import VAR as _VAR
from causalmacro.svar.bootstrap import BootstrapDraws, BootstrapMethod
from causalmacro.svar.density import paths_density
from causalmacro.svar.diagnostics import residual_diagnostics
from causalmacro.svar.dynamics import companion_roots
from causalmacro.svar.identification import Identification, Identified, Recursive
from causalmacro.svar.reduced_form import fit_reduced_form, split_params
from causalmacro.svar.results import Bands, SVARResults

if TYPE_CHECKING:
    from causalmacro.bvar.results import BVARResults

__all__ = ["BayesianSVARResults", "build_structural", "full_data"]


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

        out = load_bvar(path)
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

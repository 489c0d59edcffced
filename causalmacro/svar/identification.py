"""Identification schemes: from the reduced form to the impact matrix :math:`B_0^{-1}`.

Each scheme is a small frozen object with two methods: :meth:`Identification.identify`
for the point estimate and :meth:`Identification.identify_batch` for a stack of
bootstrap replications. This module holds the base class, the recursive (Cholesky)
scheme of Sims (1980) and the long-run scheme of Blanchard & Quah (1989); the
short-run A/B and sign-restriction schemes live in :mod:`~causalmacro.svar.short_run`
and :mod:`~causalmacro.svar.sign`.

References
----------
Sims, C. A. (1980). Macroeconomics and reality. *Econometrica* 48(1), 1-48.
Blanchard, O. J. & Quah, D. (1989). The dynamic effects of aggregate demand and
supply disturbances. *American Economic Review* 79(4), 655-673.
Kilian, L. & Lütkepohl, H. (2017). *Structural Vector Autoregressive Analysis*.
Cambridge University Press, ch. 8 (short-run) and 10 (long-run restrictions).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from causalmacro.errors import CausalMacroError
from causalmacro.labelled import freeze, frozen_array
from causalmacro.svar._frozen import thaw
from causalmacro.svar.reduced_form import ReducedForm

__all__ = [
    "Identification",
    "IdentificationError",
    "IdentificationName",
    "Identified",
    "LongRun",
    "Recursive",
]

IdentificationName = Literal["recursive", "short_run", "sign", "long_run", "volatility", "non_gaussian", "proxy"]


class IdentificationError(CausalMacroError, ValueError):
    """The restrictions cannot be met: rank condition fails, no convergence, no accepted draw."""


@dataclass(frozen=True, eq=False)
class Identified:
    """Outcome of identifying the point estimate.

    Attributes
    ----------
    impact : ndarray, shape (K, K)
        :math:`B_0^{-1}`; column ``j`` is the impact response to a one-standard-deviation shock ``j``.
    details : dict
        JSON-ready facts about the identification (convergence, acceptance rate, ...).
    accepted : ndarray or None, shape (n, K, K)
        For set-identified schemes, the impact matrices of all accepted models.
    weights : ndarray or None, shape (n,)
        Importance weights of the accepted models, summing to one (zero or
        narrative restrictions make the accepted draws a weighted sample of the
        set); None: all equal.
    """

    impact: np.ndarray
    details: Mapping[str, Any] = field(default_factory=dict)
    accepted: np.ndarray | None = None
    weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "impact", frozen_array(self.impact))
        object.__setattr__(self, "details", freeze(self.details))
        if self.accepted is not None:
            object.__setattr__(self, "accepted", frozen_array(self.accepted))
        if self.weights is not None:
            object.__setattr__(self, "weights", frozen_array(self.weights))

    def __reduce__(self) -> tuple[Any, ...]:
        # details is a read-only mapping, which pickle refuses: hand it over plain, frozen again on load
        return (Identified, (self.impact, thaw(self.details), self.accepted, self.weights))


class Identification(ABC):
    """Base class of identification schemes."""

    name: ClassVar[IdentificationName]
    #: Whether :meth:`identify_batch` needs each replication's residuals: schemes
    #: identified by the data's higher moments (changes in volatility, non-Gaussian
    #: shocks, an external instrument) re-estimate from them.
    needs_resid: ClassVar[bool] = False

    def aux_series(self, rf: ReducedForm) -> np.ndarray | None:
        """Series the bootstrap resamples together with the residuals, or None.

        An external instrument must be resampled with the same blocks (or the same
        Rademacher signs) as the residuals, so that its correlation with them, which
        identifies the shock, is kept in every replication (Jentsch & Lunsford 2022).

        Parameters
        ----------
        rf : ReducedForm

        Returns
        -------
        ndarray, shape (nobs, m), or None
            Rows aligned with ``rf.resid``; None (the default) when nothing rides along.
        """
        return None

    @abstractmethod
    def identify(self, rf: ReducedForm, rng: np.random.Generator) -> Identified:
        """Identify the point estimate.

        Parameters
        ----------
        rf : ReducedForm
        rng : numpy.random.Generator
            Used only by schemes that draw (sign restrictions).
        """

    @abstractmethod
    def identify_batch(
        self,
        coefs: np.ndarray,
        sigma: np.ndarray,
        point: Identified,
        rng: np.random.Generator,
        *,
        resid: np.ndarray | None = None,
        aux: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Identify a stack of replications.

        Parameters
        ----------
        coefs : ndarray, shape (R, p, K, K)
            Lag coefficients of ``R`` bootstrap replications.
        sigma : ndarray, shape (R, K, K)
            Their residual covariances.
        point : Identified
            The point identification, a warm start where one helps.
        rng : numpy.random.Generator
            Used only by schemes that draw (sign restrictions).
        resid : ndarray, shape (R, T, K), optional
            Each replication's residuals; given when the scheme's :attr:`needs_resid`.
        aux : ndarray, shape (R, T, m), optional
            The scheme's :meth:`aux_series`, resampled with the residuals.

        Returns
        -------
        impact : ndarray, shape (R, K, K)
            Impact matrices, NaN where a replication could not be identified.
        ok : ndarray of bool, shape (R,)
            False where a replication could not be identified.
        """

    #: What :meth:`strata` labels, recorded in the bootstrap draws (``BootstrapDraws.strata``).
    strata_name: ClassVar[str] = "strata"

    def strata(self, rf: ReducedForm) -> np.ndarray | None:
        """A stratum label per residual row that the bootstrap must not mix, or None.

        The block and residual bootstraps draw each row only from rows of its own
        stratum (blocks inside one span of the stratum); see
        :mod:`causalmacro.svar.bootstrap`.

        Parameters
        ----------
        rf : ReducedForm

        Returns
        -------
        ndarray of int, shape (nobs,), or None
            Rows aligned with ``rf.resid``; None (the default): no strata.
        """
        return None

    def check_bootstrap(self, method: str) -> None:
        """Raise :class:`~causalmacro.errors.ArgumentError` if bootstrap ``method`` is not valid for the scheme.

        The default accepts every method; a proxy SVAR refuses the wild bootstrap.
        """
        return None

    def describe(self) -> dict[str, Any]:
        """JSON-ready description of the scheme."""
        return {"scheme": self.name}


def _cholesky(sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched lower Cholesky factor; non-positive-definite entries are flagged."""
    try:
        return np.linalg.cholesky(sigma), np.ones(sigma.shape[:-2], dtype=bool)
    except np.linalg.LinAlgError:
        ok = np.all(np.linalg.eigvalsh(sigma) > 0, axis=-1)
        out = np.full(sigma.shape, np.nan)
        out[ok] = np.linalg.cholesky(sigma[ok])
        return out, ok


@dataclass(frozen=True)
class Recursive(Identification):
    """Recursive identification: Cholesky factor of :math:`\\Sigma_u` along the chain order.

    A shock to a variable moves it and every later variable on impact, none
    earlier (Sims 1980). Each shock raises its own variable (positive diagonal).
    The impact matrix :math:`B_0^{-1} = P` is the lower-triangular factor of
    :math:`\\Sigma_u = P P'`, so the order of the variables is the identifying
    assumption: in the chain ``inflation -> rates -> liquidity -> risk -> BTC``,
    BTC reacts within the period to every shock, and no macro variable reacts
    within the period to BTC's own shock. The scheme takes no options and is
    exactly identified; it is ``identification = "recursive"`` in a spec (the
    default) and ``SVAR(..., identification="recursive")``.

    See Also
    --------
    ShortRun : Other zero patterns on impact (the A/B model).
    LongRun : Zeros on the long-run responses instead.
    SignRestrictions : Signs of responses, set identification.

    Examples
    --------
    >>> res = cm.SVAR(df, order=["inflation", "real_rate", "btc"], identification=cm.Recursive()).fit()  # doctest: +SKIP
    >>> res.impact  # lower triangular  # doctest: +SKIP
    """

    #: The scheme's name: ``identification = "recursive"`` in specs and results.
    name: ClassVar[IdentificationName] = "recursive"

    def identify(self, rf: ReducedForm, rng: np.random.Generator) -> Identified:
        """Cholesky factor of the residual covariance.

        Parameters
        ----------
        rf : ReducedForm
            The least-squares reduced form (lag coefficients, residual covariance).
        rng : numpy.random.Generator
            Unused (the scheme draws nothing).

        Returns
        -------
        Identified
            The impact matrix (lower triangular, positive diagonal).
        """
        impact, ok = _cholesky(rf.sigma_u)
        if not ok.all():
            raise IdentificationError("residual covariance is not positive definite")
        return Identified(impact=impact, details={"scheme": self.name})

    def identify_batch(
        self,
        coefs: np.ndarray,
        sigma: np.ndarray,
        point: Identified,
        rng: np.random.Generator,
        *,
        resid: np.ndarray | None = None,
        aux: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cholesky factors of all replications in one call.

        ``point``, ``rng``, ``resid`` and ``aux`` are unused. Parameters and returns as in
        :meth:`Identification.identify_batch`.
        """
        return _cholesky(sigma)


def long_run_impact(coefs: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Blanchard-Quah impact matrix, batched.

    With :math:`\\Xi = (I - \\sum_j A_j)^{-1}`, the long-run impact
    :math:`\\Xi B_0^{-1}` is the lower Cholesky factor of :math:`\\Xi \\Sigma_u \\Xi'`,
    so :math:`B_0^{-1} = (I - \\sum_j A_j) \\operatorname{chol}(\\Xi \\Sigma_u \\Xi')`
    (Kilian & Lütkepohl 2017, sec. 10.1).

    Parameters
    ----------
    coefs : ndarray, shape (..., p, K, K)
    sigma : ndarray, shape (..., K, K)

    Returns
    -------
    impact : ndarray, shape (..., K, K)
    ok : ndarray of bool
    """
    k = sigma.shape[-1]
    a1 = np.eye(k) - coefs.sum(axis=-3)
    xi = np.linalg.inv(a1)
    omega = xi @ sigma @ np.swapaxes(xi, -1, -2)
    omega = 0.5 * (omega + np.swapaxes(omega, -1, -2))
    f, ok = _cholesky(omega)
    return a1 @ f, ok


@dataclass(frozen=True)
class LongRun(Identification):
    """Long-run identification (Blanchard & Quah 1989).

    Shock ``j`` has no long-run (cumulative) effect on variables earlier in the
    order: the matrix of long-run responses is lower triangular with a positive
    diagonal. Meant for data in differences; needs :math:`I - \\sum_j A_j` invertible.

    With :math:`\\Xi = (I - \\sum_j A_j)^{-1}`, the long-run (accumulated)
    responses :math:`\\Xi B_0^{-1}` are the lower Cholesky factor of
    :math:`\\Xi \\Sigma_u \\Xi'`, and the impact matrix follows as
    :math:`B_0^{-1} = (I - \\sum_j A_j) \\operatorname{chol}(\\Xi \\Sigma_u \\Xi')`
    (Kilian & Lütkepohl 2017, sec. 10.1). Impact responses are left free; only
    where each shock's effect ends up is restricted, so the order says which
    shocks may move a variable permanently. Accumulated responses of a variable in
    differences are the responses of its level. The scheme takes no options and is
    exactly identified; it is ``identification = "long_run"`` in a spec and
    ``SVAR(..., identification="long_run")``; :attr:`SVARResults.long_run`
    reports the long-run matrix.

    See Also
    --------
    Recursive : The same triangular pattern on impact instead.

    Examples
    --------
    >>> res = cm.SVAR(growth_rates, order=["output", "unemployment"], identification=cm.LongRun()).fit()  # doctest: +SKIP
    """

    #: The scheme's name: ``identification = "long_run"`` in specs and results.
    name: ClassVar[IdentificationName] = "long_run"

    def identify(self, rf: ReducedForm, rng: np.random.Generator) -> Identified:
        """Blanchard-Quah impact matrix of the point estimate.

        Parameters
        ----------
        rf : ReducedForm
            The least-squares reduced form (lag coefficients, residual covariance).
        rng : numpy.random.Generator
            Unused (the scheme draws nothing).

        Returns
        -------
        Identified
            The impact matrix whose long-run responses are lower triangular.
        """
        impact, ok = long_run_impact(np.asarray(rf.coefs), np.asarray(rf.sigma_u))
        if not ok.all():
            raise IdentificationError("long-run covariance is not positive definite")
        return Identified(impact=impact, details={"scheme": self.name})

    def identify_batch(
        self,
        coefs: np.ndarray,
        sigma: np.ndarray,
        point: Identified,
        rng: np.random.Generator,
        *,
        resid: np.ndarray | None = None,
        aux: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Blanchard-Quah impact matrices of all replications in one call.

        ``point``, ``rng``, ``resid`` and ``aux`` are unused. Parameters and returns as in
        :meth:`Identification.identify_batch`.
        """
        try:
            return long_run_impact(coefs, sigma)
        except np.linalg.LinAlgError:
            out = np.full(sigma.shape, np.nan)
            ok = np.zeros(sigma.shape[0], dtype=bool)
            for r in range(sigma.shape[0]):
                try:
                    out[r], ok_r = long_run_impact(coefs[r], sigma[r])
                    ok[r] = bool(ok_r)
                except np.linalg.LinAlgError:
                    continue
            return out, ok

"""Short-run A/B identification by maximum likelihood.

The AB-model :math:`A u_t = B \\varepsilon_t`, :math:`\\varepsilon_t \\sim N(0, I)`,
with some entries of ``A`` and ``B`` fixed (usually 0 or 1) and the rest free, is
estimated by maximising the concentrated Gaussian log-likelihood
(Lütkepohl 2005, sec. 9.1.2 and 9.3; Amisano & Giannini 1997)

.. math:: \\ell = c + T \\log|\\det A| - T \\log|\\det B|
          - \\tfrac{T}{2} \\operatorname{tr}(A' B'^{-1} B^{-1} A \\Sigma_u)

with BFGS and its analytic gradient. Unlike statsmodels' ``SVAR`` this checks the
order and rank conditions (Lütkepohl 2005, Prop. 9.4) before estimating, checks
convergence afterwards, and normalises signs so that each shock raises its own
variable on impact.

References
----------
Amisano, G. & Giannini, C. (1997). *Topics in Structural VAR Econometrics*, 2nd ed. Springer.
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy import optimize, stats

from causalmacro.errors import ArgumentError
from causalmacro.svar.identification import (
    Identification,
    IdentificationError,
    IdentificationName,
    Identified,
)
from causalmacro.svar.reduced_form import ReducedForm

__all__ = ["Pattern", "ShortRun"]

Pattern = Sequence[Sequence[float | int | str | None]] | np.ndarray


def parse_pattern(pattern: Pattern | None, k: int, label: str, default: str) -> np.ndarray:
    """Turn a restriction pattern into a float matrix with NaN marking free entries.

    Parameters
    ----------
    pattern : nested sequence or ndarray or None
        Numbers are fixed values; ``"*"``, ``None`` or NaN mark free entries.
    k : int
        Number of variables.
    label : str
        ``"A"`` or ``"B"``, for messages.
    default : {"identity", "diagonal"}
        Used when ``pattern`` is None: the identity, or a diagonal of free entries.
    """
    if pattern is None:
        out = np.eye(k)
        if default == "diagonal":
            out[np.diag_indices(k)] = np.nan
        return out
    rows = list(pattern)
    if len(rows) != k or any(len(list(r)) != k for r in rows):
        raise ArgumentError(f"short-run matrix {label} must be {k}x{k}")
    out = np.empty((k, k))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is None or (isinstance(v, str) and v.strip() in {"*", "E", "e"}):
                out[i, j] = np.nan
            elif isinstance(v, str):
                raise ArgumentError(f"short-run matrix {label}[{i}][{j}] = {v!r}: use a number or '*'")
            else:
                out[i, j] = float(v)
    return out


def _assemble(theta: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = a_pat.copy()
    b = b_pat.copy()
    na = int(np.isnan(a_pat).sum())
    a[np.isnan(a_pat)] = theta[:na]
    b[np.isnan(b_pat)] = theta[na:]
    return a, b


def _objective(
    theta: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray, sigma: np.ndarray
) -> tuple[float, np.ndarray]:
    """Negative log-likelihood per observation (up to a constant) and its gradient."""
    a, b = _assemble(theta, a_pat, b_pat)
    sign_a, logdet_a = np.linalg.slogdet(a)
    sign_b, logdet_b = np.linalg.slogdet(b)
    if sign_a == 0 or sign_b == 0:
        return 1e10, np.zeros_like(theta)
    b_inv = np.linalg.inv(b)
    m = b_inv @ a
    value = -logdet_a + logdet_b + 0.5 * float(np.trace(m @ sigma @ m.T))
    grad_a = -np.linalg.inv(a).T + b_inv.T @ m @ sigma
    grad_b = b_inv.T - b_inv.T @ m @ sigma @ m.T
    grad = np.concatenate([grad_a[np.isnan(a_pat)], grad_b[np.isnan(b_pat)]])
    return value, grad


def _implied_sigma(theta: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray) -> np.ndarray:
    a, b = _assemble(theta, a_pat, b_pat)
    s = np.linalg.solve(a, b)
    return s @ s.T


def _vech(m: np.ndarray) -> np.ndarray:
    return m[np.tril_indices(m.shape[0])]


def _jacobian_rank(theta: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray) -> int:
    """Rank of :math:`\\partial \\operatorname{vech} \\Sigma(\\theta) / \\partial \\theta'`."""
    eps = 1e-6
    cols = []
    for i in range(theta.size):
        up, dn = theta.copy(), theta.copy()
        up[i] += eps
        dn[i] -= eps
        cols.append((_vech(_implied_sigma(up, a_pat, b_pat)) - _vech(_implied_sigma(dn, a_pat, b_pat))) / (2 * eps))
    jac = np.column_stack(cols)
    sv = np.linalg.svd(jac, compute_uv=False)
    return int((sv > 1e-7 * max(sv[0], 1e-300)).sum())


@dataclass(frozen=True)
class ABFit:
    """Maximum-likelihood estimate of one AB-model."""

    a: np.ndarray
    b: np.ndarray
    theta: np.ndarray
    converged: bool
    n_iter: int
    loglike: float


def estimate_ab(
    sigma: np.ndarray,
    a_pat: np.ndarray,
    b_pat: np.ndarray,
    start: np.ndarray,
    *,
    maxiter: int = 500,
    gtol: float = 1e-8,
) -> ABFit:
    """Maximise the AB-model likelihood from ``start`` with BFGS.

    Parameters
    ----------
    sigma : ndarray, shape (K, K)
    a_pat, b_pat : ndarray
        Patterns from :func:`parse_pattern`.
    start : ndarray
        Free parameters, A's (row-major) first.
    maxiter, gtol : optional
        Passed to :func:`scipy.optimize.minimize`.
    """
    opt = optimize.minimize(
        _objective,
        start,
        args=(a_pat, b_pat, sigma),
        jac=True,
        method="BFGS",
        options={"maxiter": maxiter, "gtol": gtol},
    )
    theta = np.asarray(opt.x)
    _, grad = _objective(theta, a_pat, b_pat, sigma)
    implied = _implied_sigma(theta, a_pat, b_pat)
    k = sigma.shape[0]
    exact = int(np.isnan(a_pat).sum() + np.isnan(b_pat).sum()) == k * (k + 1) // 2
    # scale-relative, as in estimate_ab_batch: an elementwise rtol fails on near-zero covariances
    fits = (not exact) or bool(np.abs(implied - sigma).max() <= 1e-6 * np.abs(sigma).max())
    converged = bool(np.max(np.abs(grad)) < 1e-5 and fits and np.isfinite(opt.fun))
    a, b = _assemble(theta, a_pat, b_pat)
    return ABFit(a=a, b=b, theta=theta, converged=converged, n_iter=int(opt.nit), loglike=-float(opt.fun))


def _inv(m: np.ndarray) -> np.ndarray:
    """Batched inverse; singular members become NaN instead of failing the batch."""
    try:
        return np.linalg.inv(m)
    except np.linalg.LinAlgError:
        out = np.full(m.shape, np.nan)
        good = np.abs(np.linalg.det(m)) > 1e-300
        if good.any():
            with contextlib.suppress(np.linalg.LinAlgError):
                out[good] = np.linalg.inv(m[good])
        return out


def _assemble_batch(theta: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = theta.shape[0]
    a = np.broadcast_to(a_pat, (r, *a_pat.shape)).copy()
    b = np.broadcast_to(b_pat, (r, *b_pat.shape)).copy()
    na = int(np.isnan(a_pat).sum())
    a[:, np.isnan(a_pat)] = theta[:, :na]
    b[:, np.isnan(b_pat)] = theta[:, na:]
    return a, b


def _objective_batch(
    theta: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray, sigma: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_objective` for a stack of parameter vectors and covariances (inf where singular)."""
    a, b = _assemble_batch(theta, a_pat, b_pat)
    _, logdet_a = np.linalg.slogdet(a)
    _, logdet_b = np.linalg.slogdet(b)
    with np.errstate(all="ignore"):
        b_inv, a_inv = _inv(b), _inv(a)
        m = b_inv @ a
        msm = m @ sigma @ np.swapaxes(m, -1, -2)
        value = -logdet_a + logdet_b + 0.5 * np.trace(msm, axis1=-2, axis2=-1)
        b_inv_t = np.swapaxes(b_inv, -1, -2)
        grad_a = -np.swapaxes(a_inv, -1, -2) + b_inv_t @ m @ sigma
        grad_b = b_inv_t - b_inv_t @ msm
    grad = np.concatenate([grad_a[:, np.isnan(a_pat)], grad_b[:, np.isnan(b_pat)]], axis=1)
    value = np.where(np.isfinite(value) & np.isfinite(grad).all(axis=1), value, np.inf)
    return value, grad


def estimate_ab_batch(
    sigma: np.ndarray,
    a_pat: np.ndarray,
    b_pat: np.ndarray,
    start: np.ndarray,
    *,
    maxiter: int = 30,
    gtol: float = 1e-9,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximise many AB likelihoods at once by damped Newton steps.

    The gradient is analytic and batched; the Hessian is its forward difference
    (one batched gradient per free parameter); steps that do not lower a
    replication's objective are halved. All replications start from ``start``
    (the point estimate), which is close to each optimum.

    Parameters
    ----------
    sigma : ndarray, shape (R, K, K)
    a_pat, b_pat : ndarray
    start : ndarray, shape (n_free,)
    maxiter : int
    gtol : float
        Convergence when the largest absolute gradient entry is below ``gtol``.

    Returns
    -------
    a, b : ndarray, shape (R, K, K)
    converged : ndarray of bool, shape (R,)
    """
    r = sigma.shape[0]
    n = start.size
    theta = np.broadcast_to(start, (r, n)).copy()
    value, grad = _objective_batch(theta, a_pat, b_pat, sigma)
    done = np.max(np.abs(grad), axis=1) < gtol
    eye = np.eye(n)
    for _ in range(maxiter):
        act = np.flatnonzero(~done & np.isfinite(value))
        if act.size == 0:
            break
        th, g, v, sg = theta[act], grad[act], value[act], sigma[act]
        step = 1e-6 * np.maximum(1.0, np.abs(th))
        hess = np.empty((act.size, n, n))
        for i in range(n):
            shifted = th.copy()
            shifted[:, i] += step[:, i]
            hess[:, :, i] = (_objective_batch(shifted, a_pat, b_pat, sg)[1] - g) / step[:, i : i + 1]
        hess = 0.5 * (hess + np.swapaxes(hess, -1, -2))
        # regularise indefinite Hessians towards gradient descent
        low = np.linalg.eigvalsh(hess)[:, 0]
        shift = np.where(low < 1e-8, 1e-8 - low + 1e-3, 0.0)
        delta = -np.linalg.solve(hess + shift[:, None, None] * eye, g[..., None])[..., 0]
        scale = np.ones(act.size)
        new_th, (new_v, new_g) = th + delta, _objective_batch(th + delta, a_pat, b_pat, sg)
        for _ in range(20):
            worse = ~(new_v <= v + 1e-12 * np.abs(v))
            if not worse.any():
                break
            scale[worse] *= 0.5
            trial = th[worse] + scale[worse, None] * delta[worse]
            tv, tg = _objective_batch(trial, a_pat, b_pat, sg[worse])
            new_th[worse], new_v[worse], new_g[worse] = trial, tv, tg
        theta[act], value[act], grad[act] = new_th, new_v, new_g
        done[act] = np.max(np.abs(new_g), axis=1) < gtol
    a, b = _assemble_batch(theta, a_pat, b_pat)
    converged = np.max(np.abs(grad), axis=1) < 1e-6
    k = sigma.shape[-1]
    if int(np.isnan(a_pat).sum() + np.isnan(b_pat).sum()) == k * (k + 1) // 2:
        with np.errstate(all="ignore"):
            s = np.linalg.solve(a, b)
            implied = s @ np.swapaxes(s, -1, -2)
        scale_s = np.abs(sigma).max(axis=(-1, -2))
        converged &= np.abs(implied - sigma).max(axis=(-1, -2)) <= 1e-6 * scale_s
    return a, b, converged


def _normalise(a: np.ndarray, b: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Flip signs so each shock raises its own variable; return (A, B, all_positive)."""
    a, b = a.copy(), b.copy()
    impact = np.linalg.solve(a, b)
    ok = True
    for j in range(a.shape[0]):
        if impact[j, j] >= 0:
            continue
        fixed_b = ~np.isnan(b_pat[:, j]) & (b_pat[:, j] != 0)
        fixed_a = ~np.isnan(a_pat[j, :]) & (a_pat[j, :] != 0)
        if not fixed_b.any():
            b[:, j] *= -1
        elif not fixed_a.any():
            a[j, :] *= -1
        else:
            ok = False
    return a, b, ok


@dataclass(frozen=True)
class ShortRun(Identification):
    """Short-run restrictions on the AB-model :math:`A u_t = B \\varepsilon_t`.

    :math:`u_t` are the reduced-form residuals and :math:`\\varepsilon_t` the
    structural shocks, with unit variances: ``A`` says how the variables move
    each other within the period, ``B`` how the shocks load on them, and the
    impact matrix is :math:`B_0^{-1} = A^{-1} B`. The free entries are estimated
    by maximum likelihood given :math:`\\Sigma_u`; fixed entries (usually zeros)
    are the identifying restrictions, so any economically motivated pattern of
    contemporaneous effects can be imposed, recursive or not.

    Parameters
    ----------
    A, B : nested sequence or ndarray, optional
        ``K x K`` patterns: numbers are fixed, ``"*"`` or ``None`` (or NaN) are free.
        ``A`` defaults to the identity; ``B`` defaults to a free diagonal, so giving
        only a unit-diagonal ``A`` is the A-model and giving only ``B`` with ``A = I``
        is the B-model.
    maxiter : int
        Most BFGS iterations.

    Notes
    -----
    Needs ``n_free <= K (K + 1) / 2`` (order condition) and a full-column-rank
    Jacobian of :math:`\\operatorname{vech}\\Sigma(\\theta)` (rank condition,
    Lütkepohl 2005, Prop. 9.4); both are checked and an :class:`IdentificationError`
    names the failure. Over-identified models report the likelihood-ratio test of
    the over-identifying restrictions. In the bootstrap all replications are
    re-estimated together by batched damped-Newton steps warm-started at the point
    estimate; only replications that fail to converge fall back to a per-replication
    BFGS loop.

    In a spec this is ``identification = "short_run"`` with a ``[var.short_run]``
    table holding ``A`` and/or ``B``.

    Examples
    --------
    A recursive A-model written out (``"*"`` free, numbers fixed):

    >>> A = [[1, 0, 0], ["*", 1, 0], ["*", "*", 1]]
    >>> res = cm.SVAR(df, order=["inflation", "real_rate", "btc"], identification="short_run", A=A).fit()  # doctest: +SKIP
    >>> res.A, res.B  # doctest: +SKIP
    """

    A: Pattern | None = None
    B: Pattern | None = None
    maxiter: int = 500
    #: The scheme's name: ``identification = "short_run"`` in specs and results.
    name: ClassVar[IdentificationName] = "short_run"

    def __post_init__(self) -> None:
        sizes = {label: len(list(p)) for label, p in (("A", self.A), ("B", self.B)) if p is not None}
        for label, size in sizes.items():
            parse_pattern(getattr(self, label), size, label, "identity")  # square, numbers or '*'
        if len(set(sizes.values())) > 1:
            raise ArgumentError(f"short-run matrices A and B must have the same size, got {sizes['A']} and {sizes['B']}")
        if isinstance(self.maxiter, bool) or not isinstance(self.maxiter, int) or self.maxiter < 1:
            raise ArgumentError(f"maxiter must be a positive int, got {self.maxiter!r}")

    def patterns(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Parsed ``A`` and ``B`` patterns for ``k`` variables.

        Parameters
        ----------
        k : int
            Number of variables.

        Returns
        -------
        A, B : ndarray, shape (k, k)
            Fixed entries as numbers, free entries as NaN; the defaults (identity
            ``A``, free diagonal ``B``) where a pattern was not given.
        """
        return parse_pattern(self.A, k, "A", "identity"), parse_pattern(self.B, k, "B", "diagonal")

    def _start(self, a_pat: np.ndarray, b_pat: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        a0 = np.where(np.isnan(a_pat), np.eye(len(sigma)), a_pat)
        b0 = np.where(np.isnan(b_pat), np.diag(np.sqrt(np.diag(sigma))), b_pat)
        return np.concatenate([a0[np.isnan(a_pat)], b0[np.isnan(b_pat)]])

    def identify(self, rf: ReducedForm, rng: np.random.Generator) -> Identified:
        """Estimate A and B by maximum likelihood and check identification.

        Parameters
        ----------
        rf : ReducedForm
            The least-squares reduced form (lag coefficients, residual covariance).
        rng : numpy.random.Generator
            Unused (the estimation draws nothing).

        Returns
        -------
        Identified
            The impact matrix :math:`A^{-1} B`; ``details`` hold ``A``, ``B``, the
            iterations and, when over-identified, the LR test ``overid_lr``.

        Raises
        ------
        IdentificationError
            The order or rank condition fails, or the estimation does not converge.
        """
        sigma = np.asarray(rf.sigma_u)
        k = sigma.shape[0]
        a_pat, b_pat = self.patterns(k)
        n_free = int(np.isnan(a_pat).sum() + np.isnan(b_pat).sum())
        n_moments = k * (k + 1) // 2
        if n_free > n_moments:
            raise IdentificationError(
                f"short-run restrictions leave {n_free} free entries in A and B; at most {n_moments} can be identified"
            )
        # generic (deterministic, irrational-spaced) point for the rank condition
        generic = 0.3 + ((np.arange(1, n_free + 1) * 0.6180339887498949) % 1.0)
        rank = _jacobian_rank(generic, a_pat, b_pat)
        if rank < n_free:
            raise IdentificationError(
                f"short-run restrictions fail the rank condition: Jacobian rank {rank} < {n_free} free entries"
            )
        start = self._start(a_pat, b_pat, sigma)
        fit = estimate_ab(sigma, a_pat, b_pat, start, maxiter=self.maxiter)
        if not fit.converged:
            alt = start.copy()
            alt[: int(np.isnan(a_pat).sum())] += 0.1
            fit = estimate_ab(sigma, a_pat, b_pat, alt, maxiter=self.maxiter * 4)
        if not fit.converged:
            raise IdentificationError(
                f"short-run ML estimation did not converge after {fit.n_iter} BFGS iterations"
            )
        if _jacobian_rank(fit.theta, a_pat, b_pat) < n_free:
            raise IdentificationError("short-run restrictions fail the rank condition at the estimate")
        a, b, normalised = _normalise(fit.a, fit.b, a_pat, b_pat)
        impact = np.linalg.solve(a, b)
        details: dict[str, Any] = {
            "scheme": self.name,
            "A": a.tolist(),
            "B": b.tolist(),
            "converged": True,
            "iterations": fit.n_iter,
            "n_free": n_free,
            "signs_normalised": normalised,
        }
        n_over = n_moments - n_free
        if n_over > 0:
            implied = np.linalg.solve(a, b) @ np.linalg.solve(a, b).T
            lr = rf.nobs * (np.linalg.slogdet(implied)[1] - np.linalg.slogdet(sigma)[1])
            details["overid_lr"] = {"statistic": float(lr), "df": n_over, "pvalue": float(stats.chi2.sf(lr, n_over))}
        return Identified(impact=impact, details=details)

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
        """Re-estimate A and B in every replication, warm-started at the point estimate.

        All replications take batched damped-Newton steps together
        (:func:`estimate_ab_batch`); the few that do not converge are re-tried one
        by one with BFGS.

        ``point``'s ``A`` and ``B`` are the warm start; ``rng``, ``resid`` and ``aux``
        are unused. Parameters and returns as in :meth:`Identification.identify_batch`.
        """
        k = sigma.shape[-1]
        a_pat, b_pat = self.patterns(k)
        a_hat = np.asarray(point.details["A"])
        b_hat = np.asarray(point.details["B"])
        start = np.concatenate([a_hat[np.isnan(a_pat)], b_hat[np.isnan(b_pat)]])
        a_all, b_all, conv = estimate_ab_batch(sigma, a_pat, b_pat, start)
        out = np.full(sigma.shape, np.nan)
        ok = np.zeros(sigma.shape[0], dtype=bool)
        for r in range(sigma.shape[0]):
            if conv[r]:
                a_r, b_r = a_all[r], b_all[r]
            else:
                fit = estimate_ab(sigma[r], a_pat, b_pat, start, maxiter=self.maxiter)
                if not fit.converged:
                    continue
                a_r, b_r = fit.a, fit.b
            a_n, b_n, good = _normalise(a_r, b_r, a_pat, b_pat)
            out[r] = np.linalg.solve(a_n, b_n)
            ok[r] = good
        return out, ok

    def describe(self) -> dict[str, Any]:
        """Scheme name and the restriction patterns (None for free).

        Returns
        -------
        dict
            ``{"scheme": "short_run", "A": ..., "B": ...}``, each pattern a list of
            rows (None when not given).
        """

        def enc(p: Pattern | None) -> Any:
            if p is None:
                return None
            return [[None if (v is None or isinstance(v, str) or np.isnan(float(v))) else float(v) for v in row] for row in p]

        return {"scheme": self.name, "A": enc(self.A), "B": enc(self.B)}

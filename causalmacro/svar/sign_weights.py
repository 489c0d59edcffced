"""Importance weights of sign-and-zero-restricted draws, and weighted quantiles.

Algorithm 2 of Arias, Rubio-Ramírez & Waggoner (2018) draws each column of the
rotation :math:`Q` uniformly on the unit sphere of the null space left by the zero
restrictions and the columns already drawn. With more than one zero-restricted
shock, the distribution this induces on the restricted set is *not* the
conditionally uniform-normal prior restricted to the zeros: the draws must be
re-weighted by the ratio of two volume elements (ARW 2018, Theorem 4 and
Algorithm 2, step 4),

.. math::

    \\omega \\propto \\frac{v_{g}(\\tilde q)}{v_{f_h|Z}(A_0, A_+)},

where :math:`g` maps the sphere coordinates :math:`\\tilde q` (restricted to the
product of unit spheres) to :math:`Q`, and :math:`f_h` maps the structural
parameters (restricted to the zero-restriction manifold) to
:math:`(B, \\Sigma, Q)`. The reduced form :math:`(B, \\Sigma)` is held fixed here
(the set at one reduced form), so every factor that depends on it alone is a
constant: with zeros on impact only, the :math:`A_+` block of :math:`f_h` factors
out (its Jacobian determinant is :math:`|\\det A_0|^{-m}`, a function of
:math:`\\Sigma`), and :math:`v_{f_h|Z}` reduces to the volume element of
:math:`A_0 \\mapsto (\\Sigma, Q)` on the manifold of :math:`A_0` meeting the zeros.
Both volume elements are computed as in ARW's replication code, from central
numerical derivatives, :math:`\\tfrac12 \\log\\det(N' Df' Df N)` with :math:`N`
an orthonormal basis of the manifold's tangent space; here vectorised over draws.

The weighted draws do not depend on the order in which the columns are drawn
(the proposal does), which the tests check.

References
----------
Arias, J. E., Rubio-Ramírez, J. F. & Waggoner, D. F. (2018). Inference based on SVARs
identified with sign and zero restrictions: theory and applications. *Econometrica*
86(2), 685-720.
Kish, L. (1965). *Survey Sampling*. Wiley (effective sample size of weights).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["arw_log_weights", "build_order", "effective_sample_size", "weighted_quantile"]

_EPS = 1e-6


def build_order(zeros: Sequence[Sequence[int]]) -> list[int]:
    """Order in which the columns of :math:`Q` are drawn: most zero restrictions first (stable)."""
    return sorted(range(len(zeros)), key=lambda s: -len(zeros[s]))


def _perp(x: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the complement of the columns of ``x`` (n, K, r): (n, K, K - r).

    From a complete Householder QR, which is smooth in ``x`` (needed for the
    numerical derivatives), unlike an SVD basis.
    """
    n, k, r = x.shape
    if r == 0:
        return np.broadcast_to(np.eye(k), (n, k, k))
    q, _ = np.linalg.qr(x, mode="complete")
    return q[..., r:]


def _log_volume(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, tangent: np.ndarray) -> np.ndarray:
    """``0.5 log det(T' Df' Df T)`` at ``x`` (n, d), ``f`` batched (n, d) -> (n, m), ``T`` (n, d, t)."""
    d = x.shape[1]
    cols = []
    for i in range(d):
        e = np.zeros(d)
        e[i] = _EPS
        cols.append((f(x + e) - f(x - e)) / (2 * _EPS))
    df = np.stack(cols, axis=-1)  # (n, m, d)
    j = df @ tangent
    _, logdet = np.linalg.slogdet(np.swapaxes(j, -1, -2) @ j)
    return 0.5 * logdet


def _spheres_to_q(x: np.ndarray, zrows: list[np.ndarray], order: list[int], k: int) -> np.ndarray:
    """ARW's map from sphere coordinates (n, d) to vec Q (n, K*K), columns drawn in ``order``."""
    n = x.shape[0]
    q = np.zeros((n, k, k))
    pos = 0
    done: list[int] = []
    for j in order:
        x_prev = np.concatenate([q[:, :, done], np.swapaxes(zrows[j], -1, -2)], axis=-1)
        basis = _perp(x_prev)
        s = basis.shape[-1]
        q[:, :, j] = np.einsum("nks,ns->nk", basis, x[:, pos : pos + s])
        pos += s
        done.append(j)
    return q.reshape(n, k * k)


def arw_log_weights(chol: np.ndarray, q: np.ndarray, zeros: Sequence[Sequence[int]],
                    order: Sequence[int] | None = None) -> np.ndarray:
    """Log importance weights (up to a constant) of rotations drawn by ARW's Algorithm 2.

    Parameters
    ----------
    chol : ndarray, shape (K, K)
        Lower Cholesky factor of :math:`\\Sigma_u` (the reduced form is fixed).
    q : ndarray, shape (n, K, K)
        Accepted rotations; impact is ``chol @ q`` (before any sign flip of a column).
    zeros : sequence of sequences of int
        ``zeros[j]``: variables whose impact response to shock ``j`` is zero.
    order : sequence of int, optional
        The order the columns were drawn in (default :func:`build_order`).

    Returns
    -------
    ndarray, shape (n,)
        :math:`\\log v_g(\\tilde q) - \\log v_{f_h|Z}(A_0)`; zeros when no shock has
        zero restrictions.
    """
    n, k, _ = q.shape
    if not any(zeros):
        return np.zeros(n)
    order = build_order(zeros) if order is None else list(order)
    zrows = [np.broadcast_to(chol[list(zeros[j]), :], (n, len(zeros[j]), k)) for j in range(k)]
    # sphere coordinates of each draw, in the same bases as the map
    parts: list[np.ndarray] = []
    done: list[int] = []
    for j in order:
        basis = _perp(np.concatenate([q[:, :, done], np.swapaxes(zrows[j], -1, -2)], axis=-1))
        parts.append(np.einsum("nks,nk->ns", basis, q[:, :, j]))
        done.append(j)
    x = np.concatenate(parts, axis=-1)
    d = x.shape[1]
    tangent = np.zeros((n, d, d - len(parts)))
    r = c = 0
    for p in parts:
        s = p.shape[1]
        tangent[:, r : r + s, c : c + s - 1] = _perp(p[:, :, None])
        r, c = r + s, c + s - 1
    log_g = _log_volume(lambda y: _spheres_to_q(y, zrows, order, k), x, tangent)

    # A0 = chol'^{-1} Q  ->  (vech-free) (Sigma, Q) with Sigma = (A0 A0')^{-1}, Q = chol(Sigma)' A0
    a0 = np.linalg.solve(chol.T, q).reshape(n, k * k)

    def fh(y: np.ndarray) -> np.ndarray:
        a = y.reshape(-1, k, k)
        sigma = np.linalg.inv(a @ np.swapaxes(a, -1, -2))
        sigma = 0.5 * (sigma + np.swapaxes(sigma, -1, -2))
        u = np.swapaxes(np.linalg.cholesky(sigma), -1, -2)
        return np.concatenate([sigma.reshape(-1, k * k), (u @ a).reshape(-1, k * k)], axis=-1)

    def hz(y: np.ndarray) -> np.ndarray:
        l0 = np.swapaxes(np.linalg.inv(y.reshape(-1, k, k)), -1, -2)
        return np.concatenate([l0[:, list(zeros[j]), j] for j in range(k) if zeros[j]], axis=-1)

    cols = []
    for i in range(k * k):
        e = np.zeros(k * k)
        e[i] = _EPS
        cols.append((hz(a0 + e) - hz(a0 - e)) / (2 * _EPS))
    dh = np.stack(cols, axis=-1)  # (n, nz, K*K)
    log_fhz = _log_volume(fh, a0, _perp(np.swapaxes(dh, -1, -2)))
    return log_g - log_fhz


def normalise_log_weights(logw: np.ndarray) -> np.ndarray:
    """Weights summing to one from log weights (max-shifted)."""
    w = np.exp(logw - logw.max())
    return w / w.sum()


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size :math:`1 / \\sum_i w_i^2` of normalised weights."""
    return float(1.0 / np.sum(np.square(weights)))


def weighted_quantile(x: np.ndarray, weights: np.ndarray | None, q: Sequence[float] | np.ndarray) -> np.ndarray:
    """Quantiles of ``x`` along axis 0 under ``weights`` (None: equal, as :func:`numpy.quantile`).

    The weighted quantile is the inverse of the weighted empirical distribution,
    interpolated linearly between the midpoints of the draws' probability masses
    (Hazen's rule); with equal weights it is ``numpy.quantile(..., method="hazen")``.

    Parameters
    ----------
    x : ndarray, shape (n, ...)
    weights : ndarray, shape (n,), or None
    q : sequence of float

    Returns
    -------
    ndarray, shape (len(q), ...)
    """
    qs = np.asarray(q, dtype=np.float64)
    if weights is None:
        return np.quantile(x, qs, axis=0)
    w = np.asarray(weights, dtype=np.float64)
    x, w = x[w > 0], w[w > 0] / np.sum(w)  # draws without mass do not enter the distribution
    order = np.argsort(x, axis=0)
    xs = np.take_along_axis(x, order, axis=0)
    ws = w[order]
    cdf = np.cumsum(ws, axis=0) - 0.5 * ws
    flat_x = xs.reshape(x.shape[0], -1)
    flat_c = cdf.reshape(x.shape[0], -1)
    out = np.empty((qs.size, flat_x.shape[1]))
    for col in range(flat_x.shape[1]):
        out[:, col] = np.interp(qs, flat_c[:, col], flat_x[:, col])
    return out.reshape(qs.size, *x.shape[1:])

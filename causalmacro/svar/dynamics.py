"""Moving-average dynamics of a VAR, batched over replications.

Every function accepts arrays with any number of leading batch axes, so the same
code serves the point estimate and thousands of bootstrap replications at once.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*.
Springer. Sec. 2.1.2 (MA representation, eq. 2.1.22), 2.2.2 (FEVD, eq. 2.2.36),
2.1.1 (companion form and stability).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "companion_roots",
    "fevd_shares",
    "is_stable",
    "ma_coefficients",
    "structural_irf",
]


def ma_coefficients(coefs: np.ndarray, horizon: int) -> np.ndarray:
    """Reduced-form MA coefficients :math:`\\Phi_0, \\dots, \\Phi_H`.

    :math:`\\Phi_0 = I` and :math:`\\Phi_i = \\sum_{j=1}^{\\min(i,p)} \\Phi_{i-j} A_j`
    (Lütkepohl 2005, eq. 2.1.22).

    Parameters
    ----------
    coefs : ndarray, shape (..., p, K, K)
        Lag matrices :math:`A_1, \\dots, A_p`.
    horizon : int
        Last horizon :math:`H`.

    Returns
    -------
    ndarray, shape (..., H + 1, K, K)
    """
    *batch, p, k, _ = coefs.shape
    phi = np.zeros((*batch, horizon + 1, k, k))
    phi[..., 0, :, :] = np.eye(k)
    for i in range(1, horizon + 1):
        acc = phi[..., i, :, :]
        for j in range(1, min(i, p) + 1):
            acc += phi[..., i - j, :, :] @ coefs[..., j - 1, :, :]
    return phi


def structural_irf(
    coefs: np.ndarray, impact: np.ndarray, horizon: int, *, cumulative: bool = False
) -> np.ndarray:
    """Structural responses :math:`\\Theta_i = \\Phi_i B_0^{-1}`.

    Computed by the left recursion :math:`\\Theta_i = \\sum_{j=1}^{\\min(i,p)} A_j \\Theta_{i-j}`,
    :math:`\\Theta_0 = B_0^{-1}` (equivalent to eq. 2.1.22 times :math:`B_0^{-1}`),
    one stacked matrix product per horizon.

    Parameters
    ----------
    coefs : ndarray, shape (..., p, K, K)
    impact : ndarray, shape (..., K, K)
        Impact matrix :math:`B_0^{-1}`: column ``j`` is the impact response to shock ``j``.
    horizon : int
    cumulative : bool
        Return running sums over horizons.

    Returns
    -------
    ndarray, shape (..., H + 1, K, K), axes (horizon, response, shock).
    """
    *batch, p, k, _ = coefs.shape
    batch = list(np.broadcast_shapes(tuple(batch), impact.shape[:-2]))
    theta = np.empty((*batch, horizon + 1, k, k))
    theta[..., 0, :, :] = impact
    stacked = np.concatenate([coefs[..., j, :, :] for j in range(p)], axis=-1)  # [A_1 ... A_p]
    for i in range(1, horizon + 1):
        n = min(i, p)
        prev = theta[..., i - n : i, :, :][..., ::-1, :, :].reshape(*batch, n * k, k)
        theta[..., i, :, :] = stacked[..., :, : n * k] @ prev
    return np.cumsum(theta, axis=-3) if cumulative else theta


def fevd_shares(theta: np.ndarray) -> np.ndarray:
    """Forecast-error variance shares for forecast horizons ``1..H``.

    Parameters
    ----------
    theta : ndarray, shape (..., H, K, K)
        Structural responses at horizons ``0..H-1`` whose impact columns
        reproduce the residual covariance.

    Returns
    -------
    ndarray, shape (..., H, K, K)
        Entry ``[h-1, k, j]`` is the share of the ``h``-step-ahead forecast-error
        variance of variable ``k`` due to shock ``j`` (Lütkepohl 2005, eq. 2.2.36).
    """
    contrib = np.cumsum(theta**2, axis=-3)
    return contrib / contrib.sum(axis=-1, keepdims=True)


def companion_roots(coefs: np.ndarray) -> np.ndarray:
    """Moduli of the eigenvalues of the companion matrix, largest first.

    The VAR is stable when all are below one (Lütkepohl 2005, eq. 2.1.9).

    Parameters
    ----------
    coefs : ndarray, shape (..., p, K, K)

    Returns
    -------
    ndarray, shape (..., K p)
    """
    *batch, p, k, _ = coefs.shape
    comp = np.zeros((*batch, k * p, k * p))
    comp[..., :k, :] = np.concatenate([coefs[..., j, :, :] for j in range(p)], axis=-1)
    if p > 1:
        comp[..., k:, : k * (p - 1)] = np.eye(k * (p - 1))
    mods = np.abs(np.linalg.eigvals(comp))
    return -np.sort(-mods, axis=-1)


def is_stable(coefs: np.ndarray, squarings: int = 8) -> np.ndarray:
    """Whether each VAR in a stack is stable (all companion roots inside the unit circle).

    A cheap certificate first: :math:`\\rho(C)^n \\le \\lVert C^n \\rVert_F`, so
    :math:`\\lVert C^{2^m} \\rVert_F < 1` proves stability with ``m`` stacked
    squarings. Only the systems it cannot certify get an eigenvalue decomposition.

    Parameters
    ----------
    coefs : ndarray, shape (R, p, K, K)
    squarings : int

    Returns
    -------
    ndarray of bool, shape (R,)
    """
    r, p, k, _ = coefs.shape
    comp = np.zeros((r, k * p, k * p))
    comp[:, :k, :] = np.concatenate([coefs[:, j] for j in range(p)], axis=-1)
    if p > 1:
        comp[:, k:, : k * (p - 1)] = np.eye(k * (p - 1))
    power = comp
    with np.errstate(all="ignore"):
        for _ in range(squarings):
            power = power @ power
        ok = np.sqrt(np.square(power).sum(axis=(-1, -2))) < 1.0
    unsure = np.flatnonzero(~ok)
    if unsure.size:
        ok[unsure] = np.abs(np.linalg.eigvals(comp[unsure])).max(axis=-1) < 1.0
    return ok

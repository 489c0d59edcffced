"""Historical decomposition of a (VARX) sample into shock, deterministic and exogenous paths, batched.

With structural shocks :math:`\\varepsilon_t = B_0 u_t`, the data split into

.. math:: y_t = d_t + x^c_t + \\sum_j \\sum_{i=0}^{t-p-1} \\Theta_{i,\\cdot j}\\, \\varepsilon_{j,t-i},

where :math:`d_t` is the path of the trend terms and the first ``p``
observations with every shock off, and :math:`x^c_t = \\Gamma_x' x_t + \\sum_j
A_j x^c_{t-j}` (from zero) that of the exogenous regressors (Kilian & Lütkepohl
2017, sec. 4.3). Every function takes any number of leading batch axes on the
parameters, so the same code gives the point decomposition and one per
bootstrap replication of the *observed* sample (for bands).

References
----------
Kilian, L. & Lütkepohl, H. (2017). *Structural Vector Autoregressive Analysis*. CUP, sec. 4.3.
"""

from __future__ import annotations

import numpy as np

__all__ = ["historical_contributions"]


def historical_contributions(
    z: np.ndarray,
    y: np.ndarray,
    params: np.ndarray,
    coefs: np.ndarray,
    impact: np.ndarray,
    *,
    k_trend: int,
    k_exog: int,
) -> np.ndarray:
    """Contributions of each shock, the deterministic path and the exogenous path.

    Parameters
    ----------
    z : ndarray, shape (n, m)
        Regressors of the effective sample: trend terms, exogenous columns, lags
        (:func:`~causalmacro.svar.reduced_form.lag_matrix`).
    y : ndarray, shape (p + n, K)
        The data, all rows.
    params : ndarray, shape (..., m, K)
        Stacked coefficients in statsmodels' layout.
    coefs : ndarray, shape (..., p, K, K)
        Lag matrices (the lag rows of ``params``, possibly bias-corrected).
    impact : ndarray, shape (..., K, K)
        :math:`B_0^{-1}`.
    k_trend, k_exog : int
        Number of trend and exogenous rows at the top of ``params``.

    Returns
    -------
    ndarray, shape (..., n, K, K + 1 + (k_exog > 0))
        ``[..., t, variable, term]``; terms are the shocks in order, then the
        deterministic path, then (with exog) the exogenous path. The sum over
        terms equals ``y[p:]``.
    """
    *batch, p, k, _ = coefs.shape
    n = z.shape[0]
    y0 = y[p:]
    u = y0 - z @ params  # (..., n, K)
    eps = np.swapaxes(np.linalg.solve(impact, np.swapaxes(u, -1, -2)), -1, -2)
    det_mean = z[:, :k_trend] @ params[..., :k_trend, :]
    exo_mean = z[:, k_trend : k_trend + k_exog] @ params[..., k_trend : k_trend + k_exog, :]
    coefs_t = np.swapaxes(coefs, -1, -2)
    impact_t = np.swapaxes(impact, -1, -2)
    contrib = np.zeros((*batch, p + n, k, k))  # [..., t, shock, variable]
    base = np.zeros((*batch, p + n, k))
    base[..., :p, :] = y[:p]
    exo = np.zeros((*batch, p + n, k))
    for t in range(n):
        acc_c = impact_t * eps[..., t, :, None]  # row j: impact column j times eps_j
        acc_d = det_mean[..., t, :].copy()
        acc_x = exo_mean[..., t, :].copy()
        for j in range(p):
            acc_c = acc_c + contrib[..., p + t - 1 - j, :, :] @ coefs_t[..., j, :, :]
            acc_d = acc_d + (base[..., p + t - 1 - j, None, :] @ coefs_t[..., j, :, :])[..., 0, :]
            acc_x = acc_x + (exo[..., p + t - 1 - j, None, :] @ coefs_t[..., j, :, :])[..., 0, :]
        contrib[..., p + t, :, :] = acc_c
        base[..., p + t, :] = acc_d
        exo[..., p + t, :] = acc_x
    parts = [np.swapaxes(contrib[..., p:, :, :], -1, -2), base[..., p:, :, None]]
    if k_exog:
        parts.append(exo[..., p:, :, None])
    return np.concatenate(parts, axis=-1)

"""Asymptotic inference for the short-run AB-model: information matrix, standard errors, LR test.

For :math:`A u_t = B \\varepsilon_t`, :math:`\\varepsilon_t \\sim N(0, I_K)`, with
:math:`\\operatorname{vec} A = R_A \\gamma_A + r_A` and :math:`\\operatorname{vec} B = R_B \\gamma_B + r_B`,
the ML estimator of the free parameters :math:`\\gamma = (\\gamma_A', \\gamma_B')'` satisfies
:math:`\\sqrt{T}(\\hat\\gamma - \\gamma) \\to N(0, \\mathcal{I}_a(\\gamma)^{-1})`
(Lütkepohl 2005, Prop. 9.3, sec. 9.3.2), with the per-observation information

.. math::
   \\mathcal{I}_a(\\gamma) = R' \\begin{bmatrix} -\\left((A^{-1}B)' \\otimes B^{-1}\\right)' \\\\
   (I_K \\otimes B^{-1})' \\end{bmatrix} (I_{K^2} + K_{KK})
   \\begin{bmatrix} -(A^{-1}B)' \\otimes B^{-1} & I_K \\otimes B^{-1} \\end{bmatrix} R,

:math:`R = \\operatorname{diag}(R_A, R_B)` and :math:`K_{KK}` the commutation matrix. This is the
Fisher information :math:`\\tfrac12 D'(\\Sigma^{-1} \\otimes \\Sigma^{-1}) D` of
:math:`\\Sigma(\\gamma) = A^{-1} B B' A'^{-1}`, :math:`D = \\partial \\operatorname{vec}\\Sigma / \\partial\\gamma'`,
evaluated at the estimate. The covariance of :math:`\\hat\\gamma` is :math:`(T \\mathcal{I}_a)^{-1}`,
the inverse information restricted to the free entries; fixed entries have standard error 0.
This is what R's ``vars::SVAR`` reports with its default ``estmethod = "scoring"``
(``Ase``/``Bse``: :math:`\\sqrt{\\operatorname{diag}(R\\,\\mathcal{I}(\\gamma)^{-1}R')}` with
``obs`` observations and the degrees-of-freedom corrected :math:`\\hat\\Sigma_u`).

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer, ch. 9.
Amisano, G. & Giannini, C. (1997). *Topics in Structural VAR Econometrics*, 2nd ed. Springer.
Pfaff, B. (2008). VAR, SVAR and SVEC models: implementation within R package vars.
*Journal of Statistical Software* 27(4).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from causalmacro.svar.diagnostics import TestResult

__all__ = ["ab_covariance", "ab_information", "ab_standard_errors", "free_labels", "overid_test"]


def _commutation(k: int) -> np.ndarray:
    """:math:`K_{kk}` with :math:`K_{kk} \\operatorname{vec} M = \\operatorname{vec} M'` (column-major vec)."""
    out = np.zeros((k * k, k * k))
    for i in range(k):
        for j in range(k):
            out[i * k + j, j * k + i] = 1.0
    return out


def _selection(pattern: np.ndarray) -> np.ndarray:
    """:math:`R` with :math:`\\operatorname{vec} M = R \\gamma + r`; ``gamma`` in row-major order of the free entries.

    Row-major order is the order :func:`~causalmacro.svar.short_run.estimate_ab`
    stores the free parameters in; ``vec`` is column-major as in Lütkepohl.
    """
    k = pattern.shape[0]
    rows, cols = np.nonzero(np.isnan(pattern))  # row-major
    out = np.zeros((k * k, rows.size))
    out[cols * k + rows, np.arange(rows.size)] = 1.0
    return out


def ab_information(a: np.ndarray, b: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray) -> np.ndarray:
    """Per-observation Fisher information of the free entries of A and B.

    Parameters
    ----------
    a, b : ndarray, shape (K, K)
        Estimated A and B (after sign normalisation; the standard errors do not
        depend on it).
    a_pat, b_pat : ndarray, shape (K, K)
        Restriction patterns, NaN marking free entries
        (:func:`~causalmacro.svar.short_run.parse_pattern`).

    Returns
    -------
    ndarray, shape (n_free, n_free)
        :math:`\\mathcal{I}_a(\\gamma)` of Lütkepohl (2005, Prop. 9.3); free entries
        of A first, each matrix in row-major order.
    """
    k = a.shape[0]
    b_inv = np.linalg.inv(b)
    c = np.linalg.solve(a, b)  # A^{-1} B, the impact matrix
    j_a = -1.0 * np.kron(c.T, b_inv)
    j_b = np.kron(np.eye(k), b_inv)
    jac = np.hstack([j_a @ _selection(a_pat), j_b @ _selection(b_pat)])
    info = jac.T @ (np.eye(k * k) + _commutation(k)) @ jac
    return 0.5 * (info + info.T)


def ab_covariance(
    a: np.ndarray, b: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray, nobs: int
) -> np.ndarray:
    """Asymptotic covariance :math:`(T\\,\\mathcal{I}_a)^{-1}` of the free A and B entries.

    Parameters
    ----------
    a, b, a_pat, b_pat
        As in :func:`ab_information`.
    nobs : int
        Effective number of observations :math:`T`.

    Returns
    -------
    ndarray, shape (n_free, n_free)
    """
    return np.linalg.inv(nobs * ab_information(a, b, a_pat, b_pat))


def ab_standard_errors(
    a: np.ndarray, b: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray, nobs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Standard errors of A and B as matrices; fixed entries get 0 (as R's ``vars::SVAR``).

    Parameters
    ----------
    a, b, a_pat, b_pat, nobs
        As in :func:`ab_covariance`.

    Returns
    -------
    a_se, b_se : ndarray, shape (K, K)
    """
    se = np.sqrt(np.diag(ab_covariance(a, b, a_pat, b_pat, nobs)))
    na = int(np.isnan(a_pat).sum())
    a_se = np.zeros_like(a, dtype=np.float64)
    b_se = np.zeros_like(b, dtype=np.float64)
    a_se[np.isnan(a_pat)] = se[:na]
    b_se[np.isnan(b_pat)] = se[na:]
    return a_se, b_se


def free_labels(names: tuple[str, ...], a_pat: np.ndarray, b_pat: np.ndarray) -> list[str]:
    """Labels ``"A[row,col]"`` / ``"B[row,col]"`` of the free parameters, in estimation order."""
    labels = [f"A[{names[i]},{names[j]}]" for i, j in zip(*np.nonzero(np.isnan(a_pat)), strict=True)]
    labels += [f"B[{names[i]},{names[j]}]" for i, j in zip(*np.nonzero(np.isnan(b_pat)), strict=True)]
    return labels


def overid_test(details: Mapping[str, Any]) -> TestResult | None:
    """LR test of the over-identifying restrictions, or None under exact identification.

    :math:`\\lambda_{LR} = T(\\log|\\Sigma(\\hat\\gamma)| - \\log|\\hat\\Sigma_u|) \\sim \\chi^2(K(K+1)/2 - n_{free})`
    (Lütkepohl 2005, sec. 9.3.2; the statistic ``vars::SVAR`` reports as ``LR``).

    Parameters
    ----------
    details : mapping
        ``Identified.details`` of a short-run fit.
    """
    lr = details.get("overid_lr")
    if lr is None:
        return None
    return TestResult(
        name="LR over-identification",
        statistic=float(lr["statistic"]),
        pvalue=float(lr["pvalue"]),
        df=(float(lr["df"]),),
        distribution="chi2",
        null="the over-identifying restrictions on A and B hold",
    )

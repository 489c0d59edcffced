"""The regressions behind local projections: OLS with HC1 or Newey-West covariance, and the joint covariance of one
coefficient across horizons from the stacked influence functions.

Newey-West (1987) with the Bartlett kernel ``w_l = 1 - l / (L + 1)``, no small-sample correction (statsmodels'
``cov_type="HAC"`` with ``use_correction=False``); HC1 is White's covariance times ``n / (n - k)``.

References
----------
Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and autocorrelation
consistent covariance matrix. *Econometrica* 55(3), 703-708.
Montiel Olea, J. L. & Plagborg-Møller, M. (2019). Simultaneous confidence bands: theory, implementation, and an
application to SVARs. *Journal of Applied Econometrics* 34(1), 1-17.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from causalmacro.errors import DataError

__all__ = ["OLSFit", "bartlett_cov", "ols", "stack_influence"]


@dataclass(frozen=True)
class OLSFit:
    """One regression: coefficients, their covariance and each row's influence ``(X'X)^{-1} x_t u_t``."""

    coef: np.ndarray
    cov: np.ndarray
    influence: np.ndarray  # shape (n, k)


def bartlett_cov(scores: np.ndarray, maxlags: int) -> np.ndarray:
    """``sum_l w_l (S_l + S_l')`` over ``l = 0..maxlags`` of the scores' (rows: time) autocovariances, Bartlett weights.

    ``maxlags = 0`` is White's ``S'S``. Rows must be in time order; the sum is over adjacent rows.
    """
    meat = scores.T @ scores
    for lag in range(1, maxlags + 1):
        w = 1.0 - lag / (maxlags + 1.0)
        g = scores[lag:].T @ scores[:-lag]
        meat += w * (g + g.T)
    return meat


def ols(x: np.ndarray, y: np.ndarray, cov: str, maxlags: int = 0) -> OLSFit:
    """OLS of ``y`` on ``x`` with ``cov="HC1"`` or ``"HAC"`` (Newey-West, ``maxlags`` lags, rows in time order).

    Raises
    ------
    DataError
        The regressors are collinear.
    """
    sv = np.linalg.svd(x / np.maximum(np.abs(x).max(axis=0), 1e-300), compute_uv=False)
    if sv[-1] < 1e-9 * sv[0]:
        raise DataError(
            "local projections: the regressors are collinear (the shocks and the lags of the responses and shocks "
            "are linearly dependent, as when the shocks are a VAR's full set of innovations); use fewer shocks"
        )
    xtx_inv = np.linalg.inv(x.T @ x)
    b = xtx_inv @ x.T @ y
    u = y - x @ b
    n, k = x.shape
    scores = x * u[:, None]
    meat = scores.T @ scores * n / (n - k) if cov == "HC1" else bartlett_cov(scores, maxlags)
    return OLSFit(coef=b, cov=xtx_inv @ meat @ xtx_inv, influence=scores @ xtx_inv)


def stack_influence(paths: np.ndarray, bandwidth: int) -> np.ndarray:
    """Correlation across horizons of one coefficient's estimates, from their influence series.

    Parameters
    ----------
    paths : ndarray, shape (H + 1, T)
        Row ``h``: the influence of each period on the horizon-``h`` coefficient, on one time axis (zero where the
        period is not in that horizon's regression).
    bandwidth : int
        Newey-West lags of the joint covariance; at least the longest horizon, as the leads of overlapping horizons
        share shocks.

    Returns
    -------
    ndarray, shape (H + 1, H + 1)
        The correlation matrix (1 on the diagonal; 0 off it where a horizon's estimate does not vary).
    """
    v = bartlett_cov(paths.T.copy(), bandwidth)
    sd = np.sqrt(np.clip(np.diag(v), 0.0, None))
    varies = sd > 0
    safe = np.where(varies, sd, 1.0)
    corr = np.where(np.outer(varies, varies), v / np.outer(safe, safe), 0.0)
    np.fill_diagonal(corr, 1.0)
    return np.clip(corr, -1.0, 1.0)

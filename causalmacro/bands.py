"""Pointwise and simultaneous (sup-t) bands from draws, the test of a whole response path, multiplicity.

A pointwise 90% band covers the true response at each horizon with probability
0.9, so a path of 25 horizons leaves its band somewhere far more often than one
time in ten. The **sup-t band** of Montiel Olea & Plagborg-Møller (2019) widens
the pointwise one by one critical value per path, so that the whole path lies
inside with probability ``level``:

.. math::

    \\hat\\theta_h \\pm \\hat c\\, \\hat\\sigma_h, \\qquad
    \\hat c = q_{level}\\Big(\\max_h |\\theta^*_h - \\hat\\theta_h| / \\hat\\sigma_h\\Big),

with :math:`\\hat\\sigma_h` the standard deviation of the draws :math:`\\theta^*_h`
at horizon ``h`` and the quantile taken over the draws. Horizons whose draws do
not vary (an impact response fixed at zero by a recursive scheme) are left out
of the maximum and keep a band of width zero.

The same statistic tests that a path is zero at every horizon: its p-value is
the share of draws with :math:`\\max_h |\\theta^*_h - \\hat\\theta_h|/\\hat\\sigma_h
\\ge \\max_h |\\hat\\theta_h| / \\hat\\sigma_h`, so the sup-t band at ``level``
excludes zero somewhere exactly when that p-value is below ``1 - level``.
:func:`adjust` controls the error rate over many such tests (Holm 1979 for the
family-wise error rate, Benjamini & Hochberg 1995 for the false discovery rate),
through statsmodels' ``multipletests``.

References
----------
Montiel Olea, J. L. & Plagborg-Møller, M. (2019). Simultaneous confidence bands:
theory, implementation, and an application to SVARs. *Journal of Applied
Econometrics* 34(1), 1-17.
Holm, S. (1979). A simple sequentially rejective multiple test procedure.
*Scandinavian Journal of Statistics* 6(2), 65-70.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate.
*JRSS B* 57(1), 289-300.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from causalmacro.errors import ArgumentError

__all__ = ["Multiplicity", "adjust", "path_pvalue", "path_test", "pointwise", "sup_t", "sup_t_gaussian"]

Multiplicity = Literal["holm", "bh", "none"]
_STATSMODELS = {"holm": "holm", "bh": "fdr_bh"}


def pointwise(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile band at each point separately: the ``(1 -+ level) / 2`` quantiles of the draws (axis 0)."""
    alpha = (1 - level) / 2
    lo, hi = np.quantile(draws, [alpha, 1 - alpha], axis=0)
    return lo, hi


def _standardised(point: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draws' standard deviation, the mask of varying points, and ``|draw - point| / sd`` (0 where fixed)."""
    sd = draws.std(axis=0, ddof=1)
    varies = sd > 1e-12 * (1.0 + np.abs(point))
    safe = np.where(varies, sd, 1.0)
    return sd, varies, np.where(varies, np.abs(draws - point) / safe, 0.0)


def sup_t(point: np.ndarray, draws: np.ndarray, level: float, *, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sup-t band over ``axis`` of ``point`` (the horizons), from bootstrap draws.

    Parameters
    ----------
    point : ndarray
        Point estimates, e.g. shape ``(horizon, response, shock)``.
    draws : ndarray
        Draws, shape ``(n, *point.shape)``.
    level : float
        Simultaneous coverage over ``axis``.
    axis : int
        The axis of ``point`` the band is simultaneous over; one critical value per
        slice along the other axes.

    Returns
    -------
    lower, upper : ndarray
        Shaped like ``point``.
    """
    sd, varies, z = _standardised(point, draws)
    crit = np.quantile(z.max(axis=axis + 1, keepdims=True), level, axis=0)
    half = crit * np.where(varies, sd, 0.0)
    return point - half, point + half


def path_test(point: np.ndarray, draws: np.ndarray, *, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sup-t test that a path is zero at every point of ``axis``: statistic, p-value, points that vary.

    Parameters
    ----------
    point : ndarray
    draws : ndarray
        Shape ``(n, *point.shape)``.
    axis : int
        The path's axis in ``point``.

    Returns
    -------
    statistic, p_value, n_varying : ndarray
        ``point``'s shape without ``axis``: the largest ``|point| / sd`` over the
        path, its p-value (1.0 where no point of the path varies), and how many
        points of the path vary across the draws.
    """
    sd, varies, z = _standardised(point, draws)
    stat = np.where(varies, np.abs(point) / np.where(varies, sd, 1.0), 0.0).max(axis=axis)
    p = (z.max(axis=axis + 1) >= stat).mean(axis=0)
    return stat, np.where(varies.any(axis=axis), p, 1.0), varies.sum(axis=axis)


def path_pvalue(point: np.ndarray, draws: np.ndarray, *, axis: int = 0) -> np.ndarray:
    """P-value of "the path is zero at every point of ``axis``" (:func:`path_test`'s); 1.0 where nothing varies."""
    return path_test(point, draws, axis=axis)[1]


def sup_t_gaussian(
    point: np.ndarray, cov: np.ndarray, level: float, *, draws: int = 10_000, rng: np.random.Generator | int = 0,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Sup-t band of one path with a joint Gaussian covariance (the plug-in band of local projections).

    Parameters
    ----------
    point : ndarray, shape (H,)
    cov : ndarray, shape (H, H)
        Joint covariance of the estimates across the path.
    level : float
    draws : int
        Gaussian draws for the critical value.
    rng : numpy.random.Generator or int

    Returns
    -------
    lower, upper : ndarray, shape (H,)
    p_value : float
        Of "the path is zero everywhere".
    """
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    varies = sd > 1e-12 * (1.0 + np.abs(point))
    if not varies.any():
        return point.copy(), point.copy(), 1.0
    corr = cov[np.ix_(varies, varies)] / np.outer(sd[varies], sd[varies])
    gen = np.random.default_rng(rng)
    # eigh rather than Cholesky: neighbouring horizons may be nearly collinear
    vals, vecs = np.linalg.eigh(corr)
    z = gen.standard_normal((draws, int(varies.sum()))) @ (vecs * np.sqrt(np.clip(vals, 0.0, None))).T
    tmax = np.abs(z).max(axis=1)
    crit = float(np.quantile(tmax, level))
    stat = float((np.abs(point[varies]) / sd[varies]).max())
    return point - crit * sd, point + crit * sd, float((tmax >= stat).mean())


def adjust(p: np.ndarray, method: Multiplicity) -> np.ndarray:
    """P-values adjusted for testing them together: ``"holm"`` (family-wise), ``"bh"`` (false discovery), ``"none"``.

    NaN entries (tests not run) stay NaN and do not count in the family.
    """
    p = np.asarray(p, dtype=float)
    if method == "none":
        return p.copy()
    if method not in _STATSMODELS:
        raise ArgumentError(f"multiplicity must be 'holm', 'bh' or 'none', got {method!r}")
    from statsmodels.stats.multitest import multipletests

    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=_STATSMODELS[method])[1]
    return out

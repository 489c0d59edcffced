"""Regimes and exogenous covariates of the asset-response model: validation and coding.

Regimes
-------
A regime series labels each date (``NaN``: unknown, the date is dropped from the
fit). The regime of the row at date ``t`` is the label at ``t``; to condition on
the regime *before* the shock (as state-dependent local projections do, Ramey &
Zubairy, 2018), pass the series shifted by one period. Labels are sorted, as in
:class:`causalmacro.lp.LocalProjection`.

With ``R`` regimes, each response is written in effects (sum-to-zero) coding::

    beta[i, k, l, r] = sum_e M[r, e] * coef[i, k, e, l],   e = 0 .. R - 1
    M[r, 0] = 1,   M[:, 1:] = H / sqrt(2)

where ``H`` holds the ``R - 1`` orthonormal Helmert contrasts (columns orthogonal to
the constant and to each other; Chambers & Hastie, 1992, *Statistical Models in S*,
sec. 2.3.2). ``coef[..., 0]`` is the average response over the regimes and
``coef[..., e]`` for ``e >= 1`` the contrasts. Because ``H H' = I - 11'/R``, an
exchangeable prior on the contrasts is an exchangeable prior on the regimes, and the
``1 / sqrt(2)`` makes the prior variance of every pairwise difference
``beta[..., r] - beta[..., s]`` equal to that of one contrast. With two regimes the
contrast is exactly the difference, first regime (in sorted order) minus second:
``beta[..., 0] = coef0 + d / 2``, ``beta[..., 1] = coef0 - d / 2``.

Covariates
----------
Exogenous regressors on dates (event dummies, pulses, steps, windows) enter raw,
as they are given, with one coefficient per asset and no pooling. A covariate that
is constant over the fit's dates (it would duplicate the intercept) or has a gap on
one of them is refused with a one-line :class:`~causalmacro.errors.DataError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import DataError

__all__ = ["check_covariates", "check_regimes", "contrast_names", "regime_coding"]


def regime_coding(n_regimes: int) -> NDArray[np.float64]:
    """Coding matrix ``M`` (regime x effect): a column of ones, then Helmert contrasts / sqrt(2).

    Parameters
    ----------
    n_regimes : int
        ``R``; ``1`` gives ``[[1.0]]`` (no regimes).

    Returns
    -------
    ndarray, shape (R, R)
        ``beta[..., r] = sum_e M[r, e] coef[..., e]``; the columns after the first
        sum to zero and ``M[:, 1:] @ M[:, 1:].T = (I - 11'/R) / 2``.
    """
    out = np.zeros((n_regimes, n_regimes))
    out[:, 0] = 1.0
    for j in range(1, n_regimes):
        norm = np.sqrt(j * (j + 1) * 2.0)
        out[:j, j] = 1.0 / norm
        out[j, j] = -j / norm
    return out


def contrast_names(regimes: tuple[str, ...]) -> tuple[str, ...]:
    """Labels of the contrasts: ``"contrast1"`` .. ``"contrast{R-1}"``."""
    return tuple(f"contrast{j}" for j in range(1, len(regimes)))


def check_regimes(regimes: object, dates: pd.DatetimeIndex) -> tuple[tuple[str, ...], pd.Series]:
    """Validate a regime series against the candidate dates of the fit.

    Parameters
    ----------
    regimes : pandas.Series
        Labels indexed by date; ``NaN`` where the regime is unknown.
    dates : DatetimeIndex
        Dates on which returns and lagged shocks are available.

    Returns
    -------
    labels : tuple of str
        The regimes, sorted.
    on_dates : Series
        The label of each of ``dates`` with a known regime (others dropped).

    Raises
    ------
    DataError
        Not a Series, duplicated dates, no known regime on ``dates`` or fewer
        than two regimes there.
    """
    if not isinstance(regimes, pd.Series):
        raise DataError("regimes: expected a pandas Series of labels indexed by date")
    if regimes.index.has_duplicates:
        dup = regimes.index[regimes.index.duplicated()][0]
        raise DataError(f"regimes: date {dup} appears twice")
    known = regimes.dropna()
    if not isinstance(known.index, pd.DatetimeIndex):
        raise DataError("regimes: expected a date index")
    on_dates = known.reindex(dates).dropna()
    if on_dates.empty:
        raise DataError("regimes: no label on any date of the returns and shocks")
    on_dates = on_dates.astype(str)
    labels = tuple(sorted(pd.unique(on_dates)))
    if len(labels) < 2:
        raise DataError(f"regimes: only one regime ('{labels[0]}') on the fit's dates; need two or more")
    return labels, on_dates


def check_covariates(covariates: object, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Validate exogenous covariates on the dates of the fit.

    Parameters
    ----------
    covariates : pandas.DataFrame
        One column per covariate, indexed by date.
    dates : DatetimeIndex
        Dates of the fit.

    Returns
    -------
    DataFrame
        Float values on ``dates``, string column names.

    Raises
    ------
    DataError
        Not a DataFrame, no columns, a duplicated or non-numeric column, a gap
        (NaN or missing date) on a fit date, or a constant column; the message
        names the covariate.
    """
    if not isinstance(covariates, pd.DataFrame) or covariates.shape[1] == 0:
        raise DataError("covariates: expected a DataFrame with one column per covariate")
    frame = covariates.copy()
    frame.columns = [str(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        raise DataError(f"covariate '{frame.columns[frame.columns.duplicated()][0]}' appears twice")
    if frame.index.has_duplicates:
        raise DataError(f"covariates: date {frame.index[frame.index.duplicated()][0]} appears twice")
    out = {}
    for name in frame.columns:
        try:
            col = pd.to_numeric(frame[name], errors="raise").astype(float)
        except (TypeError, ValueError):
            raise DataError(f"covariate '{name}' is not numeric") from None
        col = col.reindex(dates)
        bad = col.index[~np.isfinite(col.to_numpy())]
        if len(bad):
            raise DataError(
                f"covariate '{name}' is missing or NaN on {len(bad)} of the fit's dates (first {bad[0]:%Y-%m-%d})"
            )
        if np.ptp(col.to_numpy()) == 0:
            raise DataError(f"covariate '{name}' is constant over the fit's dates")
        out[name] = col
    return pd.DataFrame(out, index=dates)

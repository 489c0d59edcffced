"""Transforms of aligned level series.

| name      | definition                                  | units                 |
|-----------|---------------------------------------------|-----------------------|
| level     | x_t                                         | as the series         |
| log       | ln x_t                                      | log points            |
| diff      | x_t - x_{t-1}                               | as the series         |
| logdiff   | 100 (ln x_t - ln x_{t-1})                   | percent (log)         |
| yoy       | 100 (x_t / x_{t-s} - 1), s periods a year   | percent               |
| zscore    | (x_t - mean) / sd over the sample (ddof=1)  | standard deviations   |

``lookback`` says how many earlier periods a transform consumes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from causalmacro.errors import DataError
from causalmacro.spec.catalog import Transform

__all__ = ["TRANSFORM_UNITS", "apply_transform", "lookback"]

TRANSFORM_UNITS: dict[str, str] = {
    "level": "{units}",
    "log": "log of {units}",
    "diff": "change in {units}",
    "logdiff": "percent change (log)",
    "yoy": "percent change from a year ago",
    "zscore": "standard deviations",
}


def lookback(transform: Transform, periods_per_year: int) -> int:
    """Number of earlier observations ``transform`` consumes."""
    if transform in ("diff", "logdiff"):
        return 1
    if transform == "yoy":
        return periods_per_year
    return 0


def apply_transform(series: pd.Series, transform: Transform, *, periods_per_year: int) -> pd.Series:
    """Apply one transform.

    Parameters
    ----------
    series : pandas.Series
        Aligned levels on a regular index.
    transform : {"level", "log", "diff", "logdiff", "yoy", "zscore"}
    periods_per_year : int
        12 for monthly panels, 52 for weekly ones (``yoy`` only).

    Returns
    -------
    pandas.Series
        Same index; the first :func:`lookback` values are NaN.

    Raises
    ------
    DataError
        ``log``, ``logdiff`` or ``yoy`` of a series with non-positive values
        (naming the series and the first offending date); ``zscore`` of a
        constant series.
    """
    name = series.name
    if transform == "level":
        return series.copy()
    if transform == "diff":
        return series.diff()
    if transform in ("log", "logdiff", "yoy"):
        bad = series <= 0
        if bad.any():
            date = series.index[bad.to_numpy()][0]
            raise DataError(
                f"series {name} has a non-positive value ({series[date]:g}) on {date.date()}; "
                f"transform '{transform}' needs positive values"
            )
        if transform == "log":
            return np.log(series)
        if transform == "logdiff":
            return 100.0 * np.log(series).diff()
        return 100.0 * (series / series.shift(periods_per_year) - 1.0)
    if transform == "zscore":
        sd = series.std(ddof=1)
        if not np.isfinite(sd) or sd == 0:
            raise DataError(f"series {name} is constant; transform 'zscore' needs variation")
        return (series - series.mean()) / sd
    raise DataError(f"unknown transform {transform!r} for series {name}")

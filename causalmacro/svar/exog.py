"""Input checks for exogenous regressors of a VARX: every failure is one :class:`DataError` line.

Exogenous columns enter the least-squares problem beside the trend terms
(Lütkepohl 2005, ch. 10), so they must be finite numbers on every row of the data
and must not make the regressor matrix rank-deficient: a constant column
duplicates the constant, a linear trend duplicates ``trend="ct"``. Future values
for forecasts must name the same columns and cover exactly the forecast horizon.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer, ch. 10.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from causalmacro.errors import DataError
from causalmacro.svar.deterministic import TREND_NAMES, Deterministic, Trend

__all__ = ["validate_exog", "validate_exog_future"]


def _numeric_values(frame: pd.DataFrame, what: str) -> np.ndarray:
    """Float values of ``frame``, refusing non-numeric, missing and infinite entries by column."""
    for name in frame.columns:
        col = frame[name]
        if not pd.api.types.is_numeric_dtype(col):
            raise DataError(f"{what} column {str(name)!r} is not numeric (dtype {col.dtype})")
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    for j, name in enumerate(frame.columns):
        col = values[:, j]
        n_nan = int(np.isnan(col).sum())
        if n_nan:
            first = frame.index[int(np.flatnonzero(np.isnan(col))[0])]
            raise DataError(f"{what} column {str(name)!r} has {n_nan} missing values (first at {first})")
        if not np.isfinite(col).all():
            raise DataError(f"{what} column {str(name)!r} has infinite values")
    return values


def validate_exog(
    exog: Any, index: pd.Index, trend: Trend, endog_names: Sequence[str]
) -> pd.DataFrame:
    """Return the exogenous regressors as a float frame on the rows of the data.

    Parameters
    ----------
    exog : pandas.DataFrame or pandas.Series
        One column per regressor, contemporaneous with the data (no lags are
        added). Its index must equal the data's, or contain every date of it
        exactly once, in which case it is reindexed to the data (so one frame
        can also hold the future path).
    index : pandas.Index
        The data's index.
    trend : {"n", "c", "ct", "ctt"}
        Trend terms of the model, against which constancy and collinearity are checked.
    endog_names : sequence of str
        The model's variables; an exogenous column may not reuse one of their names.

    Returns
    -------
    pandas.DataFrame
        A float64 copy indexed like the data, columns as strings.

    Raises
    ------
    DataError
        Naming the column (or date) at fault: not a frame, duplicated or reserved
        name, rows missing, non-numeric, missing or infinite values, zero,
        constant when ``trend`` has a constant, collinear with the trend terms or
        with other exogenous columns.
    """
    if isinstance(exog, pd.Series):
        exog = exog.to_frame(name="exog" if exog.name is None else exog.name)
    if not isinstance(exog, pd.DataFrame):
        raise DataError(f"exog must be a pandas DataFrame, got {type(exog).__name__}")
    if exog.shape[1] == 0:
        raise DataError("exog has no columns; pass exog=None for a VAR without exogenous regressors")
    names = [str(c) for c in exog.columns]
    reserved = set(TREND_NAMES["ctt"]) | set(endog_names)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(f"exog column {name!r} appears twice")
        if name in reserved:
            kind = "a variable of the VAR" if name in endog_names else "a trend term"
            raise DataError(f"exog column {name!r} has the name of {kind}; rename it")
        seen.add(name)
    if not exog.index.equals(index):
        if not exog.index.is_unique:
            first = exog.index[exog.index.duplicated()][0]
            raise DataError(f"exog index has duplicated date {first}")
        missing = index.difference(exog.index, sort=False) if len(index) else index
        if len(missing):
            raise DataError(f"exog has no row for {missing[0]} ({len(missing)} dates of the data are missing)")
        exog = exog.reindex(index)
    frame = pd.DataFrame(_numeric_values(exog, "exog"), index=index, columns=names)
    Deterministic(trend, len(index), frame.to_numpy(), tuple(names)).check_rank(0)
    return frame


def validate_exog_future(
    exog_future: Any, names: Sequence[str], steps: int, future_index: pd.Index
) -> np.ndarray:
    """Future exogenous values for a ``steps``-period forecast.

    Parameters
    ----------
    exog_future : pandas.DataFrame or array_like or None
        A frame with exactly the exogenous columns (any order), or an array of
        shape ``(steps, k_exog)`` in the model's column order (1-D when there is
        one column). A frame indexed by dates must be indexed by the forecast dates.
    names : sequence of str
        The model's exogenous columns.
    steps : int
    future_index : pandas.Index
        The forecast dates.

    Returns
    -------
    ndarray, shape (steps, k_exog)

    Raises
    ------
    DataError
        Naming what is wrong: missing when the model has exog (or given when it
        has none), a column missing or unknown, wrong number of rows, dates that
        are not the forecast dates, non-numeric, missing or infinite values.
    """
    if not names:
        if exog_future is not None:
            raise DataError("exog_future given, but the model has no exog columns")
        return np.zeros((steps, 0))
    listed = ", ".join(repr(n) for n in names)
    if exog_future is None:
        raise DataError(f"exog_future is required: the model has exog columns {listed}")
    if isinstance(exog_future, pd.Series):
        exog_future = exog_future.to_frame(name=names[0] if exog_future.name is None else exog_future.name)
    if isinstance(exog_future, pd.DataFrame):
        cols = [str(c) for c in exog_future.columns]
        for name in names:
            if name not in cols:
                raise DataError(f"exog_future has no column {name!r}; the model has exog columns {listed}")
        for name in cols:
            if name not in names:
                raise DataError(f"exog_future column {name!r} is not an exog column of the model ({listed})")
        if len(exog_future) != steps:
            raise DataError(f"exog_future has {len(exog_future)} rows, but steps={steps}")
        dated = isinstance(exog_future.index, pd.DatetimeIndex | pd.PeriodIndex)
        if dated and not exog_future.index.equals(future_index):
            raise DataError(
                f"exog_future index starts at {exog_future.index[0]}, but the forecast starts at {future_index[0]}"
            )
        frame = exog_future.set_axis(cols, axis=1).loc[:, list(names)]
        return _numeric_values(frame, "exog_future")
    try:
        values = np.asarray(exog_future, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"exog_future must be a DataFrame or a numeric array, got {type(exog_future).__name__}") from None
    if values.ndim == 1 and len(names) == 1:
        values = values[:, None]
    if values.shape != (steps, len(names)):
        raise DataError(f"exog_future has shape {values.shape}, expected ({steps}, {len(names)}) for {listed}")
    frame = pd.DataFrame(values, columns=list(names))
    return _numeric_values(frame, "exog_future")

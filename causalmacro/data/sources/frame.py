"""User data: a pandas DataFrame or one CSV file with a date column.

Columns are series; the spec names them with ``id = "<column>"``. The date
column of a CSV is the one named ``date``, ``observation_date`` or ``DATE``,
else the first column.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from causalmacro.errors import DataError

from .base import clean_series, read_rows

__all__ = ["FrameSource", "read_user_csv"]


class FrameSource:
    """Serve the columns of a DataFrame indexed by dates.

    Parameters
    ----------
    frame : pandas.DataFrame
        One column per series, indexed by dates: a ``DatetimeIndex``
        (time zones are dropped, keeping the wall times), a ``PeriodIndex``
        or date strings in one format. Values are numbers, or text holding
        numbers; an empty cell or ``"."`` is a missing value.

    Raises
    ------
    DataError
        If ``frame`` is not a DataFrame or its index holds numbers, not dates
        (a ``RangeIndex`` would be read as nanoseconds after 1970).
    name : str, optional
        Description used in messages.
    synthetic : bool, default False
        Whether the data are simulated.
    """

    def __init__(self, frame: pd.DataFrame, *, name: str = "user data", synthetic: bool = False) -> None:
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
        if frame.index.dtype.kind in "iufcb" and len(frame.index):
            raise DataError(
                f"{name}: the DataFrame's index must be dates (a DatetimeIndex, PeriodIndex or date strings), "
                f"got {type(frame.index).__name__} {frame.index[0]!r}..{frame.index[-1]!r}; "
                "set it with df.set_index(<date column>) or df.index = pd.to_datetime(...)"
            )
        self.frame = frame
        self._lines: list[int] | None = None  # the file's line of each row, for read_user_csv
        self.name = name
        self.synthetic = synthetic or bool(frame.attrs.get("synthetic", False))

    def load(self, series_id: str) -> pd.Series:
        """Return the column ``series_id``.

        Raises
        ------
        KeyError
            If there is no such column.
        DataError
            If the column is malformed.
        """
        if series_id not in self.frame.columns:
            raise KeyError(series_id)
        col = self.frame[series_id]
        if isinstance(col, pd.DataFrame):
            raise DataError(f"{self.name}: column {series_id} appears more than once")
        return clean_series(col, series_id=series_id, where=self.name, lines=self._lines)


def read_user_csv(path: str | os.PathLike[str]) -> FrameSource:
    """Read a user CSV file into a :class:`FrameSource`.

    Raises
    ------
    DataError
        If the file is missing, empty or has duplicated column names; a bad
        date or value is reported on loading, naming the file, line and value
        (dates must all be in the format of the first one).
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"{file}: data file not found")
    frame, lines = read_rows(file)
    if frame.empty:
        raise DataError(f"{file}: file has a header but no rows")
    with file.open(encoding="utf-8", newline="") as fh:
        cols = [c.strip() for c in next(csv.reader(fh))]
    dupes = [c for i, c in enumerate(cols) if c in cols[:i]]
    if dupes:
        raise DataError(f"{file}: duplicated column {dupes[0]!r}")
    frame.columns = pd.Index(cols)
    date_col = next((c for c in cols if c.lower() in ("date", "observation_date")), cols[0])
    frame = frame.set_index(date_col)
    frame.index = frame.index.str.strip()
    source = FrameSource(frame, name=str(file))
    source._lines = lines
    return source

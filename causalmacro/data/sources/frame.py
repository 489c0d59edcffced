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

from .base import clean_series

__all__ = ["FrameSource", "read_user_csv"]


class FrameSource:
    """Serve the columns of a DataFrame indexed by dates.

    Parameters
    ----------
    frame : pandas.DataFrame
        One column per series, a date-like index.
    name : str, optional
        Description used in messages.
    synthetic : bool, default False
        Whether the data are simulated.
    """

    def __init__(self, frame: pd.DataFrame, *, name: str = "user data", synthetic: bool = False) -> None:
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
        self.frame = frame
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
        return clean_series(col, series_id=series_id, where=self.name)


def read_user_csv(path: str | os.PathLike[str]) -> FrameSource:
    """Read a user CSV file into a :class:`FrameSource`.

    Raises
    ------
    DataError
        If the file is missing, empty or has duplicated column names.
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"{file}: data file not found")
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{file}: file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{file}: not a readable CSV ({str(exc).splitlines()[0]})") from None
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
    return FrameSource(frame, name=str(file))

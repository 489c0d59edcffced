"""A folder of FRED CSV downloads, one file per series.

Each file is named ``<ID>.csv`` and has FRED's download format: a header
``observation_date,<ID>`` (older downloads: ``DATE,<ID>``), ISO dates, and an
empty cell or ``.`` for a missing value.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from causalmacro.errors import DataError

from .base import clean_series, read_rows

__all__ = ["CsvDirSource"]

_DATE_HEADERS = ("observation_date", "date")


class CsvDirSource:
    """Read series from a folder of FRED CSV downloads.

    Parameters
    ----------
    path : path-like
        The folder.

    Raises
    ------
    DataError
        If the folder does not exist or is not a folder.
    """

    synthetic = False

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            what = "is not a folder" if self.path.exists() else "does not exist"
            raise DataError(f"data folder {self.path} {what}")
        self.name = f"data folder {self.path}"

    def _file(self, series_id: str) -> Path:
        exact = self.path / f"{series_id}.csv"
        if exact.is_file():
            return exact
        lower = series_id.lower()
        for f in self.path.glob("*.csv"):
            if f.stem.lower() == lower:
                return f
        raise KeyError(series_id)

    def load(self, series_id: str) -> pd.Series:
        """Read ``<path>/<series_id>.csv``.

        Raises
        ------
        KeyError
            If the folder has no file for the series (see
            :func:`~causalmacro.data.sources.base.load_all`).
        DataError
            If the file is empty or malformed; the message names the file,
            and the line and the value at fault (dates must be ``YYYY-MM-DD``).
        """
        file = self._file(series_id)
        frame, lines = read_rows(file)
        cols = [c.strip() for c in frame.columns]
        if len(cols) != 2 or cols[0].lower() not in _DATE_HEADERS:
            raise DataError(
                f"{file}: expected the header 'observation_date,{series_id}', found {','.join(cols)!r}"
            )
        if cols[1].upper() != series_id.upper():
            raise DataError(f"{file}: column is {cols[1]!r}, expected {series_id!r}")
        if frame.empty:
            raise DataError(f"{file}: file has a header but no rows")
        values = pd.Series(frame.iloc[:, 1].to_numpy(), index=frame.iloc[:, 0].str.strip())
        return clean_series(values, series_id=series_id, where=str(file), date_format="%Y-%m-%d", lines=lines)

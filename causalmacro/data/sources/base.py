"""What every data source provides, and the validation all of them share.

A source maps raw series IDs to float series on a sorted, unique
``DatetimeIndex`` named ``date``. Sources only read: alignment, gaps and
transforms happen downstream (:mod:`causalmacro.panel`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from causalmacro.errors import DataError

__all__ = ["Source", "clean_series", "load_all", "read_rows"]


@runtime_checkable
class Source(Protocol):
    """A read-only provider of raw series.

    Attributes
    ----------
    name : str
        Human-readable description, e.g. ``"FRED CSV folder ../shared/data/fred"``.
    synthetic : bool
        True when the data are simulated (the embedded demo); every output
        made from them says so.
    """

    name: str
    synthetic: bool

    def load(self, series_id: str) -> pd.Series:
        """Return one series (float64, DatetimeIndex named ``date``).

        Raises
        ------
        KeyError
            When the source does not have the series (:func:`load_all`
            collects these into one error naming them all).
        DataError
            Naming the series (and the file, where there is one) when the
            series is malformed.
        """
        ...


def load_all(source: Source, series_ids: Sequence[str]) -> dict[str, pd.Series]:
    """Load several series, reporting every missing one in a single error.

    Parameters
    ----------
    source : Source
    series_ids : sequence of str

    Returns
    -------
    dict
        Series ID -> series.

    Raises
    ------
    DataError
        If a series is malformed (first such error), or lists all the series
        the source does not have.
    """
    out: dict[str, pd.Series] = {}
    missing: list[str] = []
    for sid in series_ids:
        try:
            out[sid] = source.load(sid)
        except KeyError:
            missing.append(sid)
    if missing:
        raise DataError(f"{source.name} has no series {', '.join(missing)}")
    return out


def clean_series(
    values: pd.Series,
    *,
    series_id: str,
    where: str,
    date_format: str | None = None,
    lines: Sequence[int] | None = None,
) -> pd.Series:
    """Validate and coerce one raw series.

    Empty cells and FRED's ``"."`` are missing values; anything else that is
    not a number is an error. Dates must parse, all in one format, and be
    unique: text dates are parsed strictly in ``date_format``, or else in the
    format of the first date (``"2020"`` is not read as a date among
    ``"1980-01-01"`` dates).

    Parameters
    ----------
    values : pandas.Series
        Raw values indexed by raw dates (strings or timestamps).
    series_id : str
        The series or column name, for messages and the result's name.
    where : str
        The file or object the values came from, for messages.
    date_format : str, optional
        The strptime format of text dates (FRED's CSV: ``"%Y-%m-%d"``);
        default: the format of the first date.
    lines : sequence of int, optional
        The file's line number of each value, named in messages.

    Returns
    -------
    pandas.Series
        float64, sorted unique ``DatetimeIndex`` named ``date``, with the
        missing values kept as NaN.

    Raises
    ------
    DataError
        One line naming ``where`` and ``series_id``.
    """
    if len(values) == 0:
        raise DataError(f"{where}: series {series_id} has no rows")

    def at(i: int) -> str:
        return f" on line {lines[i]}" if lines is not None else ""

    index = _parse_dates(values.index, date_format, f"{where}: series {series_id}", at)

    def row(i: int) -> str:
        return f" on line {lines[i]} ({index[i].date()})" if lines is not None else f" on {index[i].date()}"

    raw = values.to_numpy()
    if raw.dtype.kind in "fiub":
        numeric = raw.astype("float64")
    else:
        text = pd.Series(raw, dtype="object").map(lambda v: v.strip() if isinstance(v, str) else v)
        text = text.replace({"": np.nan, ".": np.nan})
        numeric = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64")
        bad = text.notna().to_numpy() & np.isnan(numeric)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{where}: series {series_id} has a non-numeric value {text.iloc[i]!r}{row(i)}")
    out = pd.Series(numeric, index=index.rename("date"), name=series_id)
    dup = out.index.duplicated()
    if dup.any():
        raise DataError(
            f"{where}: series {series_id} has a duplicated date {out.index[dup][0].date()}"
        )
    if np.isinf(numeric).any():
        i = int(np.flatnonzero(np.isinf(numeric))[0])
        raise DataError(f"{where}: series {series_id} has an infinite value {str(raw[i]).strip()!r}{row(i)}")
    if out.isna().all():
        raise DataError(f"{where}: series {series_id} has no observations (all values missing)")
    return out.sort_index()


def _parse_dates(
    raw: pd.Index, date_format: str | None, what: str, at: Callable[[int], str]
) -> pd.DatetimeIndex:
    """Dates of a raw index, tz-naive; text parsed strictly in one format.

    ``pd.Timestamp`` alone accepts ``"2020"`` as well as ``"2020-01-01"``, so a
    truncated row would pass: every text date must match ``date_format`` (or,
    without one, the format pandas infers from the first date).
    """
    if isinstance(raw, pd.DatetimeIndex):
        index = raw
    elif isinstance(raw, pd.PeriodIndex):
        index = raw.to_timestamp()
    elif raw.dtype.kind in "iufcb":
        raise DataError(f"{what}: the index must be dates, got {type(raw).__name__} of {raw.dtype} values")
    else:
        text = pd.Index([v.strip() if isinstance(v, str) else v for v in raw], dtype="object")
        fmt = date_format
        if fmt is None and isinstance(text[0], str):
            fmt = guess_datetime_format(text[0])
        parsed = pd.to_datetime(text, errors="coerce", format=fmt) if fmt else _each_date(text)
        bad = np.flatnonzero(pd.isna(parsed))
        if bad.size:
            i = int(bad[0])
            expected = f" (expected {_show_format(fmt)})" if fmt else ""
            raise DataError(f"{what} has an unparseable date {text[i]!r}{at(i)}{expected}")
        index = pd.DatetimeIndex(parsed)
    return index.tz_localize(None) if index.tz is not None else index


def _each_date(text: pd.Index) -> pd.DatetimeIndex:
    """Parse values one by one (no common format could be guessed); NaT where one fails."""
    out = []
    for v in text:
        try:
            out.append(pd.Timestamp(v))
        except (ValueError, TypeError):
            out.append(pd.NaT)
    return pd.DatetimeIndex(out)


def _show_format(fmt: str) -> str:
    """``"%Y-%m-%d"`` -> ``"YYYY-MM-DD"``, as a reader writes it."""
    for code, shown in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD"), ("%H", "hh"), ("%M", "mm"), ("%S", "ss")):
        fmt = fmt.replace(code, shown)
    return fmt


def read_rows(file: Path) -> tuple[pd.DataFrame, list[int]]:
    """Read a CSV file as text cells, and the line number of each row.

    Blank lines are skipped, as pandas does, but counted, so a message can
    name the line a reader finds in an editor.

    Raises
    ------
    DataError
        If the file is empty or not a readable CSV; the message names it.
    """
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{file}: file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{file}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    blank = (frame.apply(lambda col: col.str.strip()) == "").all(axis=1).to_numpy()
    lines = [i + 2 for i in range(len(frame)) if not blank[i]]  # line 1 is the header
    return frame.loc[~blank].reset_index(drop=True), lines

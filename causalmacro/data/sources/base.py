"""What every data source provides, and the validation all of them share.

A source maps raw series IDs to float series on a sorted, unique
``DatetimeIndex`` named ``date``. Sources only read: alignment, gaps and
transforms happen downstream (:mod:`causalmacro.panel`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from causalmacro.errors import DataError

__all__ = ["Source", "clean_series", "load_all"]


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
) -> pd.Series:
    """Validate and coerce one raw series.

    Empty cells and FRED's ``"."`` are missing values; anything else that is
    not a number is an error. Dates must parse and be unique.

    Parameters
    ----------
    values : pandas.Series
        Raw values indexed by raw dates (strings or timestamps).
    series_id : str
        The series or column name, for messages and the result's name.
    where : str
        The file or object the values came from, for messages.

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
    try:
        index = pd.DatetimeIndex(pd.to_datetime(values.index, errors="raise"))
    except (ValueError, TypeError) as exc:
        bad = _first_bad_date(values.index)
        raise DataError(f"{where}: series {series_id} has an unparseable date {bad!r}") from exc
    if index.tz is not None:
        index = index.tz_localize(None)
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
            raise DataError(
                f"{where}: series {series_id} has a non-numeric value {text.iloc[i]!r} "
                f"on {index[i].date()}"
            )
    out = pd.Series(numeric, index=index.rename("date"), name=series_id)
    dup = out.index.duplicated()
    if dup.any():
        raise DataError(
            f"{where}: series {series_id} has a duplicated date {out.index[dup][0].date()}"
        )
    if np.isinf(numeric).any():
        raise DataError(f"{where}: series {series_id} has an infinite value")
    if out.isna().all():
        raise DataError(f"{where}: series {series_id} has no observations (all values missing)")
    return out.sort_index()


def _first_bad_date(index: pd.Index) -> object:
    for v in index:
        try:
            pd.Timestamp(v)
        except (ValueError, TypeError):
            return v
    return index[0] if len(index) else None

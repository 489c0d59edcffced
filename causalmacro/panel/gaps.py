"""The sample window and the policy for missing values inside it.

Leading and trailing missing values only narrow the window (series start and
end at different dates). Missing values inside it are handled by the spec's
policy: ``error`` refuses them, naming the series and the dates; ``drop`` keeps
the longest stretch of the window in which no column is missing, so the panel
stays regular; ``interpolate`` fills gaps of at most ``max_gap`` consecutive
periods linearly and refuses longer ones. Nothing is forward-filled. The real
October 2025 hole in CPI and unemployment (a month BLS never published) is such
a one-period gap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from causalmacro.errors import DataError

__all__ = ["common_window", "fill_gaps", "find_gaps", "longest_complete"]


def common_window(
    frame: pd.DataFrame,
    columns: Sequence[str],
    lookbacks: Mapping[str, int] | None = None,
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The span where every one of ``columns`` can be computed.

    A column whose transform consumes ``k`` earlier periods (its lookback)
    can start ``k`` periods after its first observation.

    Raises
    ------
    DataError
        If the spans do not overlap, naming the series that start latest and
        end earliest.
    """
    lookbacks = lookbacks or {}
    firsts: dict[str, pd.Timestamp] = {}
    lasts: dict[str, pd.Timestamp] = {}
    for c in columns:
        first, last = frame[c].first_valid_index(), frame[c].last_valid_index()
        if first is None or last is None:
            raise DataError(f"series {c} has no observations in the sample window")
        pos = frame.index.get_loc(first) + lookbacks.get(c, 0)
        if pos >= len(frame.index) or frame.index[pos] > last:
            raise DataError(f"series {c} has too few observations for its transform")
        firsts[c], lasts[c] = frame.index[pos], last
    late = max(columns, key=lambda c: firsts[c])
    early = min(columns, key=lambda c: lasts[c])
    start, end = firsts[late], lasts[early]
    if start > end:
        raise DataError(
            f"series {late} starts ({start:%Y-%m-%d}) after series {early} ends ({end:%Y-%m-%d}); "
            "they have no common window"
        )
    return start, end


def find_gaps(series: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Interior runs of missing values: ``(first, last, length)`` for each."""
    first, last = series.first_valid_index(), series.last_valid_index()
    if first is None:
        return []
    inside = series.loc[first:last]
    miss = inside.isna().to_numpy()
    if not miss.any():
        return []
    edges = np.diff(np.concatenate([[0], miss.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(inside.index[s], inside.index[e], int(e - s + 1)) for s, e in zip(starts, ends, strict=True)]


def _fmt(first: pd.Timestamp, last: pd.Timestamp, freq: str | None) -> str:
    f = "%Y-%m" if freq == "MS" else "%Y-%m-%d"
    return first.strftime(f) if first == last else f"{first.strftime(f)}..{last.strftime(f)}"


def fill_gaps(
    series: pd.Series,
    *,
    policy: Literal["error", "drop", "interpolate"],
    max_gap: int,
    within: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> tuple[pd.Series, list[dict[str, object]]]:
    """Apply the ``error`` or ``interpolate`` policy to one column's interior gaps.

    Only gaps that touch ``within`` (the sample window, default everything)
    are handled; a gap on the window's last period is interior when the series
    goes on after it, so interpolation can use the next observation.

    Under ``drop`` the series is returned unchanged: the panel then keeps the
    longest complete stretch (:func:`longest_complete`).

    Returns
    -------
    series : pandas.Series
    filled : list of dict
        One record per filled value: ``column``, ``date``, ``method``.

    Raises
    ------
    DataError
        Under ``error``, or for a gap longer than ``max_gap`` under
        ``interpolate``: the message names the series and the missing dates.
    """
    gaps = find_gaps(series)
    if within is not None:
        gaps = [g for g in gaps if g[1] >= within[0] and g[0] <= within[1]]
    if not gaps or policy == "drop":
        return series, []
    col, freq = series.name, series.index.freqstr
    records: list[dict[str, object]] = []
    for first, last, length in gaps:
        span = _fmt(first, last, freq)
        if policy == "error":
            raise DataError(
                f"series {col} is missing {length} period(s) inside the window ({span}); "
                "set [gaps] policy = 'interpolate' or 'drop' in the spec"
            )
        if length > max_gap:
            raise DataError(
                f"series {col} is missing {length} consecutive periods ({span}), more than "
                f"[gaps] max_gap = {max_gap}"
            )
        records += [
            {"column": col, "date": d, "method": "linear interpolation"}
            for d in series.loc[first:last].index
        ]
    out = series.copy()
    interpolated = series.interpolate(method="linear", limit_area="inside")
    for first, last, _ in gaps:
        out.loc[first:last] = interpolated.loc[first:last]
    return out, records


def longest_complete(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The longest run of consecutive rows in which no one of ``columns`` is missing.

    Raises
    ------
    DataError
        If no row is complete.
    """
    complete = frame[list(columns)].notna().all(axis=1).to_numpy()
    if not complete.any():
        raise DataError("no period in the window has every series observed")
    best_len, best_start, run = 0, 0, 0
    for i, ok in enumerate(complete):
        run = run + 1 if ok else 0
        if run > best_len:
            best_len, best_start = run, i - run + 1
    return frame.iloc[best_start : best_start + best_len]

"""Event dummies at the panel's frequency, from a spec's ``[events]``.

A ``pulse`` is 1 in the period containing the event's date, a ``step`` 1 from
that period on and a ``window`` 1 in the ``periods`` periods starting there;
0 elsewhere. Monthly periods are calendar months (labelled by their first day),
weekly periods the weeks ending Friday (labelled by the Friday), as the panel's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from causalmacro.errors import DataError
from causalmacro.spec import EventSpec, ModelSpec

__all__ = ["event_dummies", "event_path", "event_period"]


def event_period(date: pd.Timestamp | str, index: pd.DatetimeIndex) -> pd.Timestamp:
    """The label of the panel period containing ``date`` (monthly: its month; weekly: the week to Friday)."""
    ts = pd.Timestamp(date)
    freq = index.freqstr if index.freq is not None else pd.infer_freq(index)
    if freq is not None and freq.startswith("W"):
        return pd.Timestamp(ts.to_period("W-FRI").end_time.normalize())
    return pd.Timestamp(ts.year, ts.month, 1)


def event_path(event: EventSpec, length: int) -> np.ndarray:
    """An event's dummy from its own period on, ``length`` values: the path its effect follows."""
    path = np.zeros(length)
    if event.shape == "pulse":
        path[:1] = 1.0
    elif event.shape == "step":
        path[:] = 1.0
    else:
        path[: int(event.periods or 1)] = 1.0
    return path


def event_dummies(
    spec: ModelSpec,
    index: pd.DatetimeIndex,
    *,
    names: Sequence[str] | None = None,
    sample: pd.DatetimeIndex | None = None,
) -> pd.DataFrame:
    """The spec's events as 0/1 columns on ``index``.

    Parameters
    ----------
    spec : ModelSpec
    index : DatetimeIndex
        The panel's regular index (``panel.data.index``).
    names : sequence of str, optional
        The events wanted (default: all of ``[events]``, in spec order).
    sample : DatetimeIndex, optional
        The estimation sample (e.g. the VAR's effective sample, after its lags);
        default ``index``. An event that is not active in it is refused.

    Returns
    -------
    DataFrame
        One float column per event, named after it.

    Raises
    ------
    DataError
        Naming the event whose period falls outside the sample, and two events
        whose dummies coincide (their effects could not be told apart).
    """
    wanted = list(spec.events) if names is None else list(names)
    sample = index if sample is None else sample
    span = f"{sample[0]:%Y-%m-%d}..{sample[-1]:%Y-%m-%d}" if len(sample) else "(empty)"
    out = pd.DataFrame(index=index)
    for name in wanted:
        event = spec.events[name]
        date = pd.Timestamp(spec.event_date(name))
        period = event_period(date, index)
        pos = int(index.searchsorted(period))
        values = np.zeros(len(index))
        if pos < len(index) and index[pos] == period:
            values[pos:] = event_path(event, len(index) - pos)
        col = pd.Series(values, index=index)
        active = col.reindex(sample).fillna(0.0)
        if not (active > 0).any():
            raise DataError(f"event '{name}' ({date:%Y-%m-%d}) falls outside the sample {span}")
        if event.shape == "step" and (active > 0).all():
            raise DataError(f"event '{name}' ({date:%Y-%m-%d}) is a step from the first period of the sample "
                            f"{span}: it is the constant")
        for other in out.columns:
            if np.array_equal(out[other].reindex(sample).to_numpy(), active.to_numpy()):
                raise DataError(f"events '{other}' and '{name}' give the same dummy on the sample {span}: "
                                "their effects cannot be told apart; keep one")
        out[name] = values
    return out

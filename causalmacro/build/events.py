"""The spec's events as dummies on a sample: refused when outside it (the main job) or left out (a grid window)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from causalmacro.errors import DataError
from causalmacro.panel.events import event_dummies
from causalmacro.spec import ModelSpec

__all__ = ["events_on"]


def events_on(spec: ModelSpec, index: pd.DatetimeIndex, names: Sequence[str], sample: pd.DatetimeIndex, *,
              strict: bool) -> pd.DataFrame | None:
    """The events ``names`` as 0/1 columns on ``index``, checked against the estimation ``sample``.

    Parameters
    ----------
    spec : ModelSpec
    index : DatetimeIndex
        The data's index (a window of the panel).
    names : sequence of str
        The events wanted, in spec order.
    sample : DatetimeIndex
        The estimation sample (after the lags).
    strict : bool
        True: an event the sample cannot hold raises (the main job). False: it is
        left out (a rolling window of a grid that does not contain it).

    Returns
    -------
    DataFrame or None
        None when no event is left.

    Raises
    ------
    DataError
        ``strict`` and an event outside the sample (:func:`~causalmacro.panel.events.event_dummies`).
    """
    wanted = list(names)
    if not strict:
        wanted = [n for n in wanted if _holds(spec, index, n, sample)]
    if not wanted:
        return None
    return event_dummies(spec, index, names=wanted, sample=sample)


def _holds(spec: ModelSpec, index: pd.DatetimeIndex, name: str, sample: pd.DatetimeIndex) -> bool:
    try:
        event_dummies(spec, index, names=[name], sample=sample)
    except DataError:
        return False
    return True

"""The spec's identification scheme as an object: dates to panel periods, regimes and instruments read.

A spec names its scheme and options in words (event ids, break dates, a
``[regimes]`` definition, an instrument file); :class:`~causalmacro.SVAR`
takes objects holding dates and series on the panel's periods. This module
translates one into the other, and reads the instrument file with the data
layer's checks, so that a bad file, column or value is named in one line.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from causalmacro.data.sources.frame import read_user_csv
from causalmacro.errors import DataError
from causalmacro.panel.events import event_period
from causalmacro.panel.regimes import regime_series
from causalmacro.spec import ModelSpec

if TYPE_CHECKING:
    from causalmacro.svar import Identification

__all__ = ["identification_of", "read_instrument"]


def read_instrument(path: Any, column: str, index: pd.DatetimeIndex) -> pd.Series:
    """An instrument column of a CSV file, summed over each panel period, on the panel's periods.

    Parameters
    ----------
    path : path-like
        A CSV file with a date column (``date``, or the first) and the instrument's column.
    column : str
        The instrument's column.
    index : DatetimeIndex
        The panel's periods (monthly: first day of the month; weekly: the Friday).

    Returns
    -------
    pandas.Series
        Named ``column``, indexed by the panel periods the file covers; a period
        with several rows (daily surprises in a monthly panel) holds their sum, a
        period whose rows are all missing is missing.

    Raises
    ------
    DataError
        The file is missing or unreadable, lacks the column (the message lists
        the columns), a value is not a number, or no row falls in the panel.
    """
    source = read_user_csv(path)
    try:
        values = source.load(column)
    except KeyError:
        cols = [str(c) for c in source.frame.columns]
        raise DataError(f"{path}: no instrument column {column!r}; the columns are {cols}") from None
    if values.empty:
        raise DataError(f"{path}: instrument column {column!r} has no values")
    periods = pd.DatetimeIndex([event_period(d, index) for d in values.index])
    summed = values.groupby(periods).sum(min_count=1)
    summed = summed[summed.index.isin(index)]
    if summed.notna().sum() == 0:
        raise DataError(f"{path}: instrument {column!r} ({values.index[0]:%Y-%m-%d}..{values.index[-1]:%Y-%m-%d}) "
                        f"has no value in the panel's periods ({index[0]:%Y-%m}..{index[-1]:%Y-%m})")
    return summed.rename(column)


def _period(date: dt.date, index: pd.DatetimeIndex) -> pd.Timestamp:
    return pd.Timestamp(event_period(pd.Timestamp(date), index))


def identification_of(spec: ModelSpec, scheme: str, data: pd.DataFrame) -> Identification | str:
    """The identification object of ``scheme`` configured by the spec's ``[var.<scheme>]`` table.

    Parameters
    ----------
    spec : ModelSpec
        Its ``[var]`` section holds the scheme's table (validated by the spec).
    scheme : str
        A scheme name: the spec's ``identification`` or one of its ``compare``.
    data : DataFrame
        The panel's data (a date index): regimes are computed on it, dates and
        the instrument mapped to its periods.

    Returns
    -------
    Identification or str
        An object for schemes with options, else the scheme's name.
    """
    import causalmacro.svar as sv

    assert spec.var is not None
    v = spec.var
    index = pd.DatetimeIndex(data.index)
    if scheme == "short_run" and v.short_run is not None:
        return sv.ShortRun(A=v.short_run.A, B=v.short_run.B)
    if scheme == "sign" and v.sign is not None:
        narrative = [
            sv.NarrativeRestriction(date=_period(spec.narrative_date(r.event), index), shock=r.shock, sign=r.sign,
                                    variable=r.variable, contribution=r.contribution, periods=r.periods)
            for r in v.sign.narrative
        ]
        signs = {shock: {var: x if isinstance(x, int) else x.model_dump() for var, x in resp.items()}
                 for shock, resp in v.sign.signs.items()}
        return sv.SignRestrictions(signs=signs, zeros=v.sign.zeros,
                                   horizons=v.sign.horizons, draws=v.sign.draws, narrative=narrative)
    if scheme == "volatility" and v.volatility is not None:
        vol = v.volatility
        if vol.regime is not None:
            return sv.ChangesInVolatility(regimes=regime_series(data, vol.regime, spec.regimes[vol.regime]),
                                          stratify=vol.stratify)
        assert vol.breaks is not None
        return sv.ChangesInVolatility(breaks=tuple(_period(d, index) for d in vol.breaks), stratify=vol.stratify)
    if scheme == "proxy" and v.proxy is not None:
        p = v.proxy
        instrument = read_instrument(spec.resolve_path(p.file), p.column, index)
        return sv.Proxy(instrument=instrument, shock=p.shock)
    return scheme

"""Bring series of mixed native frequencies onto one panel frequency.

Daily (including 7-day crypto), weekly and monthly series are aggregated to the
panel's frequency (monthly, labelled by the first day of the month as FRED
does; or weekly, weeks ending Friday) by each series' rule: the period mean
(rates, spreads, conditions indices) or the last observation in the period
(prices and stocks), or the sum (flows). A period counts only if the data
cover it: a first or last period that the series only partly spans is left
missing rather than averaged over a few days. Upsampling (quarterly to monthly,
monthly to weekly) is refused: it would invent observations.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from causalmacro.errors import DataError
from causalmacro.spec.catalog import Aggregation, Frequency

__all__ = ["PANEL_RULES", "PERIODS_PER_YEAR", "align_series", "infer_frequency"]

PanelFrequency = Literal["monthly", "weekly"]

#: pandas offset alias of each panel frequency
PANEL_RULES: dict[str, str] = {"monthly": "MS", "weekly": "W-FRI"}
#: observations per year, for year-on-year changes
PERIODS_PER_YEAR: dict[str, int] = {"monthly": 12, "weekly": 52}

_RANK: dict[str, int] = {"D": 0, "W": 1, "M": 2, "Q": 3, "A": 4}
_NAMES: dict[str, str] = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "A": "annual"}
_TARGET: dict[str, Frequency] = {"monthly": "M", "weekly": "W"}
# how far before the period's end (after its start) the last (first) observation
# may fall for the period to count as covered: weekends, holidays, weekly dates
_SLACK: dict[tuple[str, str], pd.Timedelta] = {
    ("D", "monthly"): pd.Timedelta(days=4),
    ("D", "weekly"): pd.Timedelta(days=2),
    ("W", "monthly"): pd.Timedelta(days=6),
    ("W", "weekly"): pd.Timedelta(days=6),
}


def infer_frequency(index: pd.DatetimeIndex) -> str:
    """Native frequency of observed dates from their typical (lower-quartile) spacing.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Dates of the non-missing observations.

    Returns
    -------
    {"D", "W", "M", "Q", "A"}
    """
    if len(index) < 2:
        return "M"
    seconds = np.diff(index.to_numpy().astype("datetime64[s]").astype(np.int64))
    days = float(np.percentile(seconds, 25)) / 86_400  # robust to gaps
    if days < 4:
        return "D"
    if days < 10:
        return "W"
    if days < 45:
        return "M"
    if days < 120:
        return "Q"
    return "A"


def align_series(
    series: pd.Series,
    *,
    frequency: PanelFrequency,
    aggregation: Aggregation,
) -> pd.Series:
    """Aggregate one series to the panel frequency.

    Parameters
    ----------
    series : pandas.Series
        float values on a sorted unique DatetimeIndex (NaN allowed).
    frequency : {"monthly", "weekly"}
        The panel's frequency.
    aggregation : {"mean", "last", "sum"}
        How observations within a period combine.

    Returns
    -------
    pandas.Series
        On a regular index of the panel frequency (``freq`` set) from the
        first to the last covered period; periods without observations are NaN.

    Raises
    ------
    DataError
        If the series is of a lower frequency than the panel.
    """
    name = str(series.name)
    obs = series.dropna()
    if obs.empty:
        raise DataError(f"series {name} has no observations")
    native = infer_frequency(pd.DatetimeIndex(obs.index))
    if _RANK[native] > _RANK[_TARGET[frequency]]:
        raise DataError(
            f"series {name} is {_NAMES[native]} and cannot be aligned to a {frequency} panel "
            "(upsampling would invent observations)"
        )
    rule = PANEL_RULES[frequency]
    if native == _TARGET[frequency] and frequency == "monthly":
        # already monthly: relabel each date to its month's first day
        labels = pd.DatetimeIndex(obs.index).to_period("M").to_timestamp()
        if labels.duplicated().any():
            raise DataError(f"series {name} has two observations in the month {labels[labels.duplicated()][0]:%Y-%m}")
        out = pd.Series(obs.to_numpy(), index=labels, name=name)
        return out.asfreq(rule)

    resampler = obs.resample(rule)
    if aggregation == "mean":
        out = resampler.mean()
    elif aggregation == "last":
        out = resampler.last()
    else:
        out = resampler.sum(min_count=1)
    out = out.asfreq(rule)
    slack = _SLACK[(native, frequency)]
    first, last = obs.index[0], obs.index[-1]
    period_start = out.index[0]
    if first > period_start + slack:
        out = out.iloc[1:]
    period_end = out.index[-1] + pd.tseries.frequencies.to_offset(rule) - pd.Timedelta(days=1)
    if frequency == "weekly":  # W-FRI labels are the period's last day
        period_end = out.index[-1]
    if last < period_end - slack:
        out = out.iloc[:-1]
    out.name = name
    out.index.name = "date"
    return out

"""The catalog of the liquidity chain's indicators.

Each entry records what a series is (FRED ID, title, units), how FRED serves it
(native frequency), how to bring it to a lower frequency (mean over the period,
or the value at the end of it), its default transform and its group in the
chain ``inflation -> rates -> liquidity -> risk appetite -> asset prices``.

Derived series are defined declaratively as linear combinations of catalogued
series, computed after alignment (see :mod:`causalmacro.panel.derived`).

A spec may name any FRED ID or user column that is not catalogued; it then
states its aggregation and transform itself, or gets the defaults
(``mean``, ``level``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = [
    "CATALOG",
    "DERIVED",
    "Aggregation",
    "DerivedSeries",
    "Frequency",
    "Group",
    "SeriesInfo",
    "Transform",
    "lookup",
]

Frequency = Literal["D", "W", "M", "Q"]
Aggregation = Literal["mean", "last", "sum"]
Transform = Literal["level", "log", "diff", "logdiff", "yoy", "zscore"]
Group = Literal["inflation", "rates", "liquidity", "risk", "growth", "dollar", "assets", "other"]


@dataclass(frozen=True)
class SeriesInfo:
    """Metadata of one catalogued series.

    Attributes
    ----------
    series_id : str
        FRED series ID (or a user column name).
    title : str
        Human-readable title.
    units : str
        Units as FRED serves them.
    frequency : {"D", "W", "M", "Q"}
        Native frequency.
    aggregation : {"mean", "last", "sum"}
        How to aggregate to a lower frequency: period mean (rates, spreads,
        indices of conditions), end of period (stocks and prices), or sum (flows).
    transform : str
        Default transform in a model (see :mod:`causalmacro.panel.transforms`).
    group : str
        Link of the chain the series belongs to.
    """

    series_id: str
    title: str
    units: str
    frequency: Frequency
    aggregation: Aggregation
    transform: Transform
    group: Group


def _s(
    series_id: str,
    title: str,
    units: str,
    frequency: Frequency,
    aggregation: Aggregation,
    transform: Transform,
    group: Group,
) -> tuple[str, SeriesInfo]:
    return series_id, SeriesInfo(series_id, title, units, frequency, aggregation, transform, group)


CATALOG: Mapping[str, SeriesInfo] = MappingProxyType(
    dict(
        [
            # inflation
            _s("CPIAUCSL", "Consumer Price Index, all items", "Index 1982-1984=100", "M", "mean", "yoy", "inflation"),
            _s("CPILFESL", "Core CPI (less food and energy)", "Index 1982-1984=100", "M", "mean", "yoy", "inflation"),
            _s("PCEPI", "PCE price index", "Index 2017=100", "M", "mean", "yoy", "inflation"),
            _s("PCEPILFE", "Core PCE price index", "Index 2017=100", "M", "mean", "yoy", "inflation"),
            _s("T10YIE", "10-year breakeven inflation", "Percent", "D", "mean", "level", "inflation"),
            _s("T5YIE", "5-year breakeven inflation", "Percent", "D", "mean", "level", "inflation"),
            # rates
            _s("FEDFUNDS", "Effective federal funds rate", "Percent", "M", "mean", "level", "rates"),
            _s("DGS2", "2-year Treasury yield", "Percent", "D", "mean", "level", "rates"),
            _s("DGS10", "10-year Treasury yield", "Percent", "D", "mean", "level", "rates"),
            _s("DFII10", "10-year TIPS real yield", "Percent", "D", "mean", "level", "rates"),
            _s("T10Y2Y", "10-year minus 2-year Treasury spread", "Percent", "D", "mean", "level", "rates"),
            # liquidity
            _s("WALCL", "Fed total assets", "Millions of USD", "W", "mean", "logdiff", "liquidity"),
            _s("WTREGEN", "Treasury General Account", "Millions of USD", "W", "mean", "level", "liquidity"),
            _s("RRPONTSYD", "Overnight reverse repurchase agreements", "Billions of USD", "D", "mean", "level", "liquidity"),
            _s("M2SL", "M2 money stock", "Billions of USD", "M", "mean", "logdiff", "liquidity"),
            # risk appetite
            _s("VIXCLS", "CBOE volatility index (VIX)", "Index", "D", "mean", "level", "risk"),
            _s("BAMLH0A0HYM2", "ICE BofA US high-yield OAS", "Percent", "D", "mean", "level", "risk"),
            _s("BAA10Y", "Moody's Baa minus 10-year Treasury", "Percent", "D", "mean", "level", "risk"),
            _s("NFCI", "Chicago Fed National Financial Conditions Index", "Index", "W", "mean", "level", "risk"),
            # growth
            _s("INDPRO", "Industrial production", "Index 2017=100", "M", "mean", "logdiff", "growth"),
            _s("UNRATE", "Unemployment rate", "Percent", "M", "mean", "level", "growth"),
            _s("PAYEMS", "Nonfarm payrolls", "Thousands of persons", "M", "mean", "logdiff", "growth"),
            _s("GDPC1", "Real GDP", "Billions of chained 2017 USD", "Q", "mean", "logdiff", "growth"),
            # dollar
            _s("DTWEXBGS", "Nominal broad U.S. dollar index", "Index Jan 2006=100", "D", "mean", "logdiff", "dollar"),
            # assets
            _s("CBBTCUSD", "Coinbase Bitcoin", "USD", "D", "last", "logdiff", "assets"),
            _s("CBETHUSD", "Coinbase Ethereum", "USD", "D", "last", "logdiff", "assets"),
            _s("NASDAQCOM", "NASDAQ Composite index", "Index Feb 5 1971=100", "D", "last", "logdiff", "assets"),
            _s("SP500", "S&P 500 index", "Index", "D", "last", "logdiff", "assets"),
        ]
    )
)


@dataclass(frozen=True)
class DerivedSeries:
    """A series computed from others after alignment, as a linear combination.

    ``value = sum(coef * series)`` over :attr:`terms`. Where the combination is
    missing (an input is missing) and a :attr:`fallback` is given, the fallback
    combination fills those dates; each filled date is recorded.

    Attributes
    ----------
    name : str
        Name of the derived series.
    title : str
        Human-readable title.
    units : str
        Units of the result.
    terms : Mapping[str, float]
        Series ID -> coefficient. Unit conversions live in the coefficients.
    fallback : Mapping[str, float] or None
        Alternative combination used where :attr:`terms` cannot be computed.
    transform : str
        Default transform.
    group : str
        Link of the chain.
    """

    name: str
    title: str
    units: str
    terms: Mapping[str, float]
    fallback: Mapping[str, float] | None = None
    transform: Transform = "level"
    group: Group = "other"
    aggregation: Aggregation = field(default="mean")

    @property
    def inputs(self) -> tuple[str, ...]:
        """All series IDs the derived series may read, fallback included."""
        ids = list(self.terms)
        for sid in self.fallback or {}:
            if sid not in ids:
                ids.append(sid)
        return tuple(ids)


DERIVED: Mapping[str, DerivedSeries] = MappingProxyType(
    {
        "net_liquidity": DerivedSeries(
            name="net_liquidity",
            title="Net liquidity: Fed assets - TGA - reverse repo",
            units="Billions of USD",
            # WALCL and WTREGEN are millions, RRPONTSYD billions: normalise to billions.
            terms=MappingProxyType({"WALCL": 1e-3, "WTREGEN": -1e-3, "RRPONTSYD": -1.0}),
            transform="logdiff",
            group="liquidity",
        ),
        "real_rate_10y": DerivedSeries(
            name="real_rate_10y",
            title="10-year real rate (TIPS yield; nominal minus breakeven where TIPS are missing)",
            units="Percent",
            terms=MappingProxyType({"DFII10": 1.0}),
            fallback=MappingProxyType({"DGS10": 1.0, "T10YIE": -1.0}),
            transform="level",
            group="rates",
        ),
        "term_spread": DerivedSeries(
            name="term_spread",
            title="Term spread: 10-year minus 2-year Treasury yield",
            units="Percent",
            terms=MappingProxyType({"DGS10": 1.0, "DGS2": -1.0}),
            transform="level",
            group="rates",
        ),
    }
)


def lookup(series_id: str) -> SeriesInfo | None:
    """Return the catalog entry of ``series_id`` (case-insensitive), or None."""
    return CATALOG.get(series_id.upper())

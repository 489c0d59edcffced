"""The shipped catalogue of dated market events (``causalmacro/data/events.toml``).

Each entry has a date (the day the news reached markets), a ``kind`` from
:data:`EVENT_KINDS`, a one-line title and the URL of its source.

Sources are chosen for being primary or reputable records that stay put: a
regulator's, court's, central bank's or law-enforcement release, the firm's or
project's own announcement, the chain itself for a block height, a central
bank's data series for a market move, or else a major news outlet. Every
source is https, carries no tracking parameters and no staging, preview or
newsletter path, and its host is on :data:`SOURCE_HOSTS`;
:func:`source_problem` says what is wrong with one that is not (the tests hold
every entry to it, so a new doubtful source fails them).
A spec names an entry in an ``[events.<name>]`` table (``catalogue = "<id>"``,
or a table named after the entry); :mod:`causalmacro.panel.events` turns the
spec's events into dummies at the panel's frequency.

Examples
--------
>>> from causalmacro.spec.events import event_catalogue
>>> cat = event_catalogue()
>>> cat["ftx_collapse_2022"].kind                    # doctest: +SKIP
'failure'
"""

from __future__ import annotations

import datetime as dt
import tomllib
import urllib.parse
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Literal, get_args

from ..errors import SpecError

__all__ = ["EVENT_KINDS", "SOURCE_HOSTS", "CatalogueEvent", "EventKind", "event_catalogue", "source_problem"]

EventKind = Literal["hack", "failure", "stablecoin", "etf", "market_stress", "technology", "monetary_policy",
                    "regulation"]
#: The closed set of event kinds of the catalogue.
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


#: The hosts an event's source may be on, by kind of record (a subdomain of one counts as it).
SOURCE_HOSTS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "central bank": ("federalreserve.gov", "newyorkfed.org", "stlouisfed.org", "mas.gov.sg"),
    "regulator or court": ("sec.gov", "fdic.gov", "justice.gov", "ic3.gov", "osc.ca", "osc.gov.on.ca", "uscourts.gov",
                           "cases.stretto.com"),
    "firm or project": ("circle.com", "binance.com", "proshares.com", "ethereum.org", "huggingface.co",
                        "deepseek.com", "nasdaq.com"),
    "the chain": ("blockstream.info",),
    "news": ("abcnews.go.com", "bbc.com", "scmp.com", "france24.com", "time.com", "theverge.com", "engadget.com",
             "coindesk.com", "decrypt.co", "rte.ie"),
})
#: Query parameters that track a click rather than name a page.
TRACKING_PARAMETERS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ea_", "scrolla", "original_slug",
                       "infinite_more")
_DOUBTFUL_PATH = ("staging", "preview", "newsletter", "draft")


def source_problem(url: str) -> str | None:
    """What makes ``url`` unfit as an event's source, or None.

    Parameters
    ----------
    url : str
        The ``source`` of a catalogue entry.

    Returns
    -------
    str or None
        One line naming the problem: not https, a tracking query parameter, a
        staging/preview/newsletter path, or a host not on :data:`SOURCE_HOSTS`.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https":
        return f"not https: {url}"
    for name, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if name.lower().startswith(TRACKING_PARAMETERS):
            return f"tracking parameter {name!r}: {url}"
    segments = [s.lower() for s in parts.path.split("/")]
    if any(s.startswith(_DOUBTFUL_PATH) for s in segments):
        return f"a staging, preview or newsletter page: {url}"
    host = (parts.hostname or "").lower()
    allowed = [h for hosts in SOURCE_HOSTS.values() for h in hosts]
    if not any(host == h or host.endswith("." + h) for h in allowed):
        return f"host {host!r} is not on SOURCE_HOSTS (a primary or reputable record): {url}"
    return None


@dataclass(frozen=True)
class CatalogueEvent:
    """One dated event of the catalogue."""

    id: str
    date: dt.date
    kind: str
    title: str
    source: str
    note: str = ""


@cache
def _load() -> MappingProxyType[str, CatalogueEvent]:
    ref = resources.files("causalmacro").joinpath("data/events.toml")
    where = "causalmacro/data/events.toml"
    try:
        raw = tomllib.loads(ref.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:  # a broken install
        raise SpecError(f"{where}: cannot read the event catalogue ({exc})") from None
    out: dict[str, CatalogueEvent] = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict):
            raise SpecError(f"{where}: entry '{key}' is not a table")
        missing = [f for f in ("date", "kind", "title", "source") if f not in entry]
        if missing:
            raise SpecError(f"{where}: entry '{key}' lacks '{missing[0]}'")
        date = entry["date"]
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            raise SpecError(f"{where}: entry '{key}': 'date' is not a date")
        if entry["kind"] not in EVENT_KINDS:
            raise SpecError(f"{where}: entry '{key}': kind {entry['kind']!r} is not one of {list(EVENT_KINDS)}")
        out[key] = CatalogueEvent(id=key, date=date, kind=entry["kind"], title=str(entry["title"]),
                                  source=str(entry["source"]), note=str(entry.get("note", "")))
    return MappingProxyType(dict(sorted(out.items(), key=lambda kv: (kv[1].date, kv[0]))))


def event_catalogue() -> MappingProxyType[str, CatalogueEvent]:
    """The shipped event catalogue, by id, in date order (read once, read-only).

    Returns
    -------
    mapping of str to CatalogueEvent

    Raises
    ------
    SpecError
        If the installed catalogue file is unreadable or malformed (a broken install).
    """
    return _load()

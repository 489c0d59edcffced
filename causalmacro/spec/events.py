"""The shipped catalogue of dated market events (``causalmacro/data/events.toml``).

Each entry has a date (the day the news reached markets), a ``kind`` from
:data:`EVENT_KINDS`, a one-line title and the URL of a source stating the date.
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
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Literal, get_args

from ..errors import SpecError

__all__ = ["EVENT_KINDS", "CatalogueEvent", "EventKind", "event_catalogue"]

EventKind = Literal["hack", "failure", "stablecoin", "etf", "market_stress", "technology", "monetary_policy",
                    "regulation"]
#: The closed set of event kinds of the catalogue.
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


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

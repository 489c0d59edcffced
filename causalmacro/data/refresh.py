"""Incremental refresh of the local store from FRED.

What to fetch is decided by the pure function :func:`plan_fetch`, from the
stored metadata and FRED's ``last_updated`` stamp alone:

* a series not stored yet, or a refresh with ``full=True``, is fetched whole;
* a series whose ``last_updated`` equals the stored one is skipped (one
  ``fred/series`` request, no ``fred/series/observations`` request);
* otherwise only observations from the last stored date minus a revision
  window are fetched, and :meth:`causalmacro.data.store.Store.write` merges them,
  recording changed values as revisions.

:func:`refresh` runs the plans: one transaction per series, so a series that
fails leaves the store as it was for that series and keeps the others' updates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

import pandas as pd
from tqdm import tqdm

from causalmacro.data.fred import FredSeriesInfo, client_from_env
from causalmacro.data.store import SeriesMeta, Store
from causalmacro.errors import CausalMacroError, DataError, FetchAbort

__all__ = [
    "DEFAULT_REVISION_WINDOW_DAYS",
    "FetchPlan",
    "RefreshReport",
    "SeriesOutcome",
    "SeriesSource",
    "client_from_env",
    "plan_fetch",
    "refresh",
]

DEFAULT_REVISION_WINDOW_DAYS = 92
"""Days before the last stored observation that an incremental fetch asks for again.

Three months cover the routine revisions of the latest releases: monthly
series (CPI, payrolls, industrial production) revise the previous one or two
months, weekly and daily series (H.4.1, H.8, rates) a few weeks. Annual and
benchmark revisions reach years back; ``full=True`` refetches those.
"""


class SeriesSource(Protocol):
    """What :func:`refresh` needs from a client (:class:`~causalmacro.data.fred.FredClient`)."""

    def series_info(self, series_id: str) -> FredSeriesInfo:
        """Metadata of a series, including its ``last_updated`` stamp."""
        ...

    def observations(self, series_id: str, start: pd.Timestamp | None = None) -> pd.Series:
        """Observations on or after ``start`` (all when None)."""
        ...


@dataclass(frozen=True)
class FetchPlan:
    """What to fetch for one series.

    Attributes
    ----------
    action : {"skip", "full", "since"}
        Fetch nothing, everything, or observations from ``since`` on.
    since : pandas.Timestamp or None
        First date to fetch when ``action == "since"``.
    reason : str
        One line saying why.
    """

    action: Literal["skip", "full", "since"]
    since: pd.Timestamp | None
    reason: str


def _window(revision_window: pd.DateOffset | int) -> pd.DateOffset:
    if isinstance(revision_window, pd.DateOffset):
        return revision_window
    if isinstance(revision_window, bool) or not isinstance(revision_window, int):
        raise TypeError("revision_window must be a pandas.DateOffset or a number of days")
    if revision_window < 0:
        raise ValueError(f"revision_window must be >= 0 days, got {revision_window}")
    return pd.DateOffset(days=revision_window)


def plan_fetch(
    meta: SeriesMeta | None,
    remote_last_updated: str | None,
    *,
    revision_window: pd.DateOffset | int = DEFAULT_REVISION_WINDOW_DAYS,
    full: bool = False,
) -> FetchPlan:
    """Decide what to fetch for one series. Pure: no I/O, no clock.

    Parameters
    ----------
    meta : SeriesMeta or None
        The stored metadata; None when the series is not stored.
    remote_last_updated : str or None
        FRED's current ``last_updated`` stamp; None when unknown (then the
        series is never skipped).
    revision_window : pandas.DateOffset or int
        How far before the last stored observation to fetch again, as an offset
        or a number of days. The default, :data:`DEFAULT_REVISION_WINDOW_DAYS`
        (92 days), covers routine revisions of the latest releases.
    full : bool
        Fetch everything, e.g. after a benchmark revision.

    Returns
    -------
    FetchPlan
    """
    window = _window(revision_window)
    if meta is None:
        return FetchPlan("full", None, "not in the store")
    if full:
        return FetchPlan("full", None, "full refresh requested")
    if meta.last_obs is None:
        return FetchPlan("full", None, "stored without observations")
    if remote_last_updated is not None and meta.last_updated == remote_last_updated:
        return FetchPlan("skip", None, f"unchanged since {remote_last_updated}")
    since = pd.Timestamp(meta.last_obs) - window
    return FetchPlan("since", since, f"updated; fetching from {since:%Y-%m-%d}")


@dataclass(frozen=True)
class SeriesOutcome:
    """How refreshing one series went.

    Attributes
    ----------
    series_id : str
    status : {"skipped", "updated", "failed"}
    added, revised : int
        Observations added and revised in the store.
    reason : str
        One line: why skipped, what was fetched, or why it failed.
    """

    series_id: str
    status: Literal["skipped", "updated", "failed"]
    added: int = 0
    revised: int = 0
    reason: str = ""


@dataclass(frozen=True)
class RefreshReport:
    """The outcome of :func:`refresh`, one :class:`SeriesOutcome` per series.

    Attributes
    ----------
    outcomes : tuple of SeriesOutcome
        In the order the series were given.
    """

    outcomes: tuple[SeriesOutcome, ...]

    @property
    def failed(self) -> list[str]:
        """IDs of the series that failed."""
        return [o.series_id for o in self.outcomes if o.status == "failed"]

    @property
    def failure_text(self) -> str:
        """The failed series' one-line reasons (each names its series), joined by ``"; "``."""
        return "; ".join(o.reason for o in self.outcomes if o.status == "failed")

    @property
    def ok(self) -> bool:
        """True when no series failed."""
        return not self.failed

    @property
    def added(self) -> int:
        """Observations added over all series."""
        return sum(o.added for o in self.outcomes)

    @property
    def revised(self) -> int:
        """Observations revised over all series."""
        return sum(o.revised for o in self.outcomes)

    def summary(self) -> str:
        """A short text report: one line per series, then totals."""
        lines = []
        for o in self.outcomes:
            counts = f" +{o.added} added, {o.revised} revised" if o.status == "updated" else ""
            lines.append(f"{o.series_id:<20} {o.status:<8}{counts}  {o.reason}".rstrip())
        n = {s: sum(o.status == s for o in self.outcomes) for s in ("updated", "skipped", "failed")}
        lines.append(
            f"{n['updated']} updated, {n['skipped']} skipped, {n['failed']} failed; "
            f"{self.added} observations added, {self.revised} revised"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "outcomes": [vars(o).copy() for o in self.outcomes],
            "failed": self.failed,
            "added": self.added,
            "revised": self.revised,
        }


def _now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _refresh_one(
    series_id: str,
    store: Store,
    client: SeriesSource,
    *,
    revision_window: pd.DateOffset | int,
    full: bool,
    now: Callable[[], str],
) -> SeriesOutcome:
    info = client.series_info(series_id)
    plan = plan_fetch(
        store.meta(series_id), info.last_updated, revision_window=revision_window, full=full
    )
    if plan.action == "skip":
        return SeriesOutcome(series_id, "skipped", reason=plan.reason)
    fetched_at = now()
    observations = client.observations(series_id, start=plan.since)
    if plan.action == "full" and observations.empty:
        raise DataError(f"FRED returned no observations for series {series_id}")
    meta = SeriesMeta(
        series_id=series_id,
        title=info.title,
        units=info.units,
        frequency=info.frequency,
        first_obs=None,
        last_obs=None,
        last_updated=info.last_updated,
        fetched_at=fetched_at,
        content_hash=None,
        source="fred",
    )
    written = store.write(series_id, observations, meta)
    return SeriesOutcome(series_id, "updated", written.added, written.revised, plan.reason)


def refresh(
    series_ids: Iterable[str],
    store: Store,
    client: SeriesSource,
    *,
    revision_window: pd.DateOffset | int = DEFAULT_REVISION_WINDOW_DAYS,
    full: bool = False,
    progress: bool = True,
    now: Callable[[], str] = _now_utc,
) -> RefreshReport:
    """Bring the stored series up to date with FRED.

    Parameters
    ----------
    series_ids : iterable of str
        Series to refresh; duplicates are refreshed once.
    store : Store
        Where to write.
    client : SeriesSource
        Usually :func:`client_from_env`.
    revision_window : pandas.DateOffset or int
        See :func:`plan_fetch`.
    full : bool
        Refetch every series whole.
    progress : bool
        Show a tqdm progress bar on stderr.
    now : callable
        Returns the UTC ISO time stored as ``fetched_at``.

    Returns
    -------
    RefreshReport
        One outcome per series; failures carry a one-line reason and leave
        that series' stored data unchanged.
    """
    window = _window(revision_window)
    ids = list(dict.fromkeys(series_ids))
    outcomes = []
    with tqdm(ids, desc="FRED", unit="series", disable=not progress) as bar:
        for series_id in bar:
            bar.set_postfix_str(series_id)
            try:
                outcome = _refresh_one(
                    series_id, store, client, revision_window=window, full=full, now=now
                )
            except FetchAbort:
                raise  # a rejected key or an unreachable server: every other series would fail alike
            except CausalMacroError as exc:
                outcome = SeriesOutcome(series_id, "failed", reason=str(exc))
            outcomes.append(outcome)
    return RefreshReport(tuple(outcomes))

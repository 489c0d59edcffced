"""The local store of fetched series: one SQLite file in one directory.

The store keeps, per series, its observations and its metadata (title, units,
frequency, first and last observation, when it was fetched, FRED's
``last_updated``, a content hash and the source). A write *merges*: dates not
stored yet are added, and a stored value that changed is overwritten only after
the old and the new value have been recorded in the ``revisions`` table, so data
revisions (Croushore & Stark, 2001, "A real-time data set for
macroeconomists", *Journal of Econometrics* 105) are never silently lost.

Concurrency and crash safety come from SQLite itself: the database runs in
write-ahead-log mode, every series write (observations, revisions and metadata)
is one ``BEGIN IMMEDIATE`` transaction, and connections wait on a busy timeout
instead of failing when another process holds the write lock. A process killed
in the middle of a write leaves the last committed state readable.

The store only does I/O; what to fetch is decided by
:func:`causalmacro.data.refresh.plan_fetch`.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import platformdirs

from causalmacro.errors import DataError, StoreError

__all__ = [
    "DB_FILENAME",
    "SeriesMeta",
    "Store",
    "WriteReport",
    "content_hash",
    "default_store_dir",
]

DB_FILENAME = "store.sqlite3"
"""Name of the SQLite file inside the store directory."""

_SCHEMA_VERSION = 1
_BUSY_TIMEOUT_S = 60.0
_DATE_FORMAT = "%Y-%m-%d"
# Dates come back in the datetime unit this pandas gives dates parsed from text
# (microseconds in pandas 3, nanoseconds in pandas 2), so stored series align
# with series read from CSV files without casting.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UNIT: str = pd.to_datetime(["2000-01-01"], format=_DATE_FORMAT).unit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS series (
    series_id    TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    units        TEXT NOT NULL,
    frequency    TEXT NOT NULL,
    first_obs    TEXT,
    last_obs     TEXT,
    last_updated TEXT,
    fetched_at   TEXT,
    content_hash TEXT,
    source       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    series_id TEXT NOT NULL,
    date      TEXT NOT NULL,
    value     REAL,
    PRIMARY KEY (series_id, date)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revisions (
    id          INTEGER PRIMARY KEY,
    series_id   TEXT NOT NULL,
    date        TEXT NOT NULL,
    old_value   REAL,
    new_value   REAL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revisions_series ON revisions (series_id, date);
"""

_REVISION_COLUMNS = ["series_id", "date", "old_value", "new_value", "recorded_at"]


class _Locked(Exception):
    """SQLite refused a lock without waiting; the caller retries."""


def default_store_dir() -> Path:
    """Return the default store directory, the user cache dir of causalmacro.

    Returns
    -------
    pathlib.Path
        ``platformdirs.user_cache_dir("causalmacro")``; nothing is created.
    """
    return Path(platformdirs.user_cache_dir("causalmacro"))


@dataclass(frozen=True)
class SeriesMeta:
    """Metadata of one stored series.

    Attributes
    ----------
    series_id : str
        Series identifier (a FRED series ID for FRED data).
    title, units : str
        As the source serves them.
    frequency : str
        The source's short frequency code (FRED's ``frequency_short``: D, W, M, Q, A...).
    first_obs, last_obs : pandas.Timestamp or None
        Dates of the first and last stored observation. On
        :meth:`Store.write` these are computed by the store from the stored data.
    last_updated : str or None
        The source's own last-update stamp (FRED's ``last_updated``), verbatim.
    fetched_at : str or None
        When the observations were fetched, UTC ISO 8601.
    content_hash : str or None
        :func:`content_hash` of the stored observations; computed by the store on write.
    source : str
        Where the data came from, e.g. ``"fred"``.
    """

    series_id: str
    title: str
    units: str
    frequency: str
    first_obs: pd.Timestamp | None
    last_obs: pd.Timestamp | None
    last_updated: str | None
    fetched_at: str | None
    content_hash: str | None
    source: str


@dataclass(frozen=True)
class WriteReport:
    """What one :meth:`Store.write` changed.

    Attributes
    ----------
    series_id : str
        The series written.
    added : int
        Observations at dates that were not stored before.
    revised : int
        Stored observations whose value changed (each recorded in the revisions table).
    """

    series_id: str
    added: int
    revised: int


def content_hash(observations: pd.Series) -> str:
    """SHA-256 of the canonical binary form of a series' observations.

    The canonical form is, per observation in date order, the date as 10 ASCII
    bytes ``YYYY-MM-DD`` followed by the value as an 8-byte little-endian IEEE
    754 double; every missing value is written as the same quiet NaN and
    ``-0.0`` as ``0.0``.

    Parameters
    ----------
    observations : pandas.Series
        Float values on a :class:`~pandas.DatetimeIndex`.

    Returns
    -------
    str
        Hex digest.
    """
    obs = observations.sort_index()
    days = pd.DatetimeIndex(obs.index).to_numpy().astype("datetime64[D]")
    values = obs.to_numpy(dtype="float64", na_value=np.nan)
    return _hash(np.datetime_as_string(days, unit="D"), values)


def _hash(dates: np.ndarray, values: np.ndarray) -> str:
    record = np.empty(len(dates), dtype=[("date", "S10"), ("value", "<f8")])
    record["date"] = dates.astype("S10")
    # one NaN for every missing value, and +0.0 for -0.0 (SQLite stores both zeros as 0.0)
    record["value"] = np.where(np.isnan(values), np.nan, values + 0.0)
    return hashlib.sha256(record.tobytes()).hexdigest()


def _canonical(series_id: str, observations: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Validate observations; return days (datetime64[D]) and float64 values, in date order."""
    if not isinstance(observations, pd.Series):
        raise DataError(f"observations for series {series_id} must be a pandas Series")
    index = observations.index
    if not isinstance(index, pd.DatetimeIndex):
        raise DataError(f"observations for series {series_id} need a DatetimeIndex")
    if index.tz is not None:
        raise DataError(f"observations for series {series_id} have a time-zone-aware index")
    if index.hasnans:
        raise DataError(f"observations for series {series_id} have missing dates (NaT)")
    stamps = index.to_numpy()
    days = stamps.astype("datetime64[D]")
    if (days != stamps).any():
        raise DataError(f"observations for series {series_id} have dates with a time of day")
    if index.has_duplicates:
        dup = np.datetime_as_string(days[index.duplicated()][0], unit="D")
        raise DataError(f"observations for series {series_id} repeat the date {dup}")
    try:
        values = pd.to_numeric(observations, errors="raise").to_numpy(
            dtype="float64", na_value=np.nan
        )
    except (TypeError, ValueError):
        raise DataError(f"observations for series {series_id} are not numeric") from None
    if np.isinf(values).any():
        raise DataError(f"observations for series {series_id} contain infinite values")
    order = np.argsort(days, kind="stable")
    return days[order], values[order]


def _timestamp(text: str | None) -> pd.Timestamp | None:
    return None if text is None else pd.Timestamp(text)


def _writable(folder: Path, db: Path) -> bool:
    """Whether the store can be written: its folder (SQLite's journal files) and its database file."""
    return os.access(folder, os.W_OK) and (not db.exists() or os.access(db, os.W_OK))


def _now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """The local store: a directory holding one SQLite database.

    Constructing a store touches nothing on disk; the directory and the
    database are created on the first write.

    Parameters
    ----------
    path : str or os.PathLike, optional
        Store directory. Default :func:`default_store_dir`.

    Attributes
    ----------
    path : pathlib.Path
        The store directory.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_dir()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @property
    def db_path(self) -> Path:
        """Path of the SQLite file inside :attr:`path`."""
        return self.path / DB_FILENAME

    # -- connection -----------------------------------------------------------------

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection | None]:
        """Yield a connection in autocommit mode, or None when no database exists yet."""
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"store {self.path} is not a folder")
        if not self.db_path.exists():
            if not create:
                yield None
                return
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create store directory {self.path}: {exc.strerror}"
                ) from None
        read_only = not create and not _writable(self.path, self.db_path)
        if create and not _writable(self.path, self.db_path):
            raise StoreError(f"store {self.path} is read-only; this command writes to it")
        try:
            if read_only:  # a read-only mount or folder: read what is there, write nothing (not even WAL files)
                uri = f"{self.db_path.resolve().as_uri()}?immutable=1"
                conn = sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            else:
                conn = sqlite3.connect(self.db_path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self.db_path}: {exc}") from None
        try:
            if read_only:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version != _SCHEMA_VERSION:
                    raise StoreError(f"store {self.db_path} is read-only and has schema version {version}, "
                                     f"not {_SCHEMA_VERSION}")
                yield conn
                return
            self._ensure_schema(conn)
            # In WAL mode NORMAL keeps the database consistent through crashes of
            # the process or the machine; only the last commits may be lost on power loss.
            conn.execute("PRAGMA synchronous=NORMAL")
            yield conn
        finally:
            conn.close()

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        # Switching to WAL takes an exclusive lock and SQLite does not always wait
        # for it with the busy handler (two processes creating a new store at once):
        # retry until the busy timeout, as the handler would.
        deadline = time.monotonic() + _BUSY_TIMEOUT_S
        while True:
            try:
                self._create_schema(conn)
                return
            except _Locked:
                if time.monotonic() > deadline:
                    raise StoreError(f"store {self.db_path} is locked by another process") from None
                time.sleep(0.05)

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == _SCHEMA_VERSION:
                return
            if version > _SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.db_path} has schema version {version}, newer than this "
                    f"causalmacro ({_SCHEMA_VERSION})"
                )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise _Locked from None
            raise StoreError(f"store {self.db_path} is unusable: {exc}") from None

    # -- reading --------------------------------------------------------------------

    def series_ids(self) -> list[str]:
        """Return the IDs of all stored series, sorted.

        Returns
        -------
        list of str
        """
        with self._connect(create=False) as conn:
            if conn is None:
                return []
            rows = self._query(conn, "SELECT series_id FROM series ORDER BY series_id", ())
        return [row[0] for row in rows]

    def missing(self, series_ids: Iterable[str]) -> list[str]:
        """Return those of ``series_ids`` that are not stored, in the order given.

        Parameters
        ----------
        series_ids : iterable of str

        Returns
        -------
        list of str
            Without duplicates.
        """
        stored = set(self.series_ids())
        return [sid for sid in dict.fromkeys(series_ids) if sid not in stored]

    def meta(self, series_id: str) -> SeriesMeta | None:
        """Return the metadata of a stored series, or None when it is not stored.

        Parameters
        ----------
        series_id : str

        Returns
        -------
        SeriesMeta or None
        """
        with self._connect(create=False) as conn:
            if conn is None:
                return None
            rows = self._query(
                conn,
                "SELECT series_id, title, units, frequency, first_obs, last_obs, last_updated,"
                " fetched_at, content_hash, source FROM series WHERE series_id = ?",
                (series_id,),
                series_id,
            )
        if not rows:
            return None
        sid, title, units, freq, first, last, updated, fetched, digest, source = rows[0]
        return SeriesMeta(
            series_id=sid,
            title=title,
            units=units,
            frequency=freq,
            first_obs=_timestamp(first),
            last_obs=_timestamp(last),
            last_updated=updated,
            fetched_at=fetched,
            content_hash=digest,
            source=source,
        )

    def read(self, series_id: str) -> pd.Series:
        """Return the stored observations of a series.

        Parameters
        ----------
        series_id : str

        Returns
        -------
        pandas.Series
            float64 (NaN where the source reports a missing value), on a
            :class:`~pandas.DatetimeIndex` named ``"date"``, named ``series_id``.

        Raises
        ------
        DataError
            When the series is not stored.
        StoreError
            When the store cannot be read, or holds a value that is not a
            number (or a date that is not ISO), naming the series and the store.
        """
        with self._connect(create=False) as conn:
            if conn is None:
                raise DataError(f"series {series_id} is not in the store {self.path}")
            # Both queries run in one read transaction, so they see one snapshot.
            try:
                conn.execute("BEGIN")
                known = conn.execute(
                    "SELECT 1 FROM series WHERE series_id = ?", (series_id,)
                ).fetchone()
                rows = conn.execute(
                    "SELECT date, value FROM observations WHERE series_id = ? ORDER BY date",
                    (series_id,),
                ).fetchall()
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(
                    f"cannot read series {series_id} from {self.db_path}: {exc}"
                ) from None
        if known is None:
            raise DataError(f"series {series_id} is not in the store {self.path}")
        return _rows_to_series(series_id, rows, self.db_path)

    def revisions(self, series_id: str | None = None) -> pd.DataFrame:
        """Return the recorded revisions, oldest first.

        Parameters
        ----------
        series_id : str, optional
            Only this series' revisions. Default: all series.

        Returns
        -------
        pandas.DataFrame
            Columns ``series_id``, ``date`` (datetime), ``old_value``, ``new_value``
            (float64, NaN for a missing value) and ``recorded_at`` (UTC ISO 8601).
        """
        rows: list[tuple[Any, ...]] = []
        with self._connect(create=False) as conn:
            if conn is not None:
                sql = f"SELECT {', '.join(_REVISION_COLUMNS)} FROM revisions"
                params: tuple[str, ...] = ()
                if series_id is not None:
                    sql += " WHERE series_id = ?"
                    params = (series_id,)
                rows = self._query(conn, sql + " ORDER BY id", params, series_id)
        frame = pd.DataFrame.from_records(rows, columns=_REVISION_COLUMNS)
        frame["series_id"] = frame["series_id"].astype(str)
        frame["date"] = pd.to_datetime(frame["date"].astype(str), format=_DATE_FORMAT)
        for col in ("old_value", "new_value"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        frame["recorded_at"] = frame["recorded_at"].astype(str)
        return frame

    def _query(
        self,
        conn: sqlite3.Connection,
        sql: str,
        params: tuple[str, ...],
        series_id: str | None = None,
    ) -> list[tuple[Any, ...]]:
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            what = f"series {series_id}" if series_id else "the series list"
            raise StoreError(f"cannot read {what} from {self.db_path}: {exc}") from None

    # -- writing --------------------------------------------------------------------

    def write(self, series_id: str, observations: pd.Series, meta: SeriesMeta) -> WriteReport:
        """Merge observations and metadata into the store, in one transaction.

        Dates not stored yet are added; a stored date whose value differs
        (missing values compare equal to each other) is updated and the change
        is recorded in the revisions table. Stored dates absent from
        ``observations`` are left as they are, so an incremental fetch of the
        recent past merges cleanly.

        Parameters
        ----------
        series_id : str
            The series to write; must equal ``meta.series_id``.
        observations : pandas.Series
            Numeric values on a :class:`~pandas.DatetimeIndex` of dates
            (no time of day, no duplicates); NaN for missing values.
        meta : SeriesMeta
            Title, units, frequency, ``last_updated``, ``fetched_at`` and source
            are stored as given; ``first_obs``, ``last_obs`` and ``content_hash``
            are recomputed from the stored observations after the merge.

        Returns
        -------
        WriteReport
            Counts of added and revised observations.

        Raises
        ------
        DataError
            When the observations or the metadata are malformed.
        StoreError
            When the database cannot be written; nothing is changed then.
        """
        if meta.series_id != series_id:
            raise DataError(
                f"metadata for series {meta.series_id} passed to write series {series_id}"
            )
        days, values = _canonical(series_id, observations)
        recorded_at = _now_utc()
        with self._connect(create=True) as conn:
            assert conn is not None
            try:
                conn.execute("BEGIN IMMEDIATE")
                report = _merge(conn, series_id, days, values, meta, recorded_at)
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(
                        f"cannot write series {series_id} to {self.db_path}: {exc}"
                    ) from None
                raise
        return report


def _rows_to_series(series_id: str, rows: list[tuple[Any, ...]], where: Path) -> pd.Series:
    """The stored rows as a float series; a row that is no ISO date or number names the series and the store.

    SQLite keeps what a column is given (a ``REAL`` column holds the text
    ``'abc'`` if something other than :meth:`Store.write` put it there), so
    every value is checked here.
    """
    for date, value in rows:
        if not (isinstance(date, str) and _ISO_DATE.fullmatch(date)):
            raise StoreError(f"store {where}: series {series_id} has a malformed date {date!r}")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not math.isfinite(value)):
            raise StoreError(f"store {where}: series {series_id} has a non-numeric value {value!r} on {date}")
    try:
        dates = np.array([r[0] for r in rows], dtype="datetime64[D]")
    except ValueError:
        raise StoreError(f"store {where}: series {series_id} has an impossible date") from None
    values = np.array([r[1] for r in rows], dtype="float64")  # None -> NaN
    index = pd.DatetimeIndex(dates.astype(f"datetime64[{_UNIT}]"), name="date")
    return pd.Series(values, index=index, name=series_id)


def _iso(days: np.ndarray) -> list[str]:
    return np.datetime_as_string(days, unit="D").tolist()


def _isin_sorted(items: np.ndarray, sorted_pool: np.ndarray) -> np.ndarray:
    """Boolean mask of ``items`` found in the sorted array ``sorted_pool``."""
    pos = np.searchsorted(sorted_pool, items)
    found = pos < len(sorted_pool)
    found[found] = sorted_pool[pos[found]] == items[found]
    return found


def _sql_values(values: np.ndarray) -> list[float | None]:
    """Floats for SQLite, None (NULL) where missing."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return list(out)


def _merge(
    conn: sqlite3.Connection,
    series_id: str,
    days: np.ndarray,
    values: np.ndarray,
    meta: SeriesMeta,
    recorded_at: str,
) -> WriteReport:
    """Merge new observations into the stored series; the caller holds the transaction."""
    rows = conn.execute(
        "SELECT date, value FROM observations WHERE series_id = ? ORDER BY date", (series_id,)
    ).fetchall()
    old_days = np.array([r[0] for r in rows], dtype="datetime64[D]")
    old_values = np.array([r[1] for r in rows], dtype="float64")  # None -> NaN
    known = _isin_sorted(days, old_days)
    pos = np.searchsorted(old_days, days)
    before = old_values[pos[known]]
    after = values[known]
    changed = ~((before == after) | (np.isnan(before) & np.isnan(after)))
    revised_days = days[known][changed]
    before, after = before[changed], after[changed]
    fresh = ~known
    conn.executemany(
        "INSERT INTO observations (series_id, date, value) VALUES (?, ?, ?)",
        zip(repeat(series_id), _iso(days[fresh]), _sql_values(values[fresh])),
    )
    conn.executemany(
        "UPDATE observations SET value = ? WHERE series_id = ? AND date = ?",
        zip(_sql_values(after), repeat(series_id), _iso(revised_days)),
    )
    conn.executemany(
        "INSERT INTO revisions (series_id, date, old_value, new_value, recorded_at)"
        " VALUES (?, ?, ?, ?, ?)",
        zip(
            repeat(series_id),
            _iso(revised_days),
            _sql_values(before),
            _sql_values(after),
            repeat(recorded_at),
        ),
    )
    kept = ~_isin_sorted(old_days, days)
    merged_days = np.concatenate([old_days[kept], days])
    merged_values = np.concatenate([old_values[kept], values])
    order = np.argsort(merged_days, kind="stable")
    stored_dates = np.datetime_as_string(merged_days[order], unit="D")
    first = str(stored_dates[0]) if len(stored_dates) else None
    last = str(stored_dates[-1]) if len(stored_dates) else None
    conn.execute(
        "INSERT INTO series (series_id, title, units, frequency, first_obs, last_obs,"
        " last_updated, fetched_at, content_hash, source)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (series_id) DO UPDATE SET title = excluded.title,"
        " units = excluded.units, frequency = excluded.frequency,"
        " first_obs = excluded.first_obs, last_obs = excluded.last_obs,"
        " last_updated = excluded.last_updated, fetched_at = excluded.fetched_at,"
        " content_hash = excluded.content_hash, source = excluded.source",
        (
            series_id,
            meta.title,
            meta.units,
            meta.frequency,
            first,
            last,
            meta.last_updated,
            meta.fetched_at,
            _hash(stored_dates, merged_values[order]),
            meta.source,
        ),
    )
    return WriteReport(series_id=series_id, added=int(fresh.sum()), revised=len(after))

"""The local store: merge semantics, revisions, metadata, crash safety, concurrency."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import causalmacro
from causalmacro.data.store import DB_FILENAME, SeriesMeta, Store, content_hash
from causalmacro.errors import DataError, StoreError

REPO = Path(causalmacro.__file__).resolve().parents[1]


def meta(series_id: str = "X", **changes: object) -> SeriesMeta:
    fields: dict[str, object] = {
        "series_id": series_id,
        "title": f"Title of {series_id}",
        "units": "Percent",
        "frequency": "M",
        "first_obs": None,
        "last_obs": None,
        "last_updated": "2025-12-01 07:41:02-06",
        "fetched_at": "2025-12-02T00:00:00+00:00",
        "content_hash": None,
        "source": "fred",
    }
    fields.update(changes)
    return SeriesMeta(**fields)  # type: ignore[arg-type]


def obs(values: dict[str, float | None]) -> pd.Series:
    return pd.Series(
        [np.nan if v is None else v for v in values.values()],
        index=pd.to_datetime(list(values)),
        dtype="float64",
    )


def dump(store: Store) -> list[str]:
    """Every row of every table, as SQL text."""
    with sqlite3.connect(store.db_path) as conn:
        lines = list(conn.iterdump())
    conn.close()
    return lines


def test_roundtrip(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    report = store.write(
        "X", obs({"2020-02-01": 2.0, "2020-01-01": 1.0, "2020-03-01": None}), meta()
    )
    assert (report.added, report.revised) == (3, 0)
    got = store.read("X")
    expected = pd.Series(
        [1.0, 2.0, np.nan],
        index=pd.DatetimeIndex(
            pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"]), name="date"
        ),
        name="X",
    )
    pd.testing.assert_series_equal(got, expected)
    assert store.path == tmp_path / "s"
    assert (tmp_path / "s" / DB_FILENAME).is_file()


def test_metadata_is_stored_and_derived(tmp_path: Path) -> None:
    store = Store(tmp_path)
    given_meta = meta(first_obs=pd.Timestamp("1900-01-01"), content_hash="bogus")
    store.write("X", obs({"2020-01-01": 1.0, "2020-03-01": 3.0}), given_meta)
    stored = store.meta("X")
    assert stored is not None
    assert (stored.title, stored.units, stored.frequency, stored.source) == (
        "Title of X",
        "Percent",
        "M",
        "fred",
    )
    assert stored.last_updated == "2025-12-01 07:41:02-06"
    assert stored.fetched_at == "2025-12-02T00:00:00+00:00"
    assert stored.first_obs == pd.Timestamp("2020-01-01")
    assert stored.last_obs == pd.Timestamp("2020-03-01")
    assert stored.content_hash == content_hash(store.read("X"))
    assert len(stored.content_hash) == 64


def test_absent_series(tmp_path: Path) -> None:
    store = Store(tmp_path / "nothing-yet")
    assert store.meta("X") is None
    assert store.series_ids() == []
    assert store.revisions().empty
    with pytest.raises(DataError, match="series NOPE is not in the store"):
        store.read("NOPE")
    assert not store.path.exists(), "reading must not create the store"
    store.write("X", obs({"2020-01-01": 1.0}), meta())
    with pytest.raises(DataError, match="series NOPE is not in the store"):
        store.read("NOPE")
    assert store.meta("NOPE") is None


def test_merge_adds_and_records_revisions(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write("X", obs({"2020-01-01": 1.0, "2020-02-01": 2.0, "2020-03-01": None}), meta())
    hash_before = store.meta("X").content_hash  # type: ignore[union-attr]
    report = store.write(
        "X",
        obs({"2020-02-01": 2.5, "2020-03-01": 3.0, "2020-04-01": 4.0}),
        meta(last_updated="2026-01-01 08:00:00-06"),
    )
    assert (report.added, report.revised) == (1, 2)
    pd.testing.assert_series_equal(
        store.read("X"),
        obs({"2020-01-01": 1.0, "2020-02-01": 2.5, "2020-03-01": 3.0, "2020-04-01": 4.0})
        .rename("X")
        .rename_axis("date"),
    )
    rev = store.revisions("X")
    assert list(rev.columns) == ["series_id", "date", "old_value", "new_value", "recorded_at"]
    assert list(rev["date"]) == list(pd.to_datetime(["2020-02-01", "2020-03-01"]))
    np.testing.assert_array_equal(rev["old_value"], [2.0, np.nan])
    np.testing.assert_array_equal(rev["new_value"], [2.5, 3.0])
    assert rev["old_value"].dtype == np.float64
    assert (rev["series_id"] == "X").all()
    assert pd.Timestamp(rev["recorded_at"].iloc[0]).tzinfo is not None
    after = store.meta("X")
    assert after is not None
    assert after.content_hash != hash_before
    assert after.last_updated == "2026-01-01 08:00:00-06"
    assert after.last_obs == pd.Timestamp("2020-04-01")


def test_identical_rewrite_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    data = obs({"2020-01-01": 1.0, "2020-02-01": None})
    store.write("X", data, meta())
    report = store.write("X", data, meta())
    assert (report.added, report.revised) == (0, 0)
    assert store.revisions().empty


def test_value_to_missing_is_a_revision(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write("X", obs({"2020-01-01": 1.0}), meta())
    assert store.write("X", obs({"2020-01-01": None}), meta()).revised == 1
    rev = store.revisions()
    assert rev["old_value"].iloc[0] == 1.0 and np.isnan(rev["new_value"].iloc[0])


def test_revisions_filter_and_series_lists(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for sid in ("B", "A"):
        store.write(sid, obs({"2020-01-01": 1.0}), meta(sid))
        store.write(sid, obs({"2020-01-01": 2.0}), meta(sid))
    assert store.series_ids() == ["A", "B"]
    assert list(store.revisions()["series_id"]) == ["B", "A"]
    assert list(store.revisions("A")["series_id"]) == ["A"]
    assert store.revisions("C").empty
    assert store.missing(["C", "A", "D", "C"]) == ["C", "D"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (pd.Series([1.0], index=[0]), "need a DatetimeIndex"),
        (
            pd.Series([1.0, 2.0], index=pd.to_datetime(["2020-01-01"] * 2)),
            "repeat the date 2020-01-01",
        ),
        (pd.Series([1.0], index=pd.to_datetime(["2020-01-01 12:00"])), "time of day"),
        (pd.Series(["a"], index=pd.to_datetime(["2020-01-01"])), "not numeric"),
        (pd.Series([np.inf], index=pd.to_datetime(["2020-01-01"])), "infinite"),
        (pd.Series([1.0], index=pd.to_datetime(["2020-01-01"]).tz_localize("UTC")), "time-zone"),
    ],
)
def test_malformed_observations_are_refused(tmp_path: Path, bad: pd.Series, message: str) -> None:
    store = Store(tmp_path)
    store.write("X", obs({"2019-01-01": 0.0}), meta())
    before = dump(store)
    with pytest.raises(DataError, match=f"series X .*{message}"):
        store.write("X", bad, meta())
    assert dump(store) == before


def test_meta_must_match_series(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="metadata for series Y passed to write series X"):
        Store(tmp_path).write("X", obs({"2020-01-01": 1.0}), meta("Y"))


def test_corrupt_file_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / DB_FILENAME).write_bytes(b"this is not a database" * 100)
    store = Store(tmp_path)
    with pytest.raises(StoreError, match=str(tmp_path)):
        store.read("X")
    with pytest.raises(StoreError):
        store.write("X", obs({"2020-01-01": 1.0}), meta())


def test_wal_mode(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write("X", obs({"2020-01-01": 1.0}), meta())
    with sqlite3.connect(store.db_path) as conn:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert mode == "wal"


def test_default_location_is_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = Store()
    assert store.path == tmp_path / "causalmacro"
    assert not store.path.exists()


def test_content_hash_ignores_order_and_sees_values() -> None:
    a = obs({"2020-01-01": 1.0, "2020-02-01": None})
    assert content_hash(a) == content_hash(a.iloc[::-1])
    assert content_hash(a) != content_hash(obs({"2020-01-01": 1.0, "2020-02-01": 0.0}))
    assert content_hash(a) != content_hash(obs({"2020-01-01": 1.0}))


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.integers(0, 30),
            st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
            max_size=12,
        ),
        min_size=1,
        max_size=4,
    )
)
@example(writes=[{0: -0.0}])  # SQLite reads -0.0 back as 0.0: the hash must agree
def test_merge_matches_a_dict_model(writes: list[dict[int, float | None]]) -> None:
    """Last write wins per date; every change, and only a change, is a revision."""
    model: dict[int, float] = {}
    expected_revisions = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(tmp)
        for w in writes:
            values = {k: np.nan if v is None else v for k, v in w.items()}
            for k, v in values.items():
                if k in model and not (model[k] == v or (np.isnan(model[k]) and np.isnan(v))):
                    expected_revisions += 1
            model.update(values)
            days = pd.Timestamp("2000-01-01") + pd.to_timedelta(list(values), unit="D")
            store.write("X", pd.Series(list(values.values()), index=days, dtype="float64"), meta())
        got = store.read("X")
        assert len(store.revisions()) == expected_revisions
        meta_x = store.meta("X")
    keys = sorted(model)
    assert list(got.index) == list(pd.Timestamp("2000-01-01") + pd.to_timedelta(keys, unit="D"))
    np.testing.assert_array_equal(got.to_numpy(), [model[k] for k in keys])
    assert meta_x is not None and meta_x.content_hash == content_hash(got)


# -- crash safety and concurrency (real processes) ----------------------------------------


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


BIG_WRITER = """
    import sys
    import numpy as np, pandas as pd
    from causalmacro.data.store import SeriesMeta, Store
    n = int(sys.argv[2])
    idx = pd.date_range("1800-01-01", periods=n, freq="D", unit="s")
    data = pd.Series(np.arange(n, dtype="float64") + 0.5, index=idx)
    meta = SeriesMeta("BIG", "big", "u", "D", None, None, "new", None, None, "fred")
    print("ready", flush=True)
    Store(sys.argv[1]).write("BIG", data, meta)
    print("done", flush=True)
"""


def test_sigkill_mid_write_keeps_previous_state(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write("A", obs({"2020-01-01": 1.0, "2020-02-01": 2.0}), meta("A"))
    store.write("BIG", obs({"1800-01-01": -1.0, "1800-01-02": -2.0}), meta("BIG"))
    store.write("BIG", obs({"1800-01-01": -3.0}), meta("BIG"))
    before = dump(store)
    big_before = store.read("BIG")
    wal = Path(str(store.db_path) + "-wal")

    proc = _python(BIG_WRITER, str(tmp_path), "500000")
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    # Kill once the uncommitted transaction has spilled well into the WAL file.
    deadline = time.monotonic() + 20
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 2_000_000:
            break
        time.sleep(0.005)
    assert wal.stat().st_size > 2_000_000, "the writer finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL, err
    assert "done" not in out

    assert dump(Store(tmp_path)) == before
    pd.testing.assert_series_equal(Store(tmp_path).read("BIG"), big_before)
    with sqlite3.connect(store.db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    # and the store takes writes again
    assert store.write("BIG", obs({"1800-01-03": 5.0}), meta("BIG")).added == 1


CONCURRENT_WRITER = """
    import sys, time
    from pathlib import Path
    import pandas as pd
    from causalmacro.data.store import SeriesMeta, Store
    directory, worker, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    store = Store(directory)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.002)
    for i in range(15):
        for sid in ("SHARED", f"W{worker}"):
            meta = SeriesMeta(sid, "t", "u", "D", None, None, f"{worker}-{i}", None, None, "fred")
            own = pd.Timestamp("2001-01-01") + pd.Timedelta(days=100 * worker + i)
            data = pd.Series([1000.0 * worker + i, float(i)],
                             index=pd.DatetimeIndex([pd.Timestamp("2000-01-01"), own]))
            store.write(sid, data, meta)
    print("done", flush=True)
"""


def test_two_processes_write_concurrently(tmp_path: Path) -> None:
    go = tmp_path / "go"
    directory = tmp_path / "store"  # created by the racing writers themselves
    procs = [_python(CONCURRENT_WRITER, str(directory), str(w), str(go)) for w in (1, 2)]
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready"
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.strip() == "done"

    store = Store(directory)
    assert store.series_ids() == ["SHARED", "W1", "W2"]
    shared = store.read("SHARED")
    assert len(shared) == 1 + 2 * 15
    for w in (1, 2):
        own = store.read(f"W{w}")
        assert len(own) == 16
        # the common date was rewritten 14 times by this worker alone
        assert len(store.revisions(f"W{w}")) == 14
        assert own.iloc[0] == 1000.0 * w + 14
    # SHARED's common date saw 30 writes of distinct values: 29 revisions forming one chain
    rev = store.revisions("SHARED")
    assert len(rev) == 29
    np.testing.assert_array_equal(rev["old_value"].to_numpy()[1:], rev["new_value"].to_numpy()[:-1])
    assert shared.iloc[0] == rev["new_value"].iloc[-1]
    assert store.meta("SHARED").content_hash == content_hash(shared)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("sql_value", "shown"),
    [("'abc'", "'abc'"), ("X'00'", r"b'\x00'"), ("9e999", "inf")],
)
def test_text_in_the_value_column_names_series_and_store(tmp_path: Path, sql_value: str, shown: str) -> None:
    """SQLite keeps text in a REAL column: reading it was 'internal error: ValueError', exit 1."""
    store = Store(tmp_path / "s")
    store.write("X", obs({"2020-01-01": 1.0, "2020-02-01": 2.0}), meta())
    with sqlite3.connect(store.db_path) as conn:
        conn.execute(f"UPDATE observations SET value = {sql_value} WHERE date = '2020-02-01'")
    conn.close()
    with pytest.raises(StoreError) as info:
        store.read("X")
    assert str(info.value) == f"store {store.db_path}: series X has a non-numeric value {shown} on 2020-02-01"


def test_malformed_date_in_the_store_names_series_and_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    store.write("X", obs({"2020-01-01": 1.0}), meta())
    with sqlite3.connect(store.db_path) as conn:
        conn.execute("UPDATE observations SET date = '2020' WHERE date = '2020-01-01'")
    conn.close()
    with pytest.raises(StoreError, match=r"series X has a malformed date '2020'$"):
        store.read("X")

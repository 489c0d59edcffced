"""Incremental refresh: the pure plan, and the orchestration against the fake FRED."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fakefred import FakeFred, serving

import causalmacro
from causalmacro.data.fred import FredClient
from causalmacro.data.refresh import (
    DEFAULT_REVISION_WINDOW_DAYS,
    FetchPlan,
    RefreshReport,
    client_from_env,
    plan_fetch,
    refresh,
)
from causalmacro.data.store import SeriesMeta, Store
from causalmacro.errors import FetchAbort

REPO = Path(causalmacro.__file__).resolve().parents[1]
NOW = "2025-12-02T12:00:00+00:00"
CPI = {"2025-06-01": 320.0, "2025-07-01": 321.0, "2025-08-01": 322.5, "2025-09-01": 323.0}
DGS10 = {"2025-09-29": 4.15, "2025-09-30": None, "2025-10-01": 4.12}


def stored_meta(**changes: object) -> SeriesMeta:
    fields: dict[str, object] = {
        "series_id": "CPIAUCSL",
        "title": "CPI",
        "units": "Index",
        "frequency": "M",
        "first_obs": pd.Timestamp("2000-01-01"),
        "last_obs": pd.Timestamp("2025-09-01"),
        "last_updated": "2025-10-15 07:41:02-05",
        "fetched_at": NOW,
        "content_hash": "x" * 64,
        "source": "fred",
    }
    fields.update(changes)
    return SeriesMeta(**fields)  # type: ignore[arg-type]


# -- plan_fetch: pure -------------------------------------------------------------------


def test_plan_new_series_is_full() -> None:
    assert plan_fetch(None, "2025-12-01 07:41:02-06") == FetchPlan("full", None, "not in the store")


def test_plan_unchanged_is_skip() -> None:
    plan = plan_fetch(stored_meta(), "2025-10-15 07:41:02-05")
    assert plan.action == "skip" and plan.since is None


def test_plan_changed_fetches_from_window_before_last_obs() -> None:
    plan = plan_fetch(stored_meta(), "2025-11-13 07:41:02-06")
    assert plan.action == "since"
    assert plan.since == pd.Timestamp("2025-09-01") - pd.Timedelta(days=92)
    assert DEFAULT_REVISION_WINDOW_DAYS == 92


@pytest.mark.parametrize(
    ("window", "since"),
    [(0, "2025-09-01"), (10, "2025-08-22"), (pd.DateOffset(months=6), "2025-03-01")],
)
def test_plan_revision_window(window: pd.DateOffset | int, since: str) -> None:
    plan = plan_fetch(stored_meta(), None, revision_window=window)
    assert plan == FetchPlan("since", pd.Timestamp(since), f"updated; fetching from {since}")


def test_plan_full_overrides_skip() -> None:
    assert plan_fetch(stored_meta(), "2025-10-15 07:41:02-05", full=True).action == "full"


def test_plan_stored_without_observations_is_full() -> None:
    assert plan_fetch(stored_meta(last_obs=None), "2025-10-15 07:41:02-05").action == "full"


def test_plan_refuses_bad_window() -> None:
    with pytest.raises(ValueError, match="revision_window must be >= 0"):
        plan_fetch(None, None, revision_window=-1)
    with pytest.raises(TypeError, match="revision_window"):
        plan_fetch(None, None, revision_window=True)


# -- refresh against the fake server ------------------------------------------------------


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFred]:
    with serving(monkeypatch, hang_seconds=1.0) as server:
        server.add("CPIAUCSL", CPI, title="CPI", units="Index 1982-1984=100")
        server.add("DGS10", DGS10, frequency="Daily", frequency_short="D", units="Percent")
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")


def run(
    store: Store, client: FredClient, ids: tuple[str, ...] = ("CPIAUCSL", "DGS10"), **kw: object
) -> RefreshReport:
    return refresh(ids, store, client, progress=False, now=lambda: NOW, **kw)  # type: ignore[arg-type]


def dump(store: Store) -> list[str]:
    with sqlite3.connect(store.db_path) as conn:
        lines = list(conn.iterdump())
    conn.close()
    return lines


def expected(values: dict[str, float | None], name: str) -> pd.Series:
    index = pd.DatetimeIndex(pd.to_datetime(list(values)), name="date")
    return pd.Series([np.nan if v is None else v for v in values.values()], index=index, name=name)


def test_first_fetch(store: Store, client: FredClient, fake: FakeFred) -> None:
    report = run(store, client)
    assert report.ok and report.failed == []
    assert [(o.series_id, o.status, o.added, o.revised) for o in report.outcomes] == [
        ("CPIAUCSL", "updated", 4, 0),
        ("DGS10", "updated", 3, 0),
    ]
    assert report.added == 7
    pd.testing.assert_series_equal(store.read("CPIAUCSL"), expected(CPI, "CPIAUCSL"))
    pd.testing.assert_series_equal(store.read("DGS10"), expected(DGS10, "DGS10"))
    meta = store.meta("DGS10")
    assert meta is not None
    assert (meta.title, meta.units, meta.frequency, meta.source) == (
        "A test series",
        "Percent",
        "D",
        "fred",
    )
    assert meta.last_updated == "2025-12-01 07:41:02-06"
    assert meta.fetched_at == NOW
    observation_requests = fake.requests_to("series/observations")
    assert [r.params for r in observation_requests] == [
        {"series_id": "CPIAUCSL"},
        {"series_id": "DGS10"},
    ]


def test_unchanged_series_asks_for_no_observations(
    store: Store, client: FredClient, fake: FakeFred
) -> None:
    run(store, client)
    before = dump(store)
    fake.clear_requests()
    report = run(store, client)
    assert [o.status for o in report.outcomes] == ["skipped", "skipped"]
    assert "unchanged since 2025-12-01 07:41:02-06" in report.outcomes[0].reason
    assert len(fake.requests_to("series")) == 2
    assert fake.requests_to("series/observations") == []
    assert dump(store) == before


def test_incremental_refresh_asks_only_for_recent_dates(
    store: Store, client: FredClient, fake: FakeFred
) -> None:
    run(store, client)
    fake.update("CPIAUCSL", {"2025-10-01": 324.0}, last_updated="2025-11-13 07:41:02-06")
    fake.clear_requests()
    report = run(store, client)
    cpi, dgs = report.outcomes
    assert (cpi.status, cpi.added, cpi.revised) == ("updated", 1, 0)
    assert dgs.status == "skipped"
    (request,) = fake.requests_to("series/observations")
    since = pd.Timestamp("2025-09-01") - pd.Timedelta(days=92)
    assert request.params == {"series_id": "CPIAUCSL", "observation_start": f"{since:%Y-%m-%d}"}
    assert store.read("CPIAUCSL").iloc[-1] == 324.0
    meta = store.meta("CPIAUCSL")
    assert meta is not None and meta.last_updated == "2025-11-13 07:41:02-06"
    assert meta.last_obs == pd.Timestamp("2025-10-01")


def test_revised_value_is_recorded(store: Store, client: FredClient, fake: FakeFred) -> None:
    run(store, client)
    fake.update(
        "CPIAUCSL",
        {"2025-08-01": 322.7, "2025-10-01": 324.0},
        last_updated="2025-11-13 07:41:02-06",
    )
    report = run(store, client)
    assert (report.added, report.revised) == (1, 1)
    rev = store.revisions()
    assert len(rev) == 1
    row = rev.iloc[0]
    assert (row["series_id"], row["date"], row["old_value"], row["new_value"]) == (
        "CPIAUCSL",
        pd.Timestamp("2025-08-01"),
        322.5,
        322.7,
    )
    assert store.read("CPIAUCSL")["2025-08-01"] == 322.7


def test_full_refetches_everything(store: Store, client: FredClient, fake: FakeFred) -> None:
    run(store, client)
    fake.clear_requests()
    report = run(store, client, full=True)
    assert [o.status for o in report.outcomes] == ["updated", "updated"]
    assert (report.added, report.revised) == (0, 0)
    assert [r.params for r in fake.requests_to("series/observations")] == [
        {"series_id": "CPIAUCSL"},
        {"series_id": "DGS10"},
    ]


def test_one_failing_series_keeps_the_others(
    store: Store, client: FredClient, fake: FakeFred
) -> None:
    report = run(store, client, ids=("CPIAUCSL", "NOSUCH", "DGS10", "CPIAUCSL"))
    assert [o.status for o in report.outcomes] == ["updated", "failed", "updated"]
    assert report.failed == ["NOSUCH"] and not report.ok
    assert "series NOSUCH" in report.outcomes[1].reason
    assert store.series_ids() == ["CPIAUCSL", "DGS10"]
    text = str(report)
    assert "NOSUCH" in text and "2 updated, 0 skipped, 1 failed" in text
    assert report.to_dict()["failed"] == ["NOSUCH"]
    assert report.failure_text == report.outcomes[1].reason
    assert "\n" not in report.failure_text


# Each fault case: the store holds data, FRED has news, the fetch fails -> nothing changes.
@pytest.mark.parametrize(
    ("fault", "endpoint", "reason"),
    [
        ("500", "series", "failed after 3 attempts: HTTP 500"),
        ("429", "series/observations", "failed after 3 attempts: HTTP 429"),
        ("hang", "series/observations", "failed after 3 attempts: timed out after 0.5 s"),
        ("truncate", "series/observations", "failed after 3 attempts: truncated response"),
        ("garble", "series/observations", "failed after 3 attempts: unparseable XML response"),
        ("reset", "series", "failed after 3 attempts: connection dropped"),
    ],
)
def test_persistent_fault_leaves_store_unchanged(
    store: Store, client: FredClient, fake: FakeFred, fault: str, endpoint: str, reason: str
) -> None:
    run(store, client)
    fake.update("CPIAUCSL", {"2025-08-01": 0.0, "2025-10-01": 1.0}, last_updated="2026-01-01")
    fake.update("DGS10", {"2025-10-02": 4.0}, last_updated="2026-01-01")
    before = dump(store)
    fake.fail_next(fault, times=3, endpoint=endpoint, series_id="CPIAUCSL")  # type: ignore[arg-type]
    report = run(store, client, ids=("CPIAUCSL",))
    (outcome,) = report.outcomes
    assert outcome.status == "failed"
    assert outcome.reason.startswith("FRED request for series CPIAUCSL ")
    assert reason in outcome.reason
    assert dump(store) == before


def test_bad_key_leaves_store_unchanged(
    store: Store, client: FredClient, fake: FakeFred, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(store, client)
    fake.update("CPIAUCSL", {"2025-10-01": 1.0}, last_updated="2026-01-01")
    before = dump(store)
    monkeypatch.setenv("FRED_API_KEY", "notthekey0000")
    bad = client_from_env(timeout=0.5, retries=2, backoff=0.01, sleep=lambda s: None)
    fake.clear_requests()
    with pytest.raises(FetchAbort) as info:  # the whole fetch stops at the first refusal
        run(store, bad)
    reason = str(info.value)
    assert reason.startswith(
        "FRED rejected the request for series CPIAUCSL (HTTP 400: Bad Request."
    )
    assert reason.endswith("check FRED_API_KEY")
    assert "notthekey0000" not in reason
    assert len(fake.requests) == 1
    assert dump(store) == before


@pytest.mark.parametrize("fault", ["429", "500", "hang", "truncate"])
def test_transient_fault_gives_the_same_store_as_no_fault(
    tmp_path: Path, client: FredClient, fake: FakeFred, sleeps: list[float], fault: str
) -> None:
    clean, faulty = Store(tmp_path / "clean"), Store(tmp_path / "faulty")
    run(clean, client)
    fake.fail_next(fault, endpoint="series/observations", series_id="DGS10")  # type: ignore[arg-type]
    report = run(faulty, client)
    assert report.ok
    assert fake.pending_faults == 0
    assert sleeps == [0.01]
    assert dump(faulty) == dump(clean)


def test_key_never_reaches_store_logs_or_messages(
    store: Store,
    client: FredClient,
    fake: FakeFred,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = fake.api_key
    with caplog.at_level(logging.DEBUG):
        first = refresh(["CPIAUCSL", "DGS10"], store, client, progress=True)
        fake.update("CPIAUCSL", {"2025-08-01": 1.0}, last_updated="2026-01-01")
        fake.fail_next("500", times=3, endpoint="series/observations")
        fake.fail_next("500", times=1, endpoint="series")
        second = refresh(["CPIAUCSL", "NOSUCH"], store, client, progress=True)
    assert first.ok and second.failed == ["CPIAUCSL", "NOSUCH"]
    captured = capsys.readouterr()
    assert "FRED" in captured.err  # the progress bar ran
    texts = [str(first), str(second), caplog.text, captured.out, captured.err]
    assert "CPIAUCSL" in caplog.text  # retries were logged...
    for text in texts:
        assert key not in text  # ...without the key
        assert "127.0.0.1" not in text  # ...and without the URL
    for path in store.path.iterdir():
        assert key.encode() not in path.read_bytes(), path.name


def test_progress_can_be_disabled(
    store: Store, client: FredClient, capsys: pytest.CaptureFixture[str]
) -> None:
    refresh(["CPIAUCSL"], store, client, progress=False)
    assert capsys.readouterr().err == ""


REFRESHER = """
    import sys
    from causalmacro.data.refresh import client_from_env, refresh
    from causalmacro.data.store import Store
    report = refresh(["CPIAUCSL", "DGS10"], Store(sys.argv[1]), client_from_env(timeout=5),
                     progress=False, full=True)
    print("ok" if report.ok else report)
"""


def test_two_processes_refresh_concurrently(store: Store, fake: FakeFred) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(REFRESHER), str(store.path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.strip() == "ok"
    pd.testing.assert_series_equal(store.read("CPIAUCSL"), expected(CPI, "CPIAUCSL"))
    pd.testing.assert_series_equal(store.read("DGS10"), expected(DGS10, "DGS10"))
    assert store.revisions().empty
    assert len(fake.requests_to("series/observations")) == 4

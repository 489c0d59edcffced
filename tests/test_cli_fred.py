"""The CLI against a fake FRED server on 127.0.0.1 (real HTTP through fredapi)."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fakefred import FakeFred, serving

from causalmacro.cli import main

SPEC = """
name = "small"
start = "2020-01"
[series.inflation]
id = "CPIAUCSL"
transform = "yoy"
[series.rate]
id = "DGS10"
"""


def months(n: int, start: str = "2019-01-01") -> list[str]:
    return [f"{d:%Y-%m-%d}" for d in pd.date_range(start, periods=n, freq="MS")]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFred]:
    with serving(monkeypatch) as server:
        server.add("CPIAUCSL", {d: 250.0 + i for i, d in enumerate(months(30))}, units="Index", frequency_short="M")
        server.add("DGS10", {d: 2.0 + 0.01 * i for i, d in enumerate(months(30))}, units="Percent", frequency_short="M")
        monkeypatch.setenv("CAUSALMACRO_FRED_TIMEOUT", "0.5")
        monkeypatch.setenv("CAUSALMACRO_FRED_RETRIES", "1")
        yield server


def dump(store: Path) -> list[str]:
    db = next(store.glob("*.sqlite3"))
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def test_fetch_data_refetch_fault_and_bad_key(
    fake: FakeFred, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "small.toml"
    spec.write_text(SPEC)
    store = tmp_path / "store"
    common = ["--quiet", "--store", str(store)]

    assert main([*common, "fetch", str(spec)]) == 0
    capsys.readouterr()
    assert main([*common, "--offline", "data", str(spec)]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0, parse_dates=True)
    assert frame.index[0] == pd.Timestamp("2020-01-01") and len(frame) == 18
    assert frame["inflation"].iloc[0] == pytest.approx(100 * (262.0 / 250.0 - 1))

    # nothing new on FRED: one `series` request each, no observations asked for
    fake.clear_requests()
    assert main([*common, "fetch", str(spec)]) == 0
    assert fake.requests_to("series/observations") == []
    before = dump(store)

    # a server that keeps failing: exit 2, one line, the store exactly as it was
    fake.update("CPIAUCSL", {"2021-07-01": 300.0}, last_updated="2026-01-01 08:00:00-06")
    fake.fail_next("500", times=4)  # two series, two attempts each
    capsys.readouterr()
    assert main([*common, "fetch", str(spec)]) == 2
    err = capsys.readouterr()
    assert "CPIAUCSL" in err.out
    assert len(err.err.strip().splitlines()) == 1 and err.err.startswith("causalmacro: error: could not refresh")
    assert dump(store) == before
    assert fake.pending_faults == 0

    # a bad key: a clear error that never shows the key
    monkeypatch.setenv("FRED_API_KEY", "wrongkey9876543210abcdef")
    assert main([*common, "data", str(spec)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "wrongkey9876543210abcdef" not in err and fake.api_key not in err
    assert "FRED_API_KEY" in err
    assert dump(store) == before


def test_a_rejected_key_stops_the_fetch_at_the_first_series(
    fake: FakeFred, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One request, one line, exit 2: the other series would be refused just the same."""
    spec = tmp_path / "small.toml"
    spec.write_text(SPEC)
    monkeypatch.setenv("FRED_API_KEY", "wrongkey9876543210abcdef")
    fake.clear_requests()
    assert main(["--quiet", "--store", str(tmp_path / "store"), "fetch", str(spec)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "HTTP 400" in err[0] and "FRED_API_KEY" in err[0]
    assert len(fake.requests) == 1


def test_a_refused_connection_fails_fast_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    import time

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("CAUSALMACRO_FRED_URL", f"http://127.0.0.1:{port}/fred")
    monkeypatch.setenv("FRED_API_KEY", "k" * 32)
    spec = tmp_path / "small.toml"
    spec.write_text(SPEC)
    t0 = time.perf_counter()
    assert main(["--quiet", "--store", str(tmp_path / "store"), "fetch", str(spec)]) == 2
    assert time.perf_counter() - t0 < 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "connection refused" in err[0] and "CAUSALMACRO_FRED_URL" in err[0]
    assert len(err[0]) < 200 and str(port) not in err[0]

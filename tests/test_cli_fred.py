"""The CLI against a fake FRED server on 127.0.0.1 (real HTTP through fredapi)."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import subprocess
import sys
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fakefred import FakeFred, serving

from causalmacro.cli import main
from causalmacro.errors import CausalMacroError

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


# -- issue 17: no key anywhere, settings checked, quiet means quiet, progress only on a terminal ---------

def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command in a fresh process (stderr a pipe, no pytest logging handlers), environment as patched."""
    return subprocess.run(
        [sys.executable, "-m", "causalmacro.cli", *args],
        capture_output=True, text=True, timeout=timeout, env=dict(os.environ), check=False,
    )


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("code", "where"), [(400, "reason"), (403, "reason"), (403, "header"), (429, "reason"), (500, "body"), (302, "location")]
)
def test_the_key_reaches_no_output_log_traceback_or_stored_file(
    fake: FakeFred, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
    code: int, where: str, debug: bool,
) -> None:
    spec = tmp_path / "small.toml"
    spec.write_text(SPEC)
    store = tmp_path / "store"
    fake.leak_key_next(code, where, times=8)  # type: ignore[arg-type]
    argv = ["--store", str(store), *(["--debug"] if debug else []), "fetch", str(spec)]
    said = ""
    try:
        assert main(argv) == 2
    except CausalMacroError as exc:  # --debug: the traceback is the output
        assert debug
        said = "".join(traceback.format_exception(exc))
    out = capsys.readouterr()
    files = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    for text in (out.out, out.err, caplog.text, said):
        assert fake.api_key not in text and "api_key=" not in text and fake.url not in text
    assert fake.api_key.encode() not in files
    if not debug:  # retry warnings (429, 500), then the error
        *warned, error = out.err.strip().splitlines()
        assert error.startswith("causalmacro: error: ") and f"HTTP {code}" in error
        assert all(line.startswith("causalmacro: warning: ") for line in warned)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CAUSALMACRO_FRED_TIMEOUT", "0"),
        ("CAUSALMACRO_FRED_TIMEOUT", "nan"),
        ("CAUSALMACRO_FRED_TIMEOUT", "-3"),
        ("CAUSALMACRO_FRED_RETRIES", "-1"),
        ("CAUSALMACRO_FRED_URL", "127.0.0.1:8000/fred"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(
    fake: FakeFred, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    variable: str, value: str,
) -> None:
    spec = tmp_path / "small.toml"
    spec.write_text(SPEC)
    monkeypatch.setenv(variable, value)
    assert main(["--store", str(tmp_path / "store"), "fetch", str(spec)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"causalmacro: error: {variable} ")
    assert fake.requests == []


def test_retry_warnings_are_one_line_each_and_silenced_by_quiet(fake: FakeFred, tmp_path: Path) -> None:
    spec = tmp_path / "small.toml"
    spec.write_text(SPEC)
    store = str(tmp_path / "store")
    for series_id in ("CPIAUCSL", "DGS10"):
        fake.fail_next("500", series_id=series_id)
    loud = _cli("--store", store, "fetch", str(spec))
    assert loud.returncode == 0, loud.stderr
    assert loud.stderr.splitlines() == [
        f"causalmacro: warning: FRED request for series {s} failed (HTTP 500); retry 1 of 1 in 0.5 s"
        for s in ("CPIAUCSL", "DGS10")
    ]
    fake.update("CPIAUCSL", {"2021-07-01": 300.0}, last_updated="2026-01-01 08:00:00-06")
    fake.fail_next("429", times=1)
    quiet = _cli("--quiet", "--store", store, "fetch", str(spec))
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_progress_is_drawn_only_on_a_terminal_or_when_asked(
    fake: FakeFred, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "small.toml"
    spec.write_text(SPEC)
    store = str(tmp_path / "store")
    asked = _cli("--progress", "--store", store, "fetch", str(spec))
    assert asked.returncode == 0 and "FRED" in asked.stderr and "series/s" in asked.stderr
    monkeypatch.setenv("FRED_API_KEY", "wrongkey9876543210abcdef")
    piped = _cli("--store", store, "fetch", str(spec))
    assert piped.returncode == 2
    assert piped.stderr.splitlines() == [piped.stderr.strip()] and piped.stderr.startswith("causalmacro: error: ")
    assert _cli("--quiet", "--progress", "--store", store, "fetch", str(spec)).stderr == piped.stderr


@pytest.mark.filterwarnings("always")
@pytest.mark.parametrize("mode", ["plain", "quiet", "debug"])
def test_warnings_and_log_records_go_through_the_cli_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    import causalmacro.cli as cli

    def noisy(args: object) -> int:
        warnings.warn("max_lags 48 leaves 3 degrees of freedom for series X", UserWarning, stacklevel=1)
        logging.getLogger("causalmacro.svar").warning("asked http://h/fred?api_key=s3cr3tkey: %s", "again")
        return 0

    monkeypatch.setattr(cli, "_cmd_schema", noisy)
    before = (warnings.showwarning, list(logging.getLogger("causalmacro").handlers), warnings.filters[:])
    flags = {"plain": [], "quiet": ["--quiet"], "debug": ["--debug"]}[mode]
    assert main([*flags, "schema"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert before == (warnings.showwarning, list(logging.getLogger("causalmacro").handlers), warnings.filters)
    if mode == "quiet":
        assert err == []
    elif mode == "plain":
        assert err == [
            "causalmacro: warning: max_lags 48 leaves 3 degrees of freedom for series X",
            "causalmacro: warning: asked <URL>: again",
        ]
    else:
        assert len(err) == 2 and all(line.startswith("causalmacro: warning: ") for line in err)
        assert "UserWarning" in err[0] and "test_cli_fred.py:" in err[0]
        assert "causalmacro.svar" in err[1] and "s3cr3tkey" not in err[1]


def test_a_key_echoed_in_series_metadata_is_not_stored(
    fake: FakeFred, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add("CPIAUCSL", {d: 250.0 + i for i, d in enumerate(months(30))},
             title=f"CPI for key {fake.api_key}", units=f"Index ({fake.url}/x?api_key={fake.api_key})")
    spec = tmp_path / "small.toml"
    spec.write_text(SPEC)
    store = tmp_path / "store"
    assert main(["--quiet", "--store", str(store), "fetch", str(spec)]) == 0
    assert main(["--quiet", "--store", str(store), "--offline", "data", str(spec)]) == 0
    out = capsys.readouterr()
    files = b"".join(p.read_bytes() for p in store.rglob("*") if p.is_file())
    assert fake.api_key.encode() not in files and fake.api_key not in out.out + out.err

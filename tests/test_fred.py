"""The FRED client against the fake FRED server: parsing, retries, errors, key handling."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fakefred import FakeFred, serving

from causalmacro.data.fred import (
    DEFAULT_ROOT_URL,
    FredClient,
    client_from_env,
    default_key_file,
    resolve_api_key,
)
from causalmacro.errors import DataError, FetchError

VALUES = {"2020-01-01": 1.5, "2020-02-01": None, "2020-03-01": 2.25}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFred]:
    with serving(monkeypatch, hang_seconds=1.5) as server:
        server.add("CPIAUCSL", VALUES, title="Consumer Price Index", frequency_short="M")
        yield server


def test_series_info_parses_fred_xml(client: FredClient, fake: FakeFred) -> None:
    info = client.series_info("CPIAUCSL")
    assert info.title == "Consumer Price Index"
    assert info.frequency == "M"
    assert info.units == "Index 2017=100"
    assert info.last_updated == "2025-12-01 07:41:02-06"
    assert info.observation_start == pd.Timestamp("2020-01-01")
    assert info.observation_end == pd.Timestamp("2020-03-01")
    assert [r.params for r in fake.requests_to("series")] == [{"series_id": "CPIAUCSL"}]


def test_observations_are_float64_on_date_index(client: FredClient) -> None:
    obs = client.observations("CPIAUCSL")
    assert obs.dtype == np.float64
    assert isinstance(obs.index, pd.DatetimeIndex)
    assert obs.index.name == "date"
    assert obs.name == "CPIAUCSL"
    assert list(obs.index) == list(pd.to_datetime(list(VALUES)))
    np.testing.assert_array_equal(obs.to_numpy(), [1.5, np.nan, 2.25])


def test_observation_start_is_sent(client: FredClient, fake: FakeFred) -> None:
    obs = client.observations("CPIAUCSL", start=pd.Timestamp("2020-02-01"))
    assert len(obs) == 2
    (request,) = fake.requests_to("series/observations")
    assert request.params["observation_start"] == "2020-02-01"
    assert "api_key" not in request.params


def test_root_url_comes_from_env(client: FredClient, fake: FakeFred) -> None:
    assert client.root_url == fake.url
    assert client_from_env(environ={"FRED_API_KEY": "k"}).root_url == DEFAULT_ROOT_URL


def test_bad_key_gives_one_line_error_without_key(
    fake: FakeFred, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    secret = "wrongkey9876543210"
    monkeypatch.setenv("FRED_API_KEY", secret)
    client = client_from_env(timeout=0.5, retries=2, backoff=0.01, sleep=sleeps.append)
    with pytest.raises(FetchError) as info:
        client.series_info("CPIAUCSL")
    message = str(info.value)
    assert message.startswith("FRED rejected the request for series CPIAUCSL (HTTP 400: ")
    assert "api_key is not registered" in message
    assert message.endswith("; check FRED_API_KEY")
    assert "\n" not in message
    assert secret not in message
    assert "127.0.0.1" not in message and "http" not in message.split("(HTTP")[0]
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert sleeps == []  # a bad key is not retried
    assert len(fake.requests) == 1


def test_unknown_series_is_a_clear_error(client: FredClient) -> None:
    with pytest.raises(FetchError, match=r"series NOSUCH \(HTTP 400: .*does not exist\.\)$"):
        client.observations("NOSUCH")


def test_invalid_series_id_is_refused_before_any_request(
    client: FredClient, fake: FakeFred
) -> None:
    with pytest.raises(DataError, match="invalid FRED series ID 'CPI&x=1'"):
        client.observations("CPI&x=1")
    assert fake.requests == []


@pytest.mark.parametrize("fault", ["429", "500", "503", "truncate", "garble", "reset", "hang"])
def test_transient_fault_is_retried(
    client: FredClient, fake: FakeFred, sleeps: list[float], fault: str
) -> None:
    fake.fail_next(fault)  # type: ignore[arg-type]
    obs = client.observations("CPIAUCSL")
    assert len(obs) == 3
    assert len(fake.requests_to("series/observations")) == 2
    assert sleeps == [0.01]


def test_backoff_doubles(client: FredClient, fake: FakeFred, sleeps: list[float]) -> None:
    fake.fail_next("500", times=2)
    assert len(client.observations("CPIAUCSL")) == 3
    assert sleeps == [0.01, 0.02]


def test_persistent_failure_names_series(
    client: FredClient, fake: FakeFred, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next("500", times=10)
    with caplog.at_level(logging.DEBUG), pytest.raises(FetchError) as info:
        client.observations("CPIAUCSL")
    assert str(info.value) == ("FRED request for series CPIAUCSL failed after 3 attempts: HTTP 500")
    assert len(fake.requests) == 3
    assert len(sleeps) == 2
    logged = caplog.text
    assert "CPIAUCSL" in logged
    assert fake.api_key not in logged and "127.0.0.1" not in logged


def test_persistent_timeout(fake: FakeFred, sleeps: list[float]) -> None:
    client = client_from_env(timeout=0.2, retries=1, backoff=0.01, sleep=sleeps.append)
    fake.fail_next("hang", times=2)
    with pytest.raises(FetchError) as info:
        client.series_info("CPIAUCSL")
    assert str(info.value) == (
        "FRED request for series CPIAUCSL failed after 2 attempts: timed out after 0.2 s"
    )
    assert sleeps == [0.01]


def test_key_from_explicit_file_wins(tmp_path: Path) -> None:
    keyfile = tmp_path / "key"
    keyfile.write_text("filekey\nignored\n")
    assert resolve_api_key(keyfile, environ={"FRED_API_KEY": "envkey"}) == "filekey"


def test_key_from_env_then_default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_key_file() == tmp_path / "causalmacro" / "fred_api_key"
    assert resolve_api_key(environ={"FRED_API_KEY": " envkey "}) == "envkey"
    default_key_file().parent.mkdir(parents=True)
    default_key_file().write_text("defaultkey\n")
    assert resolve_api_key(environ={}) == "defaultkey"


def test_no_key_error_names_where_to_put_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    expected = tmp_path / "causalmacro" / "fred_api_key"
    with pytest.raises(FetchError) as info:
        client_from_env(environ={})
    assert str(info.value) == f"no FRED API key: set FRED_API_KEY or write it to {expected}"
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(FetchError, match=f"write it to {empty}$"):
        resolve_api_key(empty, environ={"FRED_API_KEY": "ignored"})


def test_repr_hides_key(client: FredClient, fake: FakeFred) -> None:
    assert fake.api_key not in repr(client)
    assert "127.0.0.1" not in repr(client)

"""The FRED client against the fake FRED server: parsing, retries, errors, key handling."""

from __future__ import annotations

import logging
import time
import traceback
import warnings
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
    scrub,
)
from causalmacro.errors import ArgumentError, DataError, FetchError

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
    assert info.value.__cause__ is None and info.value.__context__ is None  # urllib's error holds the URL
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


# -- issue 17: the key never leaks, a request has a total deadline, settings are checked ----------

LEAKS = [
    (400, "reason"),
    (400, "body"),
    (403, "reason"),
    (403, "body"),
    (403, "header"),
    (429, "reason"),
    (429, "header"),
    (500, "reason"),
    (500, "body"),
    (302, "location"),
    (301, "location"),
]


def _everything_said(exc: BaseException) -> str:
    """What a traceback, a repr or a log of the exception could show, chained exceptions included."""
    seen = [*traceback.format_exception(exc), repr(exc), repr(exc.args)]
    inner = exc.__cause__ or exc.__context__
    while inner is not None:
        seen += [repr(inner), str(inner), repr(getattr(inner, "args", ""))]
        seen += [str(getattr(inner, attr, "")) for attr in ("reason", "filename", "url", "headers", "msg")]
        inner = inner.__cause__ or inner.__context__
    return "\n".join(seen)


@pytest.mark.parametrize(("code", "where"), LEAKS)
def test_the_key_reaches_no_message_log_warning_or_chained_exception(
    fake: FakeFred, sleeps: list[float], caplog: pytest.LogCaptureFixture, code: int, where: str
) -> None:
    client = client_from_env(timeout=0.5, retries=1, backoff=0.01, sleep=sleeps.append)
    fake.leak_key_next(code, where, times=2)  # type: ignore[arg-type]
    with caplog.at_level(logging.DEBUG), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(FetchError) as info:
            client.series_info("CPIAUCSL")
    said = _everything_said(info.value) + caplog.text + "".join(str(w.message) for w in caught)
    assert fake.api_key not in said
    assert "api_key=" not in said and fake.url not in said
    assert info.value.__context__ is None and info.value.__cause__ is None
    message = str(info.value)
    assert "CPIAUCSL" in message and f"HTTP {code}" in message and "\n" not in message


def test_a_redirect_is_not_followed(fake: FakeFred, sleeps: list[float]) -> None:
    client = client_from_env(timeout=0.5, retries=1, backoff=0.01, sleep=sleeps.append)
    fake.leak_key_next(302, "location")
    with pytest.raises(FetchError, match=r"redirected .*CAUSALMACRO_FRED_URL"):
        client.series_info("CPIAUCSL")
    assert len(fake.requests) == 1


def test_scrub_removes_keys_query_values_and_urls() -> None:
    text = "key SeCrEt9 at http://127.0.0.1:80/fred/series?series_id=X&api_key=SeCrEt9 and api_key=other&x=1"
    out = scrub(text, secrets=["SeCrEt9"])
    assert "SeCrEt9" not in out and "other" not in out and "127.0.0.1" not in out
    assert out.startswith("key *** at <URL> and api_key=***")
    assert scrub("a/b c", secrets=["", "a"]) == "a/b c"  # empty and very short secrets are not secrets


def test_a_trickling_server_meets_the_total_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """One byte every 0.3 s never trips a per-read timeout of 1 s; the request's total deadline does."""
    with serving(monkeypatch, trickle_seconds=0.3) as server:
        server.add("CPIAUCSL", VALUES)
        server.fail_next("trickle", times=2)
        client = client_from_env(timeout=1.0, retries=0, backoff=0.01)
        t0 = time.monotonic()
        with pytest.raises(FetchError) as info:
            client.observations("CPIAUCSL")
        elapsed = time.monotonic() - t0
    assert elapsed < 2.0
    assert str(info.value) == "FRED request for series CPIAUCSL failed after 1 attempt: timed out after 1 s"


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf", "-inf", "1e400", "0.0"])
def test_a_bad_timeout_setting_names_the_variable(value: str) -> None:
    env = {"FRED_API_KEY": "k" * 32, "CAUSALMACRO_FRED_TIMEOUT": value}
    with pytest.raises(FetchError) as info:
        client_from_env(environ=env)
    message = str(info.value)
    assert message.startswith("CAUSALMACRO_FRED_TIMEOUT must be a positive number of seconds")
    assert "\n" not in message


@pytest.mark.parametrize("value", ["-1", "1.5", "x", "nan", "1000"])
def test_a_bad_retries_setting_names_the_variable(value: str) -> None:
    env = {"FRED_API_KEY": "k" * 32, "CAUSALMACRO_FRED_RETRIES": value}
    with pytest.raises(FetchError, match=r"^CAUSALMACRO_FRED_RETRIES must be a whole number from 0 to 20"):
        client_from_env(environ=env)


@pytest.mark.parametrize(
    "url",
    [
        "127.0.0.1:8000/fred",
        "ftp://127.0.0.1/fred",
        "http:///fred",
        "http://127.0.0.1/fr ed",
        "http://127.0.0.1/fred\n",
        "https://127.0.0.1:99999/fred",
        "file:///etc/passwd",
    ],
)
def test_a_malformed_url_setting_names_the_variable_not_the_value(url: str) -> None:
    env = {"FRED_API_KEY": "k" * 32, "CAUSALMACRO_FRED_URL": url}
    with pytest.raises(FetchError) as info:
        client_from_env(environ=env)
    message = str(info.value)
    assert message.startswith("CAUSALMACRO_FRED_URL is malformed")
    assert "127.0.0.1" not in message and "\n" not in message


def test_client_arguments_are_checked() -> None:
    for bad in ({"timeout": 0.0}, {"timeout": float("nan")}, {"timeout": float("inf")}, {"retries": -1}):
        with pytest.raises(ArgumentError):
            FredClient("k" * 32, **bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("endpoint", ["series", "series/observations"])
def test_both_requests_take_the_retry_path(
    client: FredClient, fake: FakeFred, sleeps: list[float], endpoint: str
) -> None:
    """``series_info`` and ``observations`` each go through the client's own request (retries, scrubbing)."""
    fake.fail_next("503", endpoint=endpoint)
    if endpoint == "series":
        assert client.series_info("CPIAUCSL").title == "Consumer Price Index"
    else:
        assert client.observations("CPIAUCSL").tolist()[::2] == [1.5, 2.25]
    assert len(fake.requests_to(endpoint)) == 2
    assert sleeps == [0.01]


def test_the_client_relies_on_no_private_part_of_fredapi() -> None:
    """The HTTP request is the client's own: it subclasses nothing and overrides no name-mangled hook."""
    assert FredClient.__mro__ == (FredClient, object)
    assert not [name for name in vars(FredClient) if name.startswith("_Fred")]


def test_malformed_observation_is_one_line_error(client: FredClient, fake: FakeFred) -> None:
    fake.add("BAD", {"2020-01-01": 1.0}).observations["2020-02-01"] = "x"
    with pytest.raises(FetchError, match=r"^FRED sent malformed observations for series BAD$"):
        client.observations("BAD")

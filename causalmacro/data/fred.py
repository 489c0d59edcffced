"""FRED API client: fredapi with timeouts, retries and one-line errors.

:class:`FredClient` subclasses :class:`fredapi.Fred` and keeps its URL building
and XML parsing (``get_series_info``, ``get_series``); it replaces only the one
method that does the HTTP request, which in fredapi has no timeout, no retry
and turns every HTTP error into a bare ``ValueError``. Here a request

* times out after ``timeout`` seconds;
* is retried with exponential backoff on HTTP 429 and 5xx, timeouts, dropped
  connections and truncated or unparseable bodies;
* fails with a :class:`~causalmacro.errors.FetchError` naming the series, whose
  message never holds the API key or a URL.

The API key comes from ``FRED_API_KEY`` or a key file (see
:func:`resolve_api_key`); the endpoint from ``CAUSALMACRO_FRED_URL`` when set,
else ``https://api.stlouisfed.org/fred``.

References
----------
FRED API documentation, https://fred.stlouisfed.org/docs/api/fred/
"""

from __future__ import annotations

import http.client
import logging
import os
import re
import socket
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError, URLError

import fredapi
import pandas as pd
import platformdirs

from causalmacro.errors import DataError, FetchAbort, FetchError

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_ROOT_URL",
    "URL_ENV",
    "FredClient",
    "FredSeriesInfo",
    "client_from_env",
    "default_key_file",
    "resolve_api_key",
]

logger = logging.getLogger(__name__)

DEFAULT_ROOT_URL = "https://api.stlouisfed.org/fred"
"""FRED's API root; ``CAUSALMACRO_FRED_URL`` replaces it."""
API_KEY_ENV = "FRED_API_KEY"
URL_ENV = "CAUSALMACRO_FRED_URL"

_SERIES_ID = re.compile(r"^[A-Za-z0-9_.]{1,64}$")
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_MESSAGE_CHARS = 200


def default_key_file() -> Path:
    """Return the default API key file, ``<user config dir>/causalmacro/fred_api_key``.

    Returns
    -------
    pathlib.Path
        ``~/.config/causalmacro/fred_api_key`` on Linux (platformdirs' user config dir).
    """
    return Path(platformdirs.user_config_dir("causalmacro")) / "fred_api_key"


def _read_key(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[0].strip() if lines else ""


def resolve_api_key(
    api_key_file: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Find the FRED API key.

    Looked for, in order: the first line of ``api_key_file`` when given; the
    environment variable ``FRED_API_KEY``; the first line of
    :func:`default_key_file`.

    Parameters
    ----------
    api_key_file : str or os.PathLike, optional
        A file holding the key on its first line.
    environ : mapping, optional
        Environment to read; default ``os.environ``.

    Returns
    -------
    str

    Raises
    ------
    FetchError
        When no key is found.
    """
    env = os.environ if environ is None else environ
    if api_key_file is not None:
        path = Path(api_key_file).expanduser()
        key = _read_key(path)
    else:
        path = default_key_file()
        key = env.get(API_KEY_ENV, "").strip() or _read_key(path)
    if not key:
        raise FetchError(f"no FRED API key: set {API_KEY_ENV} or write it to {path}")
    return key


@dataclass(frozen=True)
class FredSeriesInfo:
    """What FRED's ``fred/series`` endpoint says about a series.

    Attributes
    ----------
    series_id, title, units : str
    frequency : str
        FRED's ``frequency_short`` (D, W, BW, M, Q, SA, A).
    last_updated : str or None
        FRED's ``last_updated`` stamp, verbatim (e.g. ``"2025-12-01 07:41:02-06"``).
    observation_start, observation_end : pandas.Timestamp or None
        First and last observation FRED holds.
    """

    series_id: str
    title: str
    units: str
    frequency: str
    last_updated: str | None
    observation_start: pd.Timestamp | None
    observation_end: pd.Timestamp | None


def _check_series_id(series_id: str) -> None:
    if not isinstance(series_id, str) or not _SERIES_ID.match(series_id):
        raise DataError(f"invalid FRED series ID {series_id!r}: letters, digits, '_' and '.' only")


def _series_in(url: str) -> str:
    found = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("series_id")
    return found[0] if found else "?"


def _optional_date(text: object) -> pd.Timestamp | None:
    if not isinstance(text, str) or not text:
        return None
    stamp = pd.to_datetime(text, errors="coerce")
    return None if pd.isna(stamp) else pd.Timestamp(stamp)


class FredClient(fredapi.Fred):
    """A :class:`fredapi.Fred` that times out, retries and fails with one-line errors.

    Use :func:`client_from_env` to build one from the environment.

    Parameters
    ----------
    api_key : str
        FRED API key.
    root_url : str, optional
        API root; default :data:`DEFAULT_ROOT_URL`.
    timeout : float
        Seconds to wait on a connection or a read before giving up on an attempt.
    retries : int
        Further attempts after the first failed one on retryable failures.
    backoff : float
        Seconds before the first retry; doubled at each further retry.
    max_backoff : float
        Upper bound on one wait, including a server's ``Retry-After``.
    sleep : callable
        Called with the seconds to wait between attempts (tests pass a recorder).
    """

    def __init__(
        self,
        api_key: str,
        *,
        root_url: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # fredapi.Fred.__init__ is not called: it reads the key itself and may
        # install a process-wide urllib opener; this class takes the key as given
        # and keeps its own opener.
        if not api_key:
            raise FetchError(
                f"no FRED API key: set {API_KEY_ENV} or write it to {default_key_file()}"
            )
        if timeout <= 0 or retries < 0 or backoff < 0 or max_backoff < 0:
            raise ValueError("timeout must be positive; retries, backoff and max_backoff >= 0")
        self.api_key = api_key
        self.proxies = None
        self.root_url = (root_url or DEFAULT_ROOT_URL).rstrip("/")
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self._sleep = sleep
        self._opener = urllib.request.build_opener()

    def __repr__(self) -> str:
        return f"FredClient(timeout={self.timeout:g}, retries={self.retries})"

    # -- the public surface used by causalmacro.data.refresh ------------------------------

    def series_info(self, series_id: str) -> FredSeriesInfo:
        """Fetch a series' metadata (one ``fred/series`` request).

        Parameters
        ----------
        series_id : str

        Returns
        -------
        FredSeriesInfo

        Raises
        ------
        FetchError
            When FRED fails or refuses; the message names the series.
        """
        _check_series_id(series_id)
        try:
            info = self.get_series_info(series_id)
        except ValueError:
            raise FetchError(f"FRED returned no information on series {series_id}") from None
        return FredSeriesInfo(
            series_id=series_id,
            title=str(info.get("title", "")),
            units=str(info.get("units", "")),
            frequency=str(info.get("frequency_short", "")),
            last_updated=info.get("last_updated") or None,
            observation_start=_optional_date(info.get("observation_start")),
            observation_end=_optional_date(info.get("observation_end")),
        )

    def observations(self, series_id: str, start: pd.Timestamp | None = None) -> pd.Series:
        """Fetch a series' observations (one ``fred/series/observations`` request).

        Parameters
        ----------
        series_id : str
        start : pandas.Timestamp, optional
            Only observations on or after this date (FRED's ``observation_start``).

        Returns
        -------
        pandas.Series
            float64, NaN where FRED reports ``"."``, on a sorted
            :class:`~pandas.DatetimeIndex` named ``"date"``, named ``series_id``.

        Raises
        ------
        FetchError
            When FRED fails, refuses, or sends observations that do not parse.
        """
        _check_series_id(series_id)
        try:
            raw = self.get_series(series_id, observation_start=start)
        except (ValueError, TypeError):
            raise FetchError(f"FRED sent malformed observations for series {series_id}") from None
        return _as_float_series(series_id, raw)

    # -- the HTTP request: replaces fredapi.Fred.__fetch_data --------------------------

    def _Fred__fetch_data(self, url: str) -> ET.Element:
        """Request ``url`` (with the key appended) and parse the XML reply; retry transient failures."""
        series_id = _series_in(url)
        request = urllib.request.Request(
            url + "&api_key=" + urllib.parse.quote(self.api_key, safe="")
        )
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            retry_after: float | None = None
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    body = response.read()
                return ET.fromstring(body)
            except HTTPError as exc:
                with exc:
                    if exc.code not in _RETRY_STATUS:
                        raise self._rejected(series_id, exc) from None
                    reason = f"HTTP {exc.code}"
                    retry_after = _retry_after(exc.headers.get("Retry-After"))
            except TimeoutError:
                reason = f"timed out after {self.timeout:g} s"
            except URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    reason = f"timed out after {self.timeout:g} s"
                elif isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
                    # nobody listens there (or the name does not resolve): retrying cannot help
                    what = "connection refused" if isinstance(exc.reason, ConnectionRefusedError) else "unknown host"
                    raise FetchAbort(
                        f"cannot reach the FRED server ({what}) for series {series_id}; "
                        f"check the network or {URL_ENV}"
                    ) from None
                else:
                    reason = f"connection failed ({type(exc.reason).__name__})"
            except ConnectionError as exc:
                reason = f"connection dropped ({type(exc).__name__})"
            except http.client.IncompleteRead:
                reason = "truncated response"
            except http.client.HTTPException as exc:
                reason = f"malformed response ({type(exc).__name__})"
            except ET.ParseError:
                reason = "unparseable XML response"
            if attempt == attempts:
                raise FetchError(
                    f"FRED request for series {series_id} failed after {attempts} "
                    f"attempt{'s' if attempts > 1 else ''}: {reason}"
                )
            delay = min(self.backoff * 2 ** (attempt - 1), self.max_backoff)
            if retry_after is not None:
                delay = min(max(delay, retry_after), self.max_backoff)
            logger.warning(
                "FRED request for series %s failed (%s); retry %d of %d in %.3g s",
                series_id,
                reason,
                attempt,
                self.retries,
                delay,
            )
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _rejected(self, series_id: str, exc: HTTPError) -> FetchError:
        """The error for a non-retryable HTTP status (bad key, unknown series...)."""
        try:
            message = ET.fromstring(exc.read()).get("message") or ""
        except (ET.ParseError, OSError, http.client.HTTPException):
            message = ""
        message = " ".join(self._scrub(message).split())[:_MESSAGE_CHARS] or (exc.reason or "")
        hint = ""
        if exc.code in (401, 403) or "api_key" in message.lower():
            # a key FRED refuses is refused for every series: stop the whole fetch here
            return FetchAbort(
                f"FRED rejected the request for series {series_id} (HTTP {exc.code}: {message}); check {API_KEY_ENV}"
            )
        return FetchError(
            f"FRED rejected the request for series {series_id} (HTTP {exc.code}: {message}){hint}"
        )

    def _scrub(self, text: str) -> str:
        for secret in {self.api_key, urllib.parse.quote(self.api_key, safe="")}:
            text = text.replace(secret, "***")
        return text


def _retry_after(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _as_float_series(series_id: str, raw: pd.Series) -> pd.Series:
    """Coerce fredapi's output (possibly object dtype, NaT) to float64 on a 'date' index."""
    index = pd.DatetimeIndex(pd.to_datetime(raw.index, errors="coerce"), name="date")
    values = pd.to_numeric(pd.Series(raw.to_numpy(), index=index), errors="coerce")
    out = pd.Series(values.to_numpy(dtype="float64", na_value=float("nan")), index=index)
    out = out[index.notna()].sort_index()
    out.name = series_id
    return out


def client_from_env(
    *,
    api_key_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> FredClient:
    """Build a :class:`FredClient` from the environment.

    Parameters
    ----------
    api_key_file : str or os.PathLike, optional
        Key file; see :func:`resolve_api_key` for the search order.
    environ : mapping, optional
        Environment to read (``FRED_API_KEY``, ``CAUSALMACRO_FRED_URL``,
        ``CAUSALMACRO_FRED_TIMEOUT`` seconds and ``CAUSALMACRO_FRED_RETRIES``,
        which override ``timeout`` and ``retries``); default ``os.environ``.
    timeout, retries, backoff, sleep
        Passed to :class:`FredClient`.

    Returns
    -------
    FredClient

    Raises
    ------
    FetchError
        ``"no FRED API key: set FRED_API_KEY or write it to <path>"`` when none is found.
    """
    env = os.environ if environ is None else environ
    key = resolve_api_key(api_key_file, environ=env)
    return FredClient(
        key,
        root_url=env.get(URL_ENV) or DEFAULT_ROOT_URL,
        timeout=_env_number(env, TIMEOUT_ENV, timeout, float),
        retries=int(_env_number(env, RETRIES_ENV, retries, int)),
        backoff=backoff,
        sleep=sleep,
    )


TIMEOUT_ENV = "CAUSALMACRO_FRED_TIMEOUT"
RETRIES_ENV = "CAUSALMACRO_FRED_RETRIES"


def _env_number(env: Mapping[str, str], name: str, default: float, kind: type[float] | type[int]) -> float:
    text = env.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = kind(text)
    except ValueError:
        raise FetchError(f"{name} must be a number, got {text!r}") from None
    if value < 0:
        raise FetchError(f"{name} must not be negative, got {text!r}")
    return value

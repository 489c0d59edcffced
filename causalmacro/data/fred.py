"""FRED API client: the two requests the package makes, with timeouts, retries and one-line errors.

:class:`FredClient` builds the two URLs (``fred/series`` and
``fred/series/observations``), makes the request with :mod:`urllib` and parses
the XML reply itself; it depends on no private part of another library (it
once overrode ``fredapi.Fred``'s name-mangled ``__fetch_data``, which an
upgrade could have bypassed silently). A request

* has a total deadline of ``timeout`` seconds, from connecting to the last byte
  of the reply (a server that trickles its answer cannot hold it longer);
* is retried with exponential backoff on HTTP 429 and 5xx, timeouts, dropped
  connections and truncated or unparseable bodies;
* is never redirected (a redirect would send the key elsewhere): a 3xx is an error;
* fails with a :class:`~causalmacro.errors.FetchError` naming the series, whose
  message never holds the API key or a URL, and which chains no urllib
  exception (those carry the request URL, key included).

Every text from the server or about a request passes through :func:`scrub`
before it reaches a message or a log record.

The API key comes from ``FRED_API_KEY`` or a key file (see
:func:`resolve_api_key`). Settings, read by :func:`client_from_env`:

``CAUSALMACRO_FRED_URL``
    The API root, ``http(s)://host[:port]/path``; default ``https://api.stlouisfed.org/fred``.
``CAUSALMACRO_FRED_TIMEOUT``
    Seconds one request may take in all (connect, headers and body), a
    positive finite number; default 30.
``CAUSALMACRO_FRED_RETRIES``
    Further attempts after a transient failure, a whole number from 0 to 20; default 3.

References
----------
FRED API documentation, https://fred.stlouisfed.org/docs/api/fred/
"""

from __future__ import annotations

import functools
import http.client
import io
import logging
import math
import os
import re
import socket
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError, URLError

import pandas as pd
import platformdirs

from causalmacro.errors import ArgumentError, DataError, FetchAbort, FetchError

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_ROOT_URL",
    "URL_ENV",
    "FredClient",
    "FredSeriesInfo",
    "client_from_env",
    "default_key_file",
    "resolve_api_key",
    "scrub",
]

logger = logging.getLogger(__name__)

DEFAULT_ROOT_URL = "https://api.stlouisfed.org/fred"
"""FRED's API root; ``CAUSALMACRO_FRED_URL`` replaces it."""
API_KEY_ENV = "FRED_API_KEY"
URL_ENV = "CAUSALMACRO_FRED_URL"

_SERIES_ID = re.compile(r"^[A-Za-z0-9_.]{1,64}$")
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_MESSAGE_CHARS = 200
_MAX_RETRIES = 20
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?:[^\s'\"<>]*[^\s'\"<>.,:;!?)\]])?")  # not a closing '.'...
_KEY_VALUE = re.compile(r"(api_key=)[^&\s'\"<>]*", re.IGNORECASE)
_MIN_SECRET = 4


def scrub(text: str, *, secrets: Iterable[str] = ()) -> str:
    """Remove what could give away a key or an endpoint: the one scrubber of the package.

    Parameters
    ----------
    text : str
    secrets : iterable of str
        Literal secrets (API keys) to remove, also in their URL-quoted form;
        empty ones and ones shorter than 4 characters are ignored.

    Returns
    -------
    str
        ``text`` with every secret replaced by ``***``, every URL by ``<URL>``
        and every ``api_key=`` query value by ``***``.
    """
    for secret in secrets:
        if len(secret) >= _MIN_SECRET:
            for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}:
                text = text.replace(form, "***")
    return _KEY_VALUE.sub(r"\1***", _URL.sub("<URL>", text))


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


class _DeadlineReader(io.RawIOBase):
    """A socket's raw reading side whose every read waits no longer than what is left to a deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # holds a reference: the socket stays open
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int | None:  # type: ignore[override]
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(remaining)
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """A connected socket whose :meth:`makefile` reads (status line, headers, body) share one deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "r", *args: object, **kwargs: object) -> io.BufferedReader:
        if mode != "rb":  # http.client reads replies through makefile("rb") only
            raise ValueError(f"unsupported mode {mode!r}")
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def __getattr__(self, name: str) -> object:
        return getattr(self._sock, name)


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: object, deadline: float, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()
        self.sock = _DeadlineSocket(self.sock, self._deadline)


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: object, deadline: float, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type,call-overload]
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()  # TCP, then TLS
        self.sock = _DeadlineSocket(self.sock, self._deadline)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_HTTPConnection, deadline=self._deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_HTTPSConnection, deadline=self._deadline), req)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: the request URL holds the key, and a redirect is no FRED answer."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _opener(deadline: float) -> urllib.request.OpenerDirector:
    """An opener (proxies from the environment, as urllib's) whose requests end by ``deadline``."""
    return urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline), _NoRedirect())


def _check_root_url(url: str) -> str:
    """The API root, or a :class:`FetchError` naming the setting (never echoing it: it may hold secrets)."""
    parts = urllib.parse.urlsplit(url)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    clean = url.isprintable() and not any(c.isspace() for c in url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or not clean:
        raise FetchError(
            f"{URL_ENV} is malformed: expected http(s)://host[:port]/path, e.g. {DEFAULT_ROOT_URL}"
        )
    return url.rstrip("/")


class FredClient:
    """A FRED API client that times out, retries and fails with one-line errors.

    Use :func:`client_from_env` to build one from the environment.

    Parameters
    ----------
    api_key : str
        FRED API key.
    root_url : str, optional
        API root; default :data:`DEFAULT_ROOT_URL`.
    timeout : float
        Seconds one attempt may take in all, from connecting to the last byte of the reply.
    retries : int
        Further attempts after the first failed one on retryable failures.
    backoff : float
        Seconds before the first retry; doubled at each further retry.
    max_backoff : float
        Upper bound on one wait, including a server's ``Retry-After``.
    sleep : callable
        Called with the seconds to wait between attempts (tests pass a recorder).

    Raises
    ------
    ArgumentError
        ``timeout`` not a positive finite number, or ``retries``, ``backoff``,
        ``max_backoff`` negative.
    FetchError
        ``root_url`` is not an ``http(s)://host[:port]/path`` URL, or no key.
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
        # the key is taken as given and the opener is this client's own (no process-wide urllib opener)
        if not api_key:
            raise FetchError(
                f"no FRED API key: set {API_KEY_ENV} or write it to {default_key_file()}"
            )
        if not (math.isfinite(timeout) and timeout > 0):
            raise ArgumentError(f"timeout must be a positive finite number of seconds, got {timeout!r}")
        for name, value in (("retries", retries), ("backoff", backoff), ("max_backoff", max_backoff)):
            if not value >= 0:
                raise ArgumentError(f"{name} must be >= 0, got {value!r}")
        self.api_key = api_key
        self.root_url = _check_root_url(root_url or DEFAULT_ROOT_URL)
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self._sleep = sleep

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
            Its text fields pass :func:`scrub` (key, ``api_key=`` values and URLs removed).

        Raises
        ------
        FetchError
            When FRED fails or refuses; the message names the series.
        """
        _check_series_id(series_id)
        root = self._fetch_xml(self._url("series", series_id))
        if not len(root):
            raise FetchError(f"FRED returned no information on series {series_id}")
        info = root[0].attrib
        # what is stored and printed passes the scrubber: a server may echo the key anywhere
        return FredSeriesInfo(
            series_id=series_id,
            title=self._scrub(str(info.get("title", ""))),
            units=self._scrub(str(info.get("units", ""))),
            frequency=self._scrub(str(info.get("frequency_short", ""))),
            last_updated=self._scrub(str(info.get("last_updated") or "")) or None,
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
        params = {} if start is None else {"observation_start": pd.Timestamp(start).strftime("%Y-%m-%d")}
        root = self._fetch_xml(self._url("series/observations", series_id, **params))
        try:
            raw = _parse_observations(root)
        except (ValueError, TypeError):
            raise FetchError(f"FRED sent malformed observations for series {series_id}") from None
        return _as_float_series(series_id, raw)

    # -- the HTTP request ----------------------------------------------------------------

    def _url(self, endpoint: str, series_id: str, **params: str) -> str:
        """The request URL of ``endpoint`` for ``series_id`` (without the key, appended at request time)."""
        return f"{self.root_url}/{endpoint}?" + urllib.parse.urlencode({"series_id": series_id, **params})

    def _fetch_xml(self, url: str) -> ET.Element:
        """Request ``url`` (with the key appended) and parse the XML reply; retry transient failures.

        Every exception is raised outside the ``except`` block that saw the
        urllib one, so none chains it: urllib's exceptions hold the URL and key.
        """
        series_id = _series_in(url)
        request = urllib.request.Request(
            url + "&api_key=" + urllib.parse.quote(self.api_key, safe="")
        )
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            outcome = self._attempt(request, series_id)
            if isinstance(outcome, ET.Element):
                return outcome
            if isinstance(outcome, FetchError):
                raise outcome
            reason, retry_after = outcome
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

    def _attempt(
        self, request: urllib.request.Request, series_id: str
    ) -> ET.Element | FetchError | tuple[str, float | None]:
        """One attempt: the parsed reply, the error to raise, or why to retry (and the server's ``Retry-After``)."""
        timed_out = f"timed out after {self.timeout:g} s"
        deadline = time.monotonic() + self.timeout
        try:
            with _opener(deadline).open(request, timeout=self.timeout) as response:
                body = response.read()
            return ET.fromstring(body)
        except HTTPError as exc:
            with exc:
                if exc.code not in _RETRY_STATUS:
                    return self._rejected(series_id, exc)
                return f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))
        except TimeoutError:
            return timed_out, None
        except URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                return timed_out, None
            if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
                # nobody listens there (or the name does not resolve): retrying cannot help
                what = "connection refused" if isinstance(exc.reason, ConnectionRefusedError) else "unknown host"
                return FetchAbort(
                    f"cannot reach the FRED server ({what}) for series {series_id}; "
                    f"check the network or {URL_ENV}"
                )
            return f"connection failed ({type(exc.reason).__name__})", None
        except ConnectionError as exc:
            return f"connection dropped ({type(exc).__name__})", None
        except http.client.IncompleteRead:
            return "truncated response", None
        except http.client.HTTPException as exc:
            return f"malformed response ({type(exc).__name__})", None
        except ET.ParseError:
            return "unparseable XML response", None

    def _rejected(self, series_id: str, exc: HTTPError) -> FetchError:
        """The error for a non-retryable HTTP status (bad key, unknown series, a redirect...)."""
        if 300 <= exc.code < 400:
            return FetchAbort(
                f"FRED redirected the request for series {series_id} (HTTP {exc.code}); "
                f"{URL_ENV} must name the API root itself"
            )
        try:
            message = ET.fromstring(exc.read()).get("message") or ""
        except (ET.ParseError, OSError, http.client.HTTPException):
            message = ""
        message = self._scrub(message or str(exc.reason or ""))[:_MESSAGE_CHARS]
        if exc.code in (401, 403) or "api_key" in message.lower():
            # a key FRED refuses is refused for every series: stop the whole fetch here
            return FetchAbort(
                f"FRED rejected the request for series {series_id} (HTTP {exc.code}: {message}); check {API_KEY_ENV}"
            )
        return FetchError(f"FRED rejected the request for series {series_id} (HTTP {exc.code}: {message})")

    def _scrub(self, text: str) -> str:
        """``text`` on one line, through :func:`scrub` with this client's key."""
        return " ".join(scrub(text, secrets=[self.api_key]).split())


def _retry_after(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _parse_observations(root: ET.Element) -> pd.Series:
    """The ``<observation date=... value=...>`` elements as floats by date; FRED's ``"."`` is NaN.

    Raises
    ------
    ValueError
        A value that is not a number or ``"."``, or a date not ``YYYY-MM-DD``.
    """
    dates: list[pd.Timestamp] = []
    values: list[float] = []
    for child in root:
        value = child.get("value")
        values.append(math.nan if value == "." else float(value))  # type: ignore[arg-type]
        dates.append(pd.to_datetime(child.get("date"), format="%Y-%m-%d"))
    return pd.Series(values, index=pd.DatetimeIndex(dates), dtype="float64")


def _as_float_series(series_id: str, raw: pd.Series) -> pd.Series:
    """Coerce parsed observations to float64 on a sorted 'date' index (no missing dates)."""
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
        ``CAUSALMACRO_FRED_TIMEOUT``, the total seconds of one request, and
        ``CAUSALMACRO_FRED_RETRIES``, which override ``timeout`` and ``retries``;
        see the module docstring); default ``os.environ``.
    timeout, retries, backoff, sleep
        Passed to :class:`FredClient`.

    Returns
    -------
    FredClient

    Raises
    ------
    FetchError
        ``"no FRED API key: set FRED_API_KEY or write it to <path>"`` when none is found;
        a one-line error naming the setting when a ``CAUSALMACRO_FRED_*`` variable
        is malformed (a timeout not a positive finite number, retries not a whole
        number from 0 to 20, a URL not ``http(s)://host[:port]/path``).
    """
    env = os.environ if environ is None else environ
    key = resolve_api_key(api_key_file, environ=env)
    url = env.get(URL_ENV) or DEFAULT_ROOT_URL
    return FredClient(
        key,
        root_url=_check_root_url(url),
        timeout=_env_timeout(env, timeout),
        retries=_env_retries(env, retries),
        backoff=backoff,
        sleep=sleep,
    )


TIMEOUT_ENV = "CAUSALMACRO_FRED_TIMEOUT"
RETRIES_ENV = "CAUSALMACRO_FRED_RETRIES"


def _shown(text: str) -> str:
    """A setting's value as a message may quote it: one line, short, scrubbed."""
    return repr(scrub(text)[:40])


def _env_timeout(env: Mapping[str, str], default: float) -> float:
    text = env.get(TIMEOUT_ENV)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise FetchError(
            f"{TIMEOUT_ENV} must be a positive number of seconds (the total time of one request), "
            f"got {_shown(text)}"
        )
    return value


def _env_retries(env: Mapping[str, str], default: int) -> int:
    text = env.get(RETRIES_ENV)
    if text is None or not text.strip():
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= _MAX_RETRIES:
        raise FetchError(f"{RETRIES_ENV} must be a whole number from 0 to {_MAX_RETRIES}, got {_shown(text)}")
    return value

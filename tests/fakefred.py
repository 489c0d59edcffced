"""A fake FRED API server for tests, on 127.0.0.1.

It speaks the two endpoints causalmacro uses, in FRED's XML format
(https://fred.stlouisfed.org/docs/api/fred/series.html and
``series_observations.html``): ``/fred/series`` and ``/fred/series/observations``
(honouring ``observation_start`` and ``observation_end``). It checks the API
key (a wrong one gets FRED's HTTP 400 error XML), records every request
without its key, and can be scripted to fail the next requests with HTTP 429,
HTTP 500, a hang, a truncated body, an unparseable body, a reset connection or
a body trickled one byte at a time; :meth:`FakeFred.leak_key_next` makes it echo
the request's API key in an error's status line, body, a header or a redirect.
"""

from __future__ import annotations

import socket
import struct
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

Fault = Literal["429", "500", "503", "hang", "truncate", "garble", "reset", "trickle"]
Leak = Literal["reason", "body", "header", "location"]

TODAY = "2025-12-01"
BAD_KEY_MESSAGE = (
    "Bad Request.  The value for variable api_key is not registered.  "
    "Read https://fred.stlouisfed.org/docs/api/api_key.html for more information."
)


@dataclass
class FakeSeries:
    """One series the fake serves; observations map ISO dates to FRED value text."""

    series_id: str
    title: str = "A test series"
    units: str = "Index 2017=100"
    frequency: str = "Monthly"
    frequency_short: str = "M"
    last_updated: str = "2025-12-01 07:41:02-06"
    observations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """A request the fake received: endpoint path and query, without ``api_key``."""

    path: str
    params: dict[str, str]


class FakeFred:
    """A threaded FRED look-alike; use as a context manager or call :meth:`close`.

    Parameters
    ----------
    api_key : str
        The one key it accepts.
    hang_seconds : float
        How long a ``"hang"`` fault stalls before answering (bounded, so tests end).
    trickle_seconds : float
        Pause between the bytes of a ``"trickle"`` fault's body; the fake gives
        up (closes the connection) after 12 bytes, so tests end.
    """

    def __init__(
        self,
        api_key: str = "fakekey0123456789abcdef",
        hang_seconds: float = 2.0,
        trickle_seconds: float = 0.5,
    ):
        self.api_key = api_key
        self.hang_seconds = hang_seconds
        self.trickle_seconds = trickle_seconds
        self.series: dict[str, FakeSeries] = {}
        self.requests: list[Request] = []
        self._faults: list[tuple[str, str | None, str | None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The API root to put in ``CAUSALMACRO_FRED_URL``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/fred"

    def add(self, series_id: str, values: dict[str, float | None], **attrs: str) -> FakeSeries:
        """Serve a series; ``None`` values are served as FRED's missing value ``"."``."""
        obs = {d: "." if v is None else repr(float(v)) for d, v in values.items()}
        series = FakeSeries(series_id, observations=obs, **attrs)
        with self._lock:
            self.series[series_id] = series
        return series

    def update(self, series_id: str, values: dict[str, float | None], last_updated: str) -> None:
        """Change or add observations and bump ``last_updated``."""
        with self._lock:
            series = self.series[series_id]
            for d, v in values.items():
                series.observations[d] = "." if v is None else repr(float(v))
            series.observations = dict(sorted(series.observations.items()))
            series.last_updated = last_updated

    def fail_next(
        self,
        fault: Fault,
        times: int = 1,
        *,
        endpoint: str | None = None,
        series_id: str | None = None,
    ) -> None:
        """Make the next ``times`` requests fail with ``fault``.

        With ``endpoint`` (``"series"`` or ``"series/observations"``) and/or
        ``series_id``, only matching requests fail; others pass untouched.
        """
        path = None if endpoint is None else f"/fred/{endpoint}"
        with self._lock:
            self._faults.extend([(fault, path, series_id)] * times)

    def leak_key_next(
        self, code: int, where: Leak, times: int = 1, *, endpoint: str | None = None
    ) -> None:
        """Answer the next ``times`` requests with HTTP ``code``, echoing the request's key.

        ``where`` puts the key (and the request URL holding it) in the status
        line's reason phrase, in the error XML's message, in a header, or in
        the ``Location`` of a redirect (then ``code`` should be a 3xx).
        """
        path = None if endpoint is None else f"/fred/{endpoint}"
        with self._lock:
            self._faults.extend([(f"leak:{code}:{where}", path, None)] * times)

    @property
    def pending_faults(self) -> int:
        """Faults scripted but not yet served."""
        with self._lock:
            return len(self._faults)

    def requests_to(self, endpoint: str) -> list[Request]:
        """Recorded requests to ``"series"`` or ``"series/observations"``."""
        with self._lock:
            return [r for r in self.requests if r.path == f"/fred/{endpoint}"]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeFred:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- used by the handler -------------------------------------------------------

    def _take(self, path: str, params: dict[str, str]) -> str | None:
        with self._lock:
            self.requests.append(Request(path, {k: v for k, v in params.items() if k != "api_key"}))
            for i, (fault, where, series_id) in enumerate(self._faults):
                if where in (None, path) and series_id in (None, params.get("series_id")):
                    del self._faults[i]
                    return fault
            return None

    def _answer(self, path: str, params: dict[str, str]) -> tuple[int, bytes]:
        if params.get("api_key") != self.api_key:
            return 400, _error(400, BAD_KEY_MESSAGE)
        with self._lock:
            series = self.series.get(params.get("series_id", ""))
            if series is None:
                return 400, _error(400, "Bad Request.  The series does not exist.")
            if path == "/fred/series":
                return 200, _series_xml(series)
            if path == "/fred/series/observations":
                return 200, _observations_xml(series, params)
        return 404, _error(404, "Not Found.")


def _error(code: int, message: str) -> bytes:
    root = ET.Element("error", code=str(code), message=message)
    return b'<?xml version="1.0" encoding="utf-8" ?>\n' + ET.tostring(root)


def _series_xml(s: FakeSeries) -> bytes:
    dates = list(s.observations)
    root = ET.Element("seriess", realtime_start=TODAY, realtime_end=TODAY)
    ET.SubElement(
        root,
        "series",
        id=s.series_id,
        realtime_start=TODAY,
        realtime_end=TODAY,
        title=s.title,
        observation_start=dates[0] if dates else "",
        observation_end=dates[-1] if dates else "",
        frequency=s.frequency,
        frequency_short=s.frequency_short,
        units=s.units,
        units_short=s.units,
        seasonal_adjustment="Seasonally Adjusted",
        seasonal_adjustment_short="SA",
        last_updated=s.last_updated,
        popularity="50",
        notes="Test & <notes>.",
    )
    return b'<?xml version="1.0" encoding="utf-8" ?>\n' + ET.tostring(root)


def _observations_xml(s: FakeSeries, params: dict[str, str]) -> bytes:
    start = params.get("observation_start", "1776-07-04")
    end = params.get("observation_end", "9999-12-31")
    rows = [(d, v) for d, v in s.observations.items() if start <= d <= end]
    root = ET.Element(
        "observations",
        realtime_start=TODAY,
        realtime_end=TODAY,
        observation_start=start,
        observation_end=end,
        units="lin",
        output_type="1",
        file_type="xml",
        order_by="observation_date",
        sort_order="asc",
        count=str(len(rows)),
        offset="0",
        limit="100000",
    )
    for d, v in rows:
        ET.SubElement(
            root, "observation", realtime_start=TODAY, realtime_end=TODAY, date=d, value=v
        )
    return b'<?xml version="1.0" encoding="utf-8" ?>\n' + ET.tostring(root)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeFred

    def log_message(self, format: str, *args: object) -> None:
        """Silent: tests assert on :attr:`FakeFred.requests` instead."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        fault = self.fake._take(parts.path, params)
        if fault == "hang":
            self.fake._stop.wait(self.fake.hang_seconds)
            fault = None
        if fault == "reset":
            # SO_LINGER with a zero timeout makes close() send RST.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if fault is not None and fault.startswith("leak:"):
            _, code_text, where = fault.split(":")
            self._leak(int(code_text), where, params.get("api_key", ""))
            return
        if fault in ("429", "500", "503"):
            code = int(fault)
            self._send(code, _error(code, "Too Many Requests." if code == 429 else "Error."))
            return
        code, body = self.fake._answer(parts.path, params)
        if fault == "trickle":
            self._trickle(code, body)
        elif fault == "truncate":
            self._send(code, body, cut=len(body) // 2, length=len(body))
        elif fault == "garble":
            self._send(code, body, cut=len(body) // 2, length=len(body) // 2)
        else:
            self._send(code, body)

    def _leak(self, code: int, where: str, key: str) -> None:
        here = f"http://{self.headers.get('Host', '127.0.0.1')}{self.path}"  # holds api_key=<key>
        echo = f"key {key} at {here}"
        body = _error(code, f"Bad Request. {echo}" if where == "body" else "Bad Request.")
        try:
            self.send_response(code, echo if where == "reason" else None)
            self.send_header("Content-Type", "text/xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            if where == "header":
                self.send_header("X-Echo", echo)
            if where == "location":
                self.send_header("Location", here + "&again=1")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass
        self.close_connection = True

    def _trickle(self, code: int, body: bytes) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", "text/xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for byte in body[:12]:
                if self.fake._stop.wait(self.fake.trickle_seconds):
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except OSError:  # the client gave up
            pass
        self.close_connection = True

    def _send(
        self, code: int, body: bytes, cut: int | None = None, length: int | None = None
    ) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", "text/xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body if cut is None else body[:cut])
        except OSError:  # the client gave up (timeout): nothing to answer
            pass
        self.close_connection = True


_PROXY_VARS = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


@contextmanager
def serving(
    monkeypatch: Any, *, hang_seconds: float = 1.0, trickle_seconds: float = 0.5
) -> Iterator[FakeFred]:
    """A running :class:`FakeFred` that the environment points the client at.

    Clears proxy variables (the server is on 127.0.0.1) and sets
    ``FRED_API_KEY`` and ``CAUSALMACRO_FRED_URL`` through ``monkeypatch``.
    """
    for var in _PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    with FakeFred(hang_seconds=hang_seconds, trickle_seconds=trickle_seconds) as server:
        monkeypatch.setenv("FRED_API_KEY", server.api_key)
        monkeypatch.setenv("CAUSALMACRO_FRED_URL", server.url)
        yield server

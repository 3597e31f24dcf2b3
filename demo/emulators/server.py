"""One loopback HTTP server that hosts every vendor emulator, routed by path.

The real APIs' paths never collide (GA4 `/v1beta/properties/…`, Search Console
`/webmasters/v3/…`, Ahrefs `/v3/site-explorer/…`, Semrush `/analytics/v1/`), so one port
serves them all and clients only need a base URL. An emulator is any object with a `name`,
`matches(method, path)`, `handle(request) -> Response` and `error(status, message,
retry_after) -> Response` (its own error shape, used for injected faults too).

Faults are injected per service, either in-process (`inject_fault`) or over HTTP
(`POST /_emulator/faults`), so tests and a running demo can both exercise retry paths.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/_emulator/"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(
            status,
            json.dumps(payload, separators=(",", ":")).encode(),
            {"Content-Type": "application/json; charset=UTF-8", **(headers or {})},
        )

    @classmethod
    def text(cls, status: int, text: str, headers: dict[str, str] | None = None) -> Response:
        return cls(
            status, text.encode(), {"Content-Type": "text/plain; charset=UTF-8", **(headers or {})}
        )


class Emulator(Protocol):
    name: str

    def matches(self, method: str, path: str) -> bool: ...

    def handle(self, request: Request) -> Response: ...

    def error(self, status: int, message: str, retry_after: float | None = None) -> Response: ...


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: float | None


def retry_after_headers(retry_after: float | None) -> dict[str, str]:
    if retry_after is None:
        return {}
    # Retry-After is delta-seconds, an integer on the wire; round up so clients never retry early.
    return {"Retry-After": str(max(0, int(-(-retry_after // 1))))}


class EmulatorServer:
    """Serve `emulators` (default: every emulator fed from `data_dir`) on one loopback port."""

    def __init__(
        self,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        emulators: Sequence[Emulator] | None = None,
    ) -> None:
        if emulators is None:
            from demo.emulators import default_emulators

            emulators = default_emulators(Path(data_dir))
        self.data_dir = Path(data_dir)
        self.emulators = list(emulators)
        self.request_counts: dict[str, int] = defaultdict(int)
        self._faults: dict[str, list[_Fault]] = defaultdict(list)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._httpd = _HttpServer((host, port), _handler_for(self))
        bound_host, bound_port = self._httpd.server_address[:2]
        self.url = f"http://{bound_host}:{bound_port}"

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> EmulatorServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="linkokr-emulators", daemon=True
            )
            self._thread.start()
            log.info("emulators %s listening on %s", self.service_names, self.url)
        return self

    def serve_forever(self) -> None:
        log.info("emulators %s listening on %s", self.service_names, self.url)
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.close_connections()
            self._httpd.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.close_connections()
        self._httpd.server_close()
        for emulator in self.emulators:
            close = getattr(emulator, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def service_names(self) -> list[str]:
        return [emulator.name for emulator in self.emulators]

    # faults ----------------------------------------------------------------------------
    def inject_fault(
        self, service: str, status: int, count: int, retry_after: float | None = None
    ) -> None:
        """Answer the next `count` requests to `service` with `status`, after earlier faults."""
        if service not in self.service_names:
            raise ValueError(f"unknown service {service!r}; known: {self.service_names}")
        if not 400 <= status <= 599 or count < 1:
            raise ValueError("a fault needs an HTTP error status (4xx/5xx) and count >= 1")
        with self._lock:
            self._faults[service].append(_Fault(status, count, retry_after))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, service: str) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(service)
            while queue:
                fault = queue[0]
                if fault.remaining > 0:
                    fault.remaining -= 1
                    return fault
                queue.pop(0)
            return None

    # dispatch --------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)
        for emulator in self.emulators:
            if emulator.matches(request.method, request.path):
                with self._lock:
                    self.request_counts[emulator.name] += 1
                fault = self._take_fault(emulator.name)
                if fault is not None:
                    log.info("%s: injected fault %s", emulator.name, fault.status)
                    return emulator.error(fault.status, "Injected fault.", fault.retry_after)
                try:
                    return emulator.handle(request)
                except Exception:
                    log.exception(
                        "%s: emulator failed on %s %s", emulator.name, request.method, request.path
                    )
                    return emulator.error(500, "Internal error in the emulator.")
        return Response.json(404, {"error": f"no emulator serves {request.method} {request.path}"})

    def _control(self, request: Request) -> Response:
        route = request.path[len(CONTROL_PREFIX) :]
        if route == "health" and request.method == "GET":
            with self._lock:
                counts = dict(self.request_counts)
            return Response.json(
                200, {"status": "ok", "services": self.service_names, "request_counts": counts}
            )
        if route == "faults" and request.method == "DELETE":
            self.clear_faults()
            return Response.json(200, {"status": "cleared"})
        if route == "faults" and request.method == "POST":
            try:
                body = request.json()
                self.inject_fault(
                    str(body["service"]),
                    int(body["status"]),
                    int(body.get("count", 1)),
                    None if body.get("retry_after") is None else float(body["retry_after"]),
                )
            except (ValueError, KeyError, TypeError) as exc:
                return Response.json(400, {"error": str(exc)})
            return Response.json(200, {"status": "injected"})
        return Response.json(404, {"error": f"unknown control route {request.method} {route}"})


class _HttpServer(ThreadingHTTPServer):
    """Tracks keep-alive connections so stopping the server ends their threads too.

    HTTP clients (requests, httpx) keep connections open; a handler thread blocked on one
    would outlive `stop()` and keep the emulators (and their DuckDB connections) alive.
    """

    daemon_threads = False

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def track(self, connection: socket.socket, is_open: bool) -> None:
        with self._connections_lock:
            if is_open:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def _handler_for(server: EmulatorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.server.track(self.connection, True)

        def finish(self) -> None:
            self.server.track(self.connection, False)
            super().finish()

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            response = server.dispatch(request)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            # The stdlib writes one stderr line per request; keep it at debug level instead.
            log.debug("%s " + format, self.address_string(), *args)

    return Handler

"""A loopback HTTP proxy that puts the faults of a real network between a client and the emulators.

`FaultProxy(upstream_url)` listens on 127.0.0.1 and, for each request it reads, either forwards it
to the upstream (the emulators' one port) or answers with a fault:

- `google_429`: 429 with Google's JSON error body and a RetryInfo `retryDelay`
- `text_429`: 429 in plain text with `Retry-After` in seconds (what proxies and CDNs send)
- `json_429`: 429 whose JSON body is not Google's shape (`{"error": "..."}`)
- `html_503`: 503 as an HTML page with `Retry-After` as an HTTP date
- `empty_503`: 503 with an empty body
- `reset`: the connection is reset (SO_LINGER 0, then close) instead of an answer
- `stall`: nothing is sent for `stall_seconds` (longer than the client's read timeout)

Faults are drawn per request with `rates` (kind -> probability) from a seeded RNG, so a run that
sends the same requests in the same order meets the same faults. `script(...)` queues exact
faults for the next requests (of one service, with `service=`), and `fail_when(predicate, kind)`
answers every matching request with a fault (a day that keeps failing). The emulators' control
paths (`/_emulator/`) are always forwarded. `counts[(service, kind)]` says what happened,
`forwarded` included.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import random
import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

FAULT_KINDS = ("google_429", "text_429", "json_429", "html_503", "empty_503", "reset", "stall")
FORWARD = "forwarded"
# Hop-by-hop headers are the proxy's own business on each side.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}
)


@dataclass(frozen=True)
class ProxiedRequest:
    method: str
    target: str
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def service(self) -> str:
        return service_of(self.path)


def service_of(path: str) -> str:
    if path.startswith("/v1beta/"):
        return "ga4"
    if path.startswith("/webmasters/") or path == "/token":
        return "gsc"
    if path.startswith("/v3/site-explorer/"):
        return "ahrefs"
    if path.startswith("/analytics/"):
        return "semrush"
    return "other"


class FaultProxy:
    def __init__(
        self,
        upstream_url: str,
        *,
        rates: dict[str, float] | None = None,
        seed: int = 0,
        stall_seconds: float = 5.0,
    ) -> None:
        unknown = set(rates or {}) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        if sum((rates or {}).values()) > 1:
            raise ValueError("fault rates add up to more than 1")
        upstream = urlsplit(upstream_url)
        self.upstream = (upstream.hostname or "127.0.0.1", upstream.port or 80)
        self.rates = dict(rates or {})
        self.stall_seconds = stall_seconds
        self.counts: Counter[tuple[str, str]] = Counter()
        self._rng = random.Random(seed)
        self._scripts: dict[str | None, list[str]] = {}
        self._rules: list[tuple[Callable[[ProxiedRequest], bool], str]] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread: threading.Thread | None = None

    # configuration -----------------------------------------------------------------------
    def script(self, *kinds: str, service: str | None = None) -> None:
        """Answer the next requests (to `service`: ga4, gsc, ahrefs, semrush; else any) with
        these faults in order; `forwarded` passes one on."""
        for kind in kinds:
            if kind not in (*FAULT_KINDS, FORWARD):
                raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._scripts.setdefault(service, []).extend(kinds)

    def fail_when(self, predicate: Callable[[ProxiedRequest], bool], kind: str = "empty_503"):
        """Answer every request matching `predicate` with `kind`, before scripts and rates."""
        with self._lock:
            self._rules.append((predicate, kind))

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()
            self._rules.clear()
            self.rates = {}

    def faults(self, service: str | None = None) -> Counter[str]:
        """Faults answered (not forwards), per kind, for one service or all."""
        with self._lock:
            return Counter(
                {
                    kind: n
                    for (svc, kind), n in self.counts.items()
                    if kind != FORWARD and service in (None, svc)
                }
            )

    def _choose(self, request: ProxiedRequest) -> str:
        with self._lock:
            kind = FORWARD
            if not request.path.startswith("/_emulator/"):
                matched = [k for predicate, k in self._rules if predicate(request)]
                script = self._scripts.get(request.service) or self._scripts.get(None)
                if matched:
                    kind = matched[0]
                elif script:
                    kind = script.pop(0)
                elif self.rates:
                    draw, total = self._rng.random(), 0.0
                    for candidate in FAULT_KINDS:
                        total += self.rates.get(candidate, 0.0)
                        if draw < total:
                            kind = candidate
                            break
            self.counts[(request.service, kind)] += 1
            return kind

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._thread = threading.Thread(
            # A short poll interval: stopping the proxy waits for the loop's next poll.
            target=lambda: self._server.serve_forever(poll_interval=0.05),
            name="fault-proxy",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler) -> None:
        super().__init__(address, handler)
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def _handler_for(proxy: FaultProxy) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            with self.server.connections_lock:
                self.server.connections.add(sock)
            reader = sock.makefile("rb")
            upstream = http.client.HTTPConnection(*proxy.upstream, timeout=60)
            try:
                while True:
                    request = _read_request(reader)
                    if request is None:
                        return
                    proxied, headers = request
                    kind = proxy._choose(proxied)
                    if kind == "reset":
                        reader.close()
                        _reset(sock)
                        return
                    if kind == "stall":
                        _stall(sock, proxy.stall_seconds)
                        return
                    if kind == FORWARD:
                        sock.sendall(_forward(upstream, proxied, headers))
                    else:
                        sock.sendall(_fault_response(kind))
            except (OSError, http.client.HTTPException):
                return
            finally:
                upstream.close()
                with contextlib.suppress(OSError):
                    reader.close()
                with self.server.connections_lock:
                    self.server.connections.discard(sock)

    return Handler


def _read_request(reader) -> tuple[ProxiedRequest, list[tuple[str, str]]] | None:
    line = reader.readline(65537)
    if not line or not line.strip():
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    message = http.client.parse_headers(reader)
    if "chunked" in (message.get("Transfer-Encoding") or "").lower():
        raise OSError("chunked request bodies are not supported by the fault proxy")
    length = int(message.get("Content-Length") or 0)
    body = reader.read(length) if length else b""
    headers = [(k, v) for k, v in message.items() if k.lower() not in HOP_BY_HOP]
    return ProxiedRequest(method, target, body), headers


def _forward(
    upstream: http.client.HTTPConnection, request: ProxiedRequest, headers: list[tuple[str, str]]
) -> bytes:
    upstream.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
    for name, value in headers:
        if name.lower() != "content-length":
            upstream.putheader(name, value)
    upstream.putheader("Content-Length", str(len(request.body)))
    upstream.endheaders(request.body)
    response = upstream.getresponse()
    body = response.read()
    kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
    kept = [(k, v) for k, v in kept if k.lower() != "content-length"]
    return _response(response.status, response.reason, kept, body)


def _response(status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines += [f"Content-Length: {len(body)}", "Connection: keep-alive", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def _fault_response(kind: str) -> bytes:
    if kind == "google_429":
        body = {
            "error": {
                "code": 429,
                "message": "Quota exceeded for quota metric 'Requests'.",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}
                ],
            }
        }
        return _response(
            429,
            "Too Many Requests",
            [("Content-Type", "application/json; charset=UTF-8")],
            json.dumps(body).encode(),
        )
    if kind == "text_429":
        return _response(
            429,
            "Too Many Requests",
            [("Content-Type", "text/plain"), ("Retry-After", "3")],
            b"Too Many Requests\n",
        )
    if kind == "json_429":
        return _response(
            429,
            "Too Many Requests",
            [("Content-Type", "application/json")],
            b'{"error": "rate limit exceeded, slow down"}',
        )
    if kind == "html_503":
        later = email.utils.formatdate(time.time() + 4, usegmt=True)
        page = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
        return _response(
            503,
            "Service Unavailable",
            [("Content-Type", "text/html"), ("Retry-After", later)],
            page,
        )
    if kind == "empty_503":
        return _response(503, "Service Unavailable", [], b"")
    raise ValueError(kind)


def _reset(sock: socket.socket) -> None:
    # Linger 0: close sends RST instead of FIN, so the client reads ECONNRESET (errno 104).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _stall(sock: socket.socket, seconds: float) -> None:
    """Send nothing until the client gives up (closes) or `seconds` pass."""
    sock.settimeout(seconds)
    with contextlib.suppress(OSError):
        while sock.recv(65536):
            pass

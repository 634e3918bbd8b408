"""A loopback HTTP server that misbehaves on purpose, one way per path, speaking raw HTTP/1.1.

Raw sockets rather than http.server so that it can do what real servers do wrong: reset the
connection mid-body, send a gzip body cut short, promise more bytes than it sends, loop
redirects, stall. Each request is answered on its own thread.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Handler = Callable[["Request", socket.socket], None]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


def respond(
    conn: socket.socket,
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    reason: str = "OK",
) -> None:
    lines = [f"HTTP/1.1 {status} {reason}"]
    all_headers = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
    lines += [f"{k}: {v}" for k, v in all_headers.items()]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


@dataclass
class FaultServer:
    host: str = "127.0.0.1"
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    peak_in_flight: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((self.host, 0))
        self._sock.listen(256)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._sock.getsockname()[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            self.routes[path] = handler
            return handler

        return add

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        # Wake the accept() with a connection of our own.
        with contextlib.suppress(OSError):
            socket.create_connection(self._sock.getsockname(), timeout=1).close()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if self._stop.is_set():
                conn.close()
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            path = request.path.split("?")[0]
            with self._lock:
                self.hits[path] = self.hits.get(path, 0) + 1
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                handler = self.routes.get(path)
                if handler is None:
                    respond(conn, 404, b"not found", reason="Not Found")
                else:
                    handler(request, conn)
            except OSError:
                pass  # the client gave up: that is what some tests are about
            finally:
                with self._lock:
                    self.in_flight -= 1


def _read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(method, path, headers)


# -- ready-made misbehaviours -----------------------------------------------------------------


def slow(seconds: float, body: bytes, headers: dict[str, str] | None = None) -> Handler:
    def handler(request: Request, conn: socket.socket) -> None:
        time.sleep(seconds)
        respond(conn, 200, body, headers)

    return handler


def reset_mid_body(body: bytes) -> Handler:
    def handler(request: Request, conn: socket.socket) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        conn.sendall(head.encode() + body[: len(body) // 2])
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    return handler


def truncated_gzip(body: bytes) -> Handler:
    packed = gzip.compress(body)[: len(gzip.compress(body)) // 2]

    def handler(request: Request, conn: socket.socket) -> None:
        respond(conn, 200, packed, {"Content-Encoding": "gzip"})

    return handler


def redirect_loop(request: Request, conn: socket.socket) -> None:
    respond(conn, 302, b"", {"Location": request.path}, reason="Found")


# A trickle: one byte every GAP seconds, well inside any per-read timeout, for up to LONGEST
# seconds (so the server's thread ends even if a client never gives up).
TRICKLE_GAP = 0.05
TRICKLE_LONGEST = 60.0


def _trickle(conn: socket.socket, data: bytes) -> None:
    ends = time.monotonic() + TRICKLE_LONGEST
    for byte in data:
        if time.monotonic() > ends:
            return
        conn.sendall(bytes([byte]))
        time.sleep(TRICKLE_GAP)


def trickle_headers(request: Request, conn: socket.socket) -> None:
    """The status line and headers one byte at a time, never ending."""
    _trickle(conn, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 100_000)


def trickle_body(request: Request, conn: socket.socket) -> None:
    """Headers at once, then a body promised large and sent one byte at a time."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n")
    _trickle(conn, b"<rss>" + b"x" * 99_995)


def trickle_chunked(request: Request, conn: socket.socket) -> None:
    """Chunked encoding, each chunk a single byte, trickled."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    _trickle(conn, b"1\r\nx\r\n" * 20_000)


def encoded(body: bytes, encoding: str) -> Handler:
    """`body` as it is (already packed by the test) under the Content-Encoding given."""

    def handler(request: Request, conn: socket.socket) -> None:
        respond(conn, 200, body, {"Content-Encoding": encoding})

    return handler

"""A local fake of a Teams Workflows incoming webhook ("Post to a channel when a webhook request
is received"), speaking real HTTP on loopback.

    with FakeTeams() as fake:
        notifier = TeamsNotifier(fake.webhook_url, Words("sv"), RetryPolicy(sleep=waits.append))

It answers the way the webhook does where the digest depends on it:

* a POST to the workflow's path with the right `sig` -> 202 Accepted, empty body, with an
  `x-ms-workflow-run-id` header (Workflows webhooks answer 202, not the legacy connectors'
  200 "1": shoutrrr#900, robusta#2113, notify-microsoft-teams#98). Each accepted card is
  recorded.
* a body that is not `{"type": "message", "attachments": [...]}` with each attachment of
  contentType application/vnd.microsoft.card.adaptive and content an AdaptiveCard of version
  1.4 or lower -> 400 with `{"error": {"code": "InvalidRequestContent", ...}}`.
* a body too large -> 413 `{"error": {"code": "MessageSizeExceeded", ...}}`. The limit is
  28,672 bytes (28 KiB) of what Teams stores, which is the request plus an envelope: a real
  Workflows webhook accepted a 24,453-byte body and the flow then failed with "Actual message
  properties size: 28897 bytes, whereas max allowed size is 28672 bytes" (msteams-docs#11274).
  The real webhook answers 202 and fails later, out of sight; the fake refuses at once, so a
  test sees what a real channel would silently lose. `envelope` (default 4,500) is that
  overhead.
* a wrong `sig` -> 401 DirectApiAuthorizationRequired (what Power Automate answers a request
  without its signature: ericferon/glpi-webhook#51); any other path -> 404 (a deleted flow).

Faults, consumed in order: `fail_next("ratelimited", times, retry_after)` (429 with
Retry-After), `fail_next("server_error", times)` (500), `fail_next("drop")` (the connection
closed unanswered, nothing recorded), `fail_next("drop_answer")` (the card taken and recorded,
then the connection closed before the answer: Teams' answer lost after it accepted),
`fail_next(404)` or any status; `fail_from(k, status)`
fails every request from the k-th (1-based, counting every attempt) on.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

WORKFLOW_PATH = "/workflows/0f1e2d3c4b5a69788796a5b4c3d2e1f0/triggers/manual/paths/invoke"
SIGNATURE = "s3cr3t-SIG-do-not-log"
MAX_MESSAGE = 28_672
ENVELOPE = 4_500
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_VERSION = (1, 4)


@dataclass(frozen=True)
class Card:
    """One accepted attachment's card, with the body it came in."""

    card: dict[str, Any]
    body_bytes: int

    @property
    def texts(self) -> list[str]:
        """Every TextBlock's text, in order."""
        return list(_texts(self.card.get("body", [])))


@dataclass
class _Failure:
    status: int | str  # an HTTP status, "drop" or "drop_answer"
    retry_after: int | None = None


class FakeTeams:
    def __init__(
        self, *, envelope: int = ENVELOPE, max_message: int = MAX_MESSAGE, keep_alive: bool = False
    ) -> None:
        self.keep_alive = keep_alive  # HTTP/1.1: a connection stays open after its answer
        self.envelope = envelope
        self.max_message = max_message
        self._lock = threading.Lock()
        self._cards: list[Card] = []
        self._refused: list[tuple[int, str]] = []
        self._queue: list[_Failure] = []
        self._from: tuple[int, _Failure] | None = None
        self._requests = 0
        self._runs = 0
        self._bugs: list[BaseException] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> FakeTeams:
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if exc_type is None and self._bugs:
            raise RuntimeError(f"the fake failed answering: {self._bugs[0]!r}") from self._bugs[0]

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeTeams is not running: use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def webhook_url(self) -> str:
        """Shaped like a Power Automate trigger URL, whose `sig` is its secret."""
        return (
            f"{self.base_url}{WORKFLOW_PATH}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun"
            f"&sv=1.0&sig={SIGNATURE}"
        )

    # -- what arrived -----------------------------------------------------------------------

    @property
    def cards(self) -> list[Card]:
        with self._lock:
            return list(self._cards)

    @property
    def refused(self) -> list[tuple[int, str]]:
        """(status, error code) of each request refused for what it sent (not injected)."""
        with self._lock:
            return list(self._refused)

    @property
    def requests(self) -> int:
        """Every request that reached the fake, failed or not."""
        with self._lock:
            return self._requests

    # -- faults ---------------------------------------------------------------------------

    def fail_next(self, status: int | str, times: int = 1, retry_after: int | None = None) -> None:
        """The next `times` requests fail: "ratelimited" (429), "server_error" (500), "drop"
        (connection closed unanswered), "drop_answer" (taken, then closed unanswered) or any
        HTTP status."""
        failure = _Failure(_status(status), retry_after)
        with self._lock:
            self._queue.extend([failure] * times)

    def fail_from(self, k: int, status: int | str = "server_error") -> None:
        """Every request from the k-th (counting every attempt since the start) on fails."""
        with self._lock:
            self._from = (k, _Failure(_status(status)))

    def recover(self) -> None:
        """The service is back: no failure injected from now on."""
        with self._lock:
            self._from = None
            self._queue.clear()

    # -- serving ----------------------------------------------------------------------------

    def _handle(self, request: _Handler) -> None:
        try:
            length = int(request.headers.get("Content-Length") or 0)
            body = request.rfile.read(length) if length else b""
            failure = self._count_and_take_failure()
            if failure is not None and failure.status == "drop":
                _reset(request)
                return
            if failure is not None and failure.status == "drop_answer":
                self._answer(request.path, body)
                _reset(request)
                return
            if failure is not None:
                status = int(failure.status)
                headers = {}
                if failure.retry_after is not None:
                    headers["Retry-After"] = str(failure.retry_after)
                _send(request, status, _error(status, "Injected"), headers)
                return
            status, answer, headers = self._answer(request.path, body)
            _send(request, status, answer, headers)
        except (ConnectionError, TimeoutError):
            pass
        except Exception as exc:  # a bug in the fake: answer, and raise on exit
            with self._lock:
                self._bugs.append(exc)
            _send(request, 500, b"fake_teams_bug", {})

    def _count_and_take_failure(self) -> _Failure | None:
        with self._lock:
            self._requests += 1
            if self._from is not None and self._requests >= self._from[0]:
                return self._from[1]
            return self._queue.pop(0) if self._queue else None

    def _answer(self, path: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        url = urlsplit(path)
        if url.path != WORKFLOW_PATH:
            return 404, _error(404, "WorkflowNotFound"), {}
        if parse_qs(url.query).get("sig") != [SIGNATURE]:
            return 401, _error(401, "DirectApiAuthorizationRequired"), {}
        if len(body) + self.envelope > self.max_message:
            return self._refuse(413, "MessageSizeExceeded")
        try:
            message = json.loads(body)
        except ValueError:
            return self._refuse(400, "InvalidRequestContent")
        cards = _cards(message)
        if cards is None:
            return self._refuse(400, "InvalidRequestContent")
        with self._lock:
            self._cards.extend(Card(card, len(body)) for card in cards)
            self._runs += 1
            run = f"0858{self._runs:016d}"
        return 202, b"", {"x-ms-workflow-run-id": run}

    def _refuse(self, status: int, code: str) -> tuple[int, bytes, dict[str, str]]:
        with self._lock:
            self._refused.append((status, code))
        return status, _error(status, code), {}


def _cards(message: Any) -> list[dict[str, Any]] | None:
    """The cards of a well-formed message, or None."""
    if not isinstance(message, dict) or message.get("type") != "message":
        return None
    attachments = message.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return None
    cards = []
    for attachment in attachments:
        if not isinstance(attachment, dict) or attachment.get("contentType") != CONTENT_TYPE:
            return None
        card = attachment.get("content")
        if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
            return None
        if not isinstance(card.get("body"), list) or _version(card.get("version")) is None:
            return None
        cards.append(card)
    return cards


def _version(value: Any) -> tuple[int, int] | None:
    try:
        major, minor = (int(part) for part in str(value).split("."))
    except ValueError:
        return None
    return (major, minor) if (major, minor) <= MAX_VERSION else None


def _texts(value: Any) -> Any:
    if isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        if value.get("type") == "TextBlock" and isinstance(value.get("text"), str):
            yield value["text"]
        for key, item in value.items():
            if key != "text":
                yield from _texts(item)


def _status(status: int | str) -> int | str:
    named = {"ratelimited": 429, "server_error": 500, "drop": "drop", "drop_answer": "drop_answer"}
    if isinstance(status, str) and status not in named:
        raise ValueError(f"not a failure kind: {status!r}")
    return named.get(status, status) if isinstance(status, str) else status


def _error(status: int, code: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": f"HTTP {status}"}}).encode()


def _send(request: _Handler, status: int, body: bytes, headers: dict[str, str]) -> None:
    request.send_response(status)
    request.send_header("Content-Type", "application/json; charset=utf-8")
    request.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(body)


def _reset(request: _Handler) -> None:
    """Close the connection with a TCP RST, answering nothing."""
    request.close_connection = True
    sock = request.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.rfile.close()
    sock.close()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _KeepAliveHandler(_Handler):
    protocol_version = "HTTP/1.1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeTeams) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _KeepAliveHandler if fake.keep_alive else _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # reset connections end here

"""A local fake of Slack's Socket Mode WebSocket, on 127.0.0.1, for `monitor serve`'s listener.

    with FakeSocketMode() as socket, FakeSlack(app_tokens={"xapp-…"}, socket_url=socket.url):
        ...  # the listener connects: apps.connections.open answers socket.url
        envelope_id = socket.click(value, user_id="U0ANNA", channel="C0001", message=card)
        socket.wait_for_ack(envelope_id)

A real WebSocket server (the `websockets` library): slack-sdk's builtin client speaks the
protocol itself, so it needs a real peer. On connecting it sends `hello` as Slack does; each
`click` sends an `interactive` envelope with a `block_actions` payload shaped as Slack's docs
show it (docs.slack.dev/apis/events-api/using-socket-mode, .../reference/interaction-payloads/
block_actions-payload): envelope_id, type, accepts_response_payload, payload with type, user,
api_app_id, container (message_ts, channel_id, thread_ts), channel, message, actions
[{action_id, block_id, type "overflow", selected_option {text, value}, action_ts}]. Every
message the client sends back is recorded; an ack is `{"envelope_id": ...}`.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class FakeSocketMode:
    def __init__(self, app_id: str = "A0EUBEV", team_id: str = "T000") -> None:
        self.app_id = app_id
        self.team_id = team_id
        self._lock = threading.Condition()
        self._connection: ServerConnection | None = None
        self._received: list[dict[str, Any]] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FakeSocketMode:
        self._server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None, "use FakeSocketMode as a context manager"
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=fake-ticket&app_id={self.app_id}"

    @property
    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._received)

    def _session(self, connection: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        connection.send(json.dumps(hello))
        with self._lock:
            self._connection = connection
            self._lock.notify_all()
        try:
            for raw in connection:
                with self._lock:
                    self._received.append(json.loads(raw))
                    self._lock.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if self._connection is connection:
                    self._connection = None

    def wait_connected(self, timeout: float = 10) -> None:
        with self._lock:
            if not self._lock.wait_for(lambda: self._connection is not None, timeout):
                raise AssertionError("no Socket Mode client connected")

    def click(
        self,
        value: str,
        *,
        user_id: str,
        user_name: str,
        channel: str,
        message: dict[str, Any],
        action_id: str,
        text: str = "",
    ) -> str:
        """Send a click on an overflow option of `message` (a posted message: ts, thread_ts,
        text, blocks); returns the envelope's id."""
        self.wait_connected()
        envelope_id = str(uuid.uuid4())
        container = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        }
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        payload = {
            "type": "block_actions",
            "user": {
                "id": user_id,
                "username": user_name,
                "name": user_name,
                "team_id": self.team_id,
            },
            "api_app_id": self.app_id,
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": "1234567890.123456789.fake",
            "team": {"id": self.team_id, "domain": "eu-bevakning-fake"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "eu-bevakning"},
            "message": {"type": "message", "user": "U0BOT", **message},
            "state": {"values": {}},
            "response_url": "https://hooks.slack.com/actions/T000/1/fake",
            "actions": [
                {
                    "type": "overflow",
                    "action_id": action_id,
                    "block_id": "card",
                    "selected_option": {
                        "text": {"type": "plain_text", "text": text or value, "emoji": True},
                        "value": value,
                    },
                    "action_ts": "1732435300.000100",
                }
            ],
        }
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": "interactive",
            "accepts_response_payload": False,
        }
        with self._lock:
            connection = self._connection
        assert connection is not None
        connection.send(json.dumps(envelope))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        def ack() -> dict[str, Any] | None:
            return next((m for m in self._received if m.get("envelope_id") == envelope_id), None)

        with self._lock:
            if not self._lock.wait_for(lambda: ack() is not None, timeout):
                raise AssertionError(f"envelope {envelope_id} was not acknowledged")
            found = ack()
        assert found is not None
        return found

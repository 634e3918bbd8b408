"""A local fake of Slack's Web API and incoming webhooks, speaking real HTTP on loopback.

Point slack-sdk at it and it answers the way Slack does where the digest depends on it:

    with FakeSlack(tokens={"xoxb-test"}, channels={"#eu-bevakning": "C0001"}) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        hook = WebhookClient(fake.webhook_url)

Web API (`POST /api/<method>`): `chat.postMessage`, `auth.test`, `conversations.list`,
`users.info` (the `users` given), `apps.connections.open` (with one of `app_tokens`, it
answers `socket_url`: a helpers.fake_socket_mode server's `ws://127.0.0.1:PORT/...`; a bot
token gets `not_allowed_token_type`, as Slack answers), `conversations.history` and
`conversations.replies`; any other method answers `unknown_method`. A post's `metadata`
(Slack's message metadata: `event_type`, `event_payload`) is kept, and the two reads return it
on each message only when asked with `include_all_metadata`, newest first for the history
(top-level messages only), the parent then its replies oldest first for
`conversations.replies`, as Slack answers them. Bodies are taken as JSON (what WebClient sends for
chat.postMessage: `api_call("chat.postMessage", json=kwargs)` in slack_sdk/web/client.py) or
form-encoded (what `api_call(..., params=...)` sends, with `blocks` as a JSON string). The
token is read from `Authorization: Bearer ...`, or from a `token` form field; as Slack
documents, a `token` inside a JSON body does not count. Errors are HTTP 200 with
`{"ok": false, "error": ...}`, except injected rate limits (429) and server errors (500/503).

Where each answer comes from (errors as Slack returns them, not only as documented):

* more than 50 blocks -> `invalid_blocks` with
  `errors: ["no more than 50 items allowed [json-pointer:/blocks]"]`, as chat.postMessage
  answered in github.com/ryanrosello-og/playwright-slack-report/issues/180. There is no
  `too_many_blocks` error; docs.slack.dev/reference/block-kit/blocks: "You can include up to
  50 blocks in each message".
* section text over 3000 -> `invalid_blocks` with "failed to match all allowed schemas
  [json-pointer:/blocks/0/text]" and "must be less than 3001 characters
  [json-pointer:/blocks/0/text/text]", the real answer quoted in a report of the error
  (brainxx.org/blog/fixing-slack-api-error-message). Header text over 150 (docs.slack.dev
  header-block: "Maximum length for the text in this field is 150 characters") and section
  fields (at most 10, each at most 2000) fail the same way.
* total block text too long -> `msg_blocks_too_long`. Undocumented: github.com/slackapi/
  bolt-js/issues/2509 measured it between about 13,170 and 13,300 characters and a Slack
  engineer described it as "12,000 text characters with a buffer for block containers"
  (quoted in bolt-js#2867). `max_blocks_text_chars` (default 12,000) is a conservative
  stand-in: every string under a "text" key in the blocks counts.
* `text` over `max_text_chars` (40,000) -> `msg_too_long`. Slack's docs list the error
  ("Message text is too long") but also say longer texts are truncated; the fake refuses.
* neither text, blocks nor attachments -> `no_text`.
* `thread_ts` that is not of the form 123.456 -> `invalid_thread_ts` (Slack answers
  "[ERROR] 0 is not a valid thread_ts", github.com/jenkinsci/slack-plugin/issues/584); one
  that names no top-level message of that channel -> `thread_not_found`. Real Slack is
  laxer here (it has accepted unknown thread_ts and hidden the reply), the fake is strict.

Incoming webhook (`POST /services/T000/B000/XXXX`): JSON body, answers plain text `ok` or an
error code with the status Slack uses (api.slack.com/changelog/2016-05-17-changes-to-errors-
for-incoming-webhooks): `invalid_payload` 400, `invalid_blocks` 400 (github.com/sourcegraph/
sourcegraph-public-snapshot/issues/49979: 'non-200 response 400 ... with body
"invalid_blocks"'), `missing_text_or_fallback_or_attachments` 400 for a payload with no
text (the answer most reports show; some older ones show `no_text`), `action_prohibited`
403, `channel_not_found` 404, `channel_is_archived` 410, `rollup_error` 500, and
`no_service` 404 for any other /services/ path. `thread_ts` is not honoured on webhooks:
the post is recorded top-level (the payload keeps what was sent).
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

WEBHOOK_PATH = "/services/T000/B000/XXXX"
WEBHOOK = "webhook"  # the method name webhook posts are counted and injected under

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BLOCK_ID = 255
MAX_ACTION_ID = 255
MIN_OPTIONS, MAX_OPTIONS = 2, 5  # an overflow menu's options
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
KNOWN_BLOCK_TYPES = frozenset({"header", "section", "context", "divider", "actions", "rich_text"})
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})

# Webhook errors: the status Slack answers each with (the body is the code as plain text).
WEBHOOK_STATUS = {
    "invalid_payload": 400,
    "user_not_found": 400,
    "no_text": 400,
    "missing_text_or_fallback_or_attachments": 400,
    "invalid_blocks": 400,
    "invalid_blocks_format": 400,
    "msg_too_long": 400,
    "msg_blocks_too_long": 400,
    "invalid_token": 403,
    "action_prohibited": 403,
    "no_service": 404,
    "no_team": 404,
    "channel_not_found": 404,
    "channel_is_archived": 410,
    "rollup_error": 500,
}
# Injected kinds that mean something else on a webhook than their own name.
WEBHOOK_KIND = {"invalid_auth": "invalid_token", "server_error": "rollup_error"}

_TS = re.compile(r"^\d+\.\d+$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Message:
    """One accepted post, by chat.postMessage (via="api") or the incoming webhook."""

    channel: str  # the channel id, e.g. "C0001"
    ts: str
    thread_ts: str | None  # the parent's ts for a reply, None for a top-level message
    text: str | None
    blocks: list[Any] | None
    payload: dict[str, Any]  # the request's parameters as received (blocks maybe a string)
    via: str = "api"
    metadata: dict[str, Any] | None = None  # message metadata, as posted

    @property
    def texts(self) -> list[str]:
        """The message's text followed by every text found in its blocks."""
        found = [self.text] if self.text else []
        found.extend(block_texts(self.blocks or []))
        return found


@dataclass
class _Failure:
    kind: str
    retry_after: int | None = None
    method: str | None = None  # None: the next request of any method

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlackBug(RuntimeError):
    """The fake itself raised while answering; it answered HTTP 500 fake_slack_bug."""


class FakeSlack:
    """Slack's Web API and an incoming webhook on 127.0.0.1, with recording and faults.

    tokens: the tokens that authenticate. channels: name -> id of channels the bot is in
    (names with or without '#'). not_member: name -> id of channels it is not in (posting
    there gives not_in_channel). webhook_channel: name or id the webhook posts to (default
    the first of `channels`). max_blocks_text_chars: msg_blocks_too_long threshold (a stand-in,
    see the module docstring). max_text_chars: msg_too_long threshold. start_ts: the seconds
    part of the first ts; each post gets the previous ts plus 0.0001.
    """

    def __init__(
        self,
        *,
        tokens: Iterable[str] = ("xoxb-test",),
        channels: Mapping[str, str] | None = None,
        not_member: Mapping[str, str] | None = None,
        webhook_channel: str | None = None,
        max_blocks_text_chars: int = 12_000,
        max_text_chars: int = 40_000,
        start_ts: int = 1_732_435_200,
        team_id: str = "T000",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        app_tokens: Iterable[str] = (),
        users: Mapping[str, Mapping[str, Any]] | None = None,
        socket_url: str | None = None,
    ) -> None:
        self.tokens = frozenset(tokens)
        self.app_tokens = frozenset(app_tokens)
        self.users = {uid: dict(user) for uid, user in (users or {}).items()}
        self.socket_url = socket_url
        if channels is None:
            channels = {"#eu-bevakning": "C0001"}
        self.channels = {_bare(k): v for k, v in channels.items()}
        self.not_member = {_bare(k): v for k, v in (not_member or {}).items()}
        self.max_blocks_text_chars = max_blocks_text_chars
        self.max_text_chars = max_text_chars
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self._start_ts = start_ts
        hook = webhook_channel if webhook_channel is not None else next(iter(self.channels), None)
        resolved = self._resolve(hook) if hook is not None else None
        if resolved is None or not resolved[1]:
            raise ValueError(f"webhook_channel {hook!r} is not a channel the bot is in")
        self.webhook_channel = resolved[0]

        self._lock = threading.Lock()
        self._posts = threading.Condition(self._lock)
        self._released = threading.Event()
        self._messages: list[Message] = []
        self._calls: Counter[str] = Counter()
        self._queue: list[_Failure] = []
        self._on_call: dict[tuple[str, int], _Failure] = {}
        self._posted = 0
        self._bugs: list[BaseException] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            raise RuntimeError("FakeSlack is already running")
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._released.set()  # no handler may hang on past the server
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.stop()
        if exc_type is None and self._bugs:
            raise FakeSlackBug(f"the fake failed answering: {self._bugs[0]!r}") from self._bugs[0]

    # -- addresses ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not running: use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """For WebClient(base_url=...): "http://127.0.0.1:PORT/api/"."""
        return self.base_url + "/api/"

    @property
    def webhook_url(self) -> str:
        return self.base_url + WEBHOOK_PATH

    # -- what was posted ------------------------------------------------------------------

    @property
    def messages(self) -> list[Message]:
        """Every accepted post, API and webhook, in the order they were accepted (a copy)."""
        with self._lock:
            return list(self._messages)

    @property
    def webhook_posts(self) -> list[Message]:
        return [m for m in self.messages if m.via == WEBHOOK]

    @property
    def calls(self) -> dict[str, int]:
        """Attempted requests per method ("chat.postMessage", ..., "webhook"), failed or not."""
        with self._lock:
            return dict(self._calls)

    def call_count(self, method: str = "chat.postMessage") -> int:
        with self._lock:
            return self._calls[method]

    def wait_for_messages(self, count: int, timeout: float = 10) -> list[Message]:
        """Every accepted post once there are at least `count` (a click's answer comes from
        another thread); fewer after `timeout` seconds is a test failure, not a wait."""
        with self._posts:
            if not self._posts.wait_for(lambda: len(self._messages) >= count, timeout):
                raise AssertionError(f"{len(self._messages)} posts, not {count}")
            return list(self._messages)

    def channel_id(self, channel: str) -> str:
        """The id of a known channel given by name (with or without '#') or id."""
        resolved = self._resolve(channel)
        if resolved is None:
            raise KeyError(channel)
        return resolved[0]

    def top_level(self, channel: str) -> list[Message]:
        cid = self.channel_id(channel)
        return [m for m in self.messages if m.channel == cid and m.thread_ts is None]

    def replies(self, channel: str, thread_ts: str) -> list[Message]:
        cid = self.channel_id(channel)
        return [m for m in self.messages if m.channel == cid and m.thread_ts == thread_ts]

    def all_text(self) -> str:
        """Every message text and every block text of every post, one per line."""
        return "\n".join(text for m in self.messages for text in m.texts)

    # -- faults ---------------------------------------------------------------------------

    def fail_next(
        self,
        kind: str,
        times: int = 1,
        retry_after: int | None = None,
        method: str | None = None,
    ) -> None:
        """Make the next `times` requests fail; queued failures are consumed in order.

        kind: "ratelimited" (429, with `Retry-After: retry_after` unless None), "server_error"
        (500), "service_unavailable" (503), "connection_reset" (socket closed unanswered),
        "drop_answer" (the request is served as usual, a post is kept, then the socket is
        closed before the answer: the answer lost after Slack accepted),
        "hang" (no answer and nothing posted until `release()`, then reset), or
        any Slack error code, e.g. "invalid_auth", "channel_not_found", "not_in_channel"
        (answered HTTP 200 {"ok": false, "error": kind}; on the webhook as plain text with the
        status in WEBHOOK_STATUS, else 400). method: only requests of that method
        ("chat.postMessage", "auth.test", "webhook", ...) take it; None: any request.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        failure = self._failure(kind, retry_after, method)
        with self._lock:
            self._queue.extend([failure] * times)

    def fail_on_call(
        self,
        n: int,
        kind: str,
        method: str = "chat.postMessage",
        retry_after: int | None = None,
    ) -> None:
        """Fail the n-th (1-based) attempted request of `method`, counting every attempt since
        the start, retries included. Takes precedence over fail_next for that request."""
        if n < 1:
            raise ValueError("n counts from 1")
        failure = self._failure(kind, retry_after, method)
        with self._lock:
            self._on_call[(method, n)] = failure

    def release(self) -> None:
        """Let requests held by a "hang" failure end (their connections are reset)."""
        self._released.set()

    def pending_failures(self) -> int:
        with self._lock:
            return len(self._queue) + len(self._on_call)

    def reset(self) -> None:
        """Forget messages, counts and pending failures (the server keeps running)."""
        with self._lock:
            self._messages.clear()
            self._calls.clear()
            self._queue.clear()
            self._on_call.clear()
            self._bugs.clear()

    @staticmethod
    def _failure(kind: str, retry_after: int | None, method: str | None) -> _Failure:
        if not _KIND.match(kind):
            raise ValueError(f"not a failure kind or Slack error code: {kind!r}")
        if retry_after is not None and retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        return _Failure(kind, retry_after, method)

    # -- serving --------------------------------------------------------------------------

    def _handle(self, request: _Handler) -> None:
        try:
            url = urlsplit(request.path)
            length = int(request.headers.get("Content-Length") or 0)
            body = request.rfile.read(length) if length else b""
            if url.path.startswith("/api/"):
                method = url.path[len("/api/") :]
            elif url.path == WEBHOOK_PATH:
                method = WEBHOOK
            elif url.path.startswith("/services/"):
                _send(request, _text(404, "no_service"))
                return
            else:
                _send(request, _text(404, "Not Found"))
                return
            failure = self._count_and_take_failure(method)
            if failure is not None and failure.kind == "connection_reset":
                _reset(request)
                return
            if failure is not None and failure.kind == "drop_answer":
                if method == WEBHOOK:
                    self._webhook(request, body)
                else:
                    self._api(method, request, url.query, body)
                _reset(request)
                return
            if failure is not None and failure.kind == "hang":
                # Slack never answers (and never posts) until released: the client can be
                # killed while it waits, as a process killed mid-send would be.
                self._released.wait(timeout=60)
                _reset(request)
                return
            if method == WEBHOOK:
                answer = self._webhook_failure(failure) if failure else self._webhook(request, body)
            else:
                answer = (
                    self._api_failure(failure)
                    if failure
                    else self._api(method, request, url.query, body)
                )
            _send(request, answer)
        except (ConnectionError, TimeoutError):
            pass  # the client went away
        except Exception as exc:  # a bug in the fake: answer, and raise on exit
            with self._lock:
                self._bugs.append(exc)
            _send(request, _json(500, {"ok": False, "error": "fake_slack_bug"}))

    def _count_and_take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            self._calls[method] += 1
            failure = self._on_call.pop((method, self._calls[method]), None)
            if failure is not None:
                return failure
            for i, queued in enumerate(self._queue):
                if queued.method is None or queued.method == method:
                    return self._queue.pop(i)
        return None

    def _api_failure(self, failure: _Failure) -> _Answer:
        if failure.kind == "ratelimited":
            return _json(429, {"ok": False, "error": "ratelimited"}, failure.headers())
        if failure.kind == "server_error":
            return _json(500, {"ok": False, "error": "internal_error"})
        if failure.kind == "service_unavailable":
            return _json(503, {"ok": False, "error": "service_unavailable"})
        return _error(failure.kind)

    def _webhook_failure(self, failure: _Failure) -> _Answer:
        if failure.kind == "ratelimited":
            return _text(429, "rate_limited", failure.headers())
        if failure.kind == "service_unavailable":
            return _text(503, "service_unavailable")
        code = WEBHOOK_KIND.get(failure.kind, failure.kind)
        return _text(WEBHOOK_STATUS.get(code, 400), code)

    # -- the Web API ----------------------------------------------------------------------

    def _api(self, method: str, request: _Handler, query: str, body: bytes) -> _Answer:
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        token: str | None = None
        if body:
            if content_type == "application/json":
                try:
                    decoded = json.loads(body)
                except ValueError:
                    return _error("invalid_json")
                if not isinstance(decoded, dict):
                    return _error("invalid_json")
                params.update(decoded)
                params.pop("token", None)  # Slack takes no token from a JSON body
            elif content_type == "application/x-www-form-urlencoded":
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            else:
                return _error("invalid_post_type")
        if "token" in params:
            token = str(params["token"])
        auth = request.headers.get("Authorization") or ""
        if auth.startswith("Bearer "):
            token = auth[len("Bearer ") :].strip()
        if method == "chat.postMessage":
            return self._post_message(params, token)
        if method == "auth.test":
            return self._auth_test(token)
        if method == "conversations.list":
            return self._conversations_list(token)
        if method == "users.info":
            return self._users_info(params, token)
        if method == "apps.connections.open":
            return self._connections_open(token)
        if method in ("conversations.history", "conversations.replies"):
            return self._read(method, params, token)
        return _error("unknown_method")

    def _users_info(self, params: dict[str, Any], token: str | None) -> _Answer:
        if (denied := self._auth_error(token)) is not None:
            return denied
        user = self.users.get(str(params.get("user", "")))
        if user is None:
            return _error("user_not_found")
        return _json(200, {"ok": True, "user": {"id": params["user"], **user}})

    def _connections_open(self, token: str | None) -> _Answer:
        if not token:
            return _error("not_authed")
        if token in self.tokens:
            return _error("not_allowed_token_type")
        if token not in self.app_tokens:
            return _error("invalid_auth")
        if self.socket_url is None:
            return _error("internal_error")
        return _json(200, {"ok": True, "url": self.socket_url})

    def _auth_error(self, token: str | None) -> _Answer | None:
        if not token:
            return _error("not_authed")
        if token not in self.tokens:
            return _error("invalid_auth")
        return None

    def _auth_test(self, token: str | None) -> _Answer:
        if (denied := self._auth_error(token)) is not None:
            return denied
        return _json(
            200,
            {
                "ok": True,
                "url": "https://eu-bevakning-fake.slack.com/",
                "team": "EU-bevakning (fake)",
                "user": "eu-bevakning",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
                "is_enterprise_install": False,
            },
        )

    def _conversations_list(self, token: str | None) -> _Answer:
        if (denied := self._auth_error(token)) is not None:
            return denied
        channels = []
        for members, is_member in ((self.channels, True), (self.not_member, False)):
            for name, cid in members.items():
                channels.append(
                    {
                        "id": cid,
                        "name": name,
                        "is_channel": True,
                        "is_private": False,
                        "is_archived": False,
                        "is_member": is_member,
                    }
                )
        return _json(
            200, {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}
        )

    def _read(self, method: str, params: dict[str, Any], token: str | None) -> _Answer:
        """conversations.history (top-level, newest first) or .replies (parent, then replies)."""
        if (denied := self._auth_error(token)) is not None:
            return denied
        channel = params.get("channel")
        resolved = self._resolve(str(channel)) if channel else None
        if resolved is None:
            return _error("channel_not_found")
        channel_id, is_member = resolved
        if not is_member:
            return _error("not_in_channel")
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            mine = [m for m in self._messages if m.channel == channel_id]
        if method == "conversations.history":
            found = [m for m in reversed(mine) if m.thread_ts is None][:limit]
        else:
            ts = str(params.get("ts") or "")
            parents = [m for m in mine if m.ts == ts and m.thread_ts is None]
            if not parents:
                return _error("thread_not_found")
            found = (parents + [m for m in mine if m.thread_ts == ts])[:limit]
        messages = []
        for m in found:
            shown: dict[str, Any] = {"type": "message", "ts": m.ts, "text": m.text or ""}
            if m.thread_ts is not None:
                shown["thread_ts"] = m.thread_ts
            if with_metadata and m.metadata is not None:
                shown["metadata"] = m.metadata
            messages.append(shown)
        return _json(200, {"ok": True, "messages": messages, "has_more": False})

    def _post_message(self, params: dict[str, Any], token: str | None) -> _Answer:
        if (denied := self._auth_error(token)) is not None:
            return denied
        content = self._check_content(params)
        if isinstance(content, _Answer):
            return content
        text, blocks = content
        channel = params.get("channel")
        resolved = self._resolve(str(channel)) if channel else None
        if resolved is None:
            return _error("channel_not_found")
        channel_id, is_member = resolved
        if not is_member:
            return _error("not_in_channel")
        metadata = params.get("metadata")
        if isinstance(metadata, str) and metadata:
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return _error("invalid_metadata_format")
        if metadata is not None and not (
            isinstance(metadata, dict)
            and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict)
        ):
            return _error("invalid_metadata_schema")
        thread_ts = params.get("thread_ts")
        thread_ts = str(thread_ts) if thread_ts not in (None, "") else None
        with self._lock:
            if thread_ts is not None:
                if not _TS.match(thread_ts):
                    return _error(
                        "invalid_thread_ts", [f"{thread_ts} is not a valid thread_ts"], prefix=True
                    )
                parents = {
                    m.ts for m in self._messages if m.channel == channel_id and m.thread_ts is None
                }
                if thread_ts not in parents:
                    return _error("thread_not_found")
            ts = self._next_ts()
            self._messages.append(
                Message(channel_id, ts, thread_ts, text, blocks, params, metadata=metadata)
            )
            self._posts.notify_all()
        message: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": text or "",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "ts": ts,
        }
        if blocks:
            message["blocks"] = blocks
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
            message["parent_user_id"] = self.bot_user_id
        return _json(200, {"ok": True, "channel": channel_id, "ts": ts, "message": message})

    def _check_content(self, params: Mapping[str, Any]) -> tuple[str | None, list[Any]] | _Answer:
        """(text, blocks) of a message, or the error Slack gives for them."""
        raw_text = params.get("text")
        text = None if raw_text is None else str(raw_text)
        blocks: list[Any] = []
        raw_blocks = params.get("blocks")
        if isinstance(raw_blocks, str) and raw_blocks.strip():
            try:
                raw_blocks = json.loads(raw_blocks)
            except ValueError:
                return _error("invalid_blocks_format")
        if raw_blocks not in (None, ""):
            if not isinstance(raw_blocks, list):
                return _error("invalid_blocks_format")
            blocks = raw_blocks
        if not text and not blocks and not params.get("attachments"):
            return _error("no_text")
        problems = validate_blocks(blocks)
        if problems:
            return _error("invalid_blocks", problems, prefix=True)
        if text is not None and len(text) > self.max_text_chars:
            return _error("msg_too_long")
        if sum(len(t) for t in block_texts(blocks)) > self.max_blocks_text_chars:
            return _error("msg_blocks_too_long")
        return text, blocks

    # -- the incoming webhook -------------------------------------------------------------

    def _webhook(self, request: _Handler, body: bytes) -> _Answer:
        content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if content_type == "application/x-www-form-urlencoded":
                payload = json.loads(dict(parse_qsl(body.decode("utf-8")))["payload"])
            else:
                payload = json.loads(body)
        except (ValueError, KeyError):
            return _text(400, "invalid_payload")
        if not isinstance(payload, dict):
            return _text(400, "invalid_payload")
        content = self._check_content(payload)
        if isinstance(content, _Answer):
            code = json.loads(content.body)["error"]
            if code == "no_text":
                code = "missing_text_or_fallback_or_attachments"
            return _text(WEBHOOK_STATUS.get(code, 400), code)
        text, blocks = content
        with self._lock:
            ts = self._next_ts()
            self._messages.append(
                Message(self.webhook_channel, ts, None, text, blocks, payload, via=WEBHOOK)
            )
        return _text(200, "ok")

    # -- helpers --------------------------------------------------------------------------

    def _resolve(self, channel: str) -> tuple[str, bool] | None:
        """(id, bot is a member) for a channel name (with or without '#') or id."""
        for members, is_member in ((self.channels, True), (self.not_member, False)):
            if _bare(channel) in members:
                return members[_bare(channel)], is_member
            if channel in members.values():
                return channel, is_member
        return None

    def _next_ts(self) -> str:
        """Called with the lock held."""
        self._posted += 1
        micros = self._start_ts * 1_000_000 + self._posted * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


# -- block validation -----------------------------------------------------------------------


def validate_blocks(blocks: list[Any]) -> list[str]:
    """Slack-style error strings for a message's blocks; empty when they are valid."""
    problems: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]")
    for i, block in enumerate(blocks):
        problems.extend(_check_block(block, f"/blocks/{i}"))
    return problems


def _check_block(block: Any, at: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"expected object [json-pointer:{at}]"]
    kind = block.get("type")
    if kind is None:
        return [f"missing required field: type [json-pointer:{at}]"]
    if kind not in KNOWN_BLOCK_TYPES:
        return [f"unsupported type: {kind} [json-pointer:{at}/type]"]
    problems: list[str] = []
    block_id = block.get("block_id")
    if isinstance(block_id, str) and len(block_id) > MAX_BLOCK_ID:
        problems.append(_too_long(MAX_BLOCK_ID, f"{at}/block_id"))
    if kind == "header":
        if "text" not in block:
            problems.append(f"missing required field: text [json-pointer:{at}]")
        else:
            problems.extend(
                _check_text(block["text"], f"{at}/text", MAX_HEADER_TEXT, types={"plain_text"})
            )
    elif kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"must provide either text or fields [json-pointer:{at}]")
        if "text" in block:
            problems.extend(_check_text(block["text"], f"{at}/text", MAX_SECTION_TEXT))
        if "accessory" in block:
            problems.extend(_check_accessory(block["accessory"], f"{at}/accessory"))
        if "fields" in block:
            problems.extend(_check_list(block["fields"], f"{at}/fields", MAX_FIELDS))
            for j, item in enumerate(block["fields"] if isinstance(block["fields"], list) else []):
                problems.extend(_check_text(item, f"{at}/fields/{j}", MAX_FIELD_TEXT))
    elif kind == "context":
        elements = block.get("elements")
        problems.extend(_check_list(elements, f"{at}/elements", MAX_CONTEXT_ELEMENTS, at))
        for j, element in enumerate(elements if isinstance(elements, list) else []):
            where = f"{at}/elements/{j}"
            if isinstance(element, dict) and element.get("type") == "image":
                continue
            problems.extend(_check_text(element, where, None))
    elif kind == "actions":
        problems.extend(
            _check_list(block.get("elements"), f"{at}/elements", MAX_ACTIONS_ELEMENTS, at)
        )
    elif kind == "rich_text":
        problems.extend(_check_list(block.get("elements"), f"{at}/elements", None, at))
    return problems


def _check_accessory(element: Any, at: str) -> list[str]:
    """A section's accessory; only the overflow menu is checked in depth (docs.slack.dev,
    overflow menu element: 2 to 5 options; option objects: text at most 75, value at most 150
    characters; action_id at most 255)."""
    if not isinstance(element, dict):
        return [f"expected object [json-pointer:{at}]"]
    if element.get("type") != "overflow":
        return (
            []
            if element.get("type") in ("button", "image")
            else [f"unsupported type [json-pointer:{at}/type]"]
        )
    problems = []
    action_id = element.get("action_id")
    if isinstance(action_id, str) and len(action_id) > MAX_ACTION_ID:
        problems.append(_too_long(MAX_ACTION_ID, f"{at}/action_id"))
    options = element.get("options")
    if not isinstance(options, list) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        return [
            *problems,
            f"must contain {MIN_OPTIONS} to {MAX_OPTIONS} items [json-pointer:{at}/options]",
        ]
    for j, option in enumerate(options):
        where = f"{at}/options/{j}"
        if not isinstance(option, dict):
            problems.append(f"expected object [json-pointer:{where}]")
            continue
        problems.extend(
            _check_text(option.get("text"), f"{where}/text", MAX_OPTION_TEXT, types={"plain_text"})
        )
        shown = option.get("value")
        if not isinstance(shown, str) or not shown:
            problems.append(f"missing required field: value [json-pointer:{where}]")
        elif len(shown) > MAX_OPTION_VALUE:
            problems.append(_too_long(MAX_OPTION_VALUE, f"{where}/value"))
    return problems


def _check_list(value: Any, at: str, most: int | None, parent: str | None = None) -> list[str]:
    if value is None and parent is not None:
        return [f"missing required field: {at.rsplit('/', 1)[1]} [json-pointer:{parent}]"]
    if not isinstance(value, list):
        return [f"expected array [json-pointer:{at}]"]
    if not value:
        return [f"must contain at least 1 item [json-pointer:{at}]"]
    if most is not None and len(value) > most:
        return [f"no more than {most} items allowed [json-pointer:{at}]"]
    return []


def _check_text(
    obj: Any, at: str, most: int | None, types: Iterable[str] = TEXT_TYPES
) -> list[str]:
    """A text object: {"type": "plain_text"|"mrkdwn", "text": "..."}."""
    allowed = set(types)
    if not isinstance(obj, dict):
        return [f"expected object [json-pointer:{at}]"]
    problems = []
    if "type" not in obj:
        problems.append(f"missing required field: type [json-pointer:{at}]")
    elif obj["type"] not in allowed:
        problems.append(f"must be one of {sorted(allowed)} [json-pointer:{at}/type]")
    if "text" not in obj:
        problems.append(f"missing required field: text [json-pointer:{at}]")
    elif not isinstance(obj["text"], str):
        problems.append(f"expected string [json-pointer:{at}/text]")
    elif not obj["text"]:
        problems.append(f"must be more than 0 characters [json-pointer:{at}/text]")
    elif most is not None and len(obj["text"]) > most:
        if len(allowed) > 1:
            problems.append(f"failed to match all allowed schemas [json-pointer:{at}]")
        problems.append(_too_long(most, f"{at}/text"))
    return problems


def _too_long(most: int, at: str) -> str:
    return f"must be less than {most + 1} characters [json-pointer:{at}]"


def block_texts(value: Any) -> Iterator[str]:
    """Every string under a "text" key, anywhere in the blocks, in order."""
    if isinstance(value, list):
        for item in value:
            yield from block_texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from block_texts(item)


# -- HTTP -----------------------------------------------------------------------------------


def _bare(name: str) -> str:
    return name[1:] if name.startswith("#") else name


def _json(status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> _Answer:
    return _Answer(
        status, json.dumps(data).encode("utf-8"), "application/json; charset=utf-8", headers or {}
    )


def _error(code: str, messages: list[str] | None = None, *, prefix: bool = False) -> _Answer:
    """HTTP 200 {"ok": false, "error": code}, with Slack's errors/response_metadata if given."""
    data: dict[str, Any] = {"ok": False, "error": code}
    if messages:
        if code == "invalid_blocks":
            data["errors"] = messages
        data["response_metadata"] = {
            "messages": [f"[ERROR] {m}" if prefix else m for m in messages]
        }
    return _json(200, data)


def _text(status: int, body: str, headers: dict[str, str] | None = None) -> _Answer:
    return _Answer(status, body.encode("utf-8"), "text/html", headers or {})


def _send(request: _Handler, answer: _Answer) -> None:
    request.send_response(answer.status)
    request.send_header("Content-Type", answer.content_type)
    request.send_header("Content-Length", str(len(answer.body)))
    for name, value in answer.headers.items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(answer.body)


def _reset(request: _Handler) -> None:
    """Close the connection with a TCP RST, sending nothing back."""
    request.close_connection = True
    sock = request.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.rfile.close()  # it holds a reference to the socket; the close must be real
    sock.close()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of parallel clients must not wait for SYN retries

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # only the socket-level trouble of reset connections gets here

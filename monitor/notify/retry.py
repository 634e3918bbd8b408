"""How a notifier's send is retried: which failures, how often, and how long to wait in between.

`USUAL` is the policy of every send handed none (`monitor digest --send`, `monitor serve`):
three retries a message, really waiting; each notifier looks it up when it is made, so a test
puts one here that retries without waiting. For Slack:

Every notifier waits through `RetryPolicy.wait`: a server's Retry-After, cut to the fetcher's
`MAX_RETRY_AFTER` (`Retry-After: 86400` must not make a send, or `monitor serve`, sleep a day),
else slack-sdk's exponential back-off; each plus up to a second of jitter. The waiting is done by
the policy's `sleep`, so a caller (a test) can retry without waiting. For Slack:

slack-sdk's built-in retry handlers wait with `time.sleep` inside the library. These are the same
handlers with the same waits, made through the policy.

A post is not idempotent: slack-sdk's connection-error handler would send `chat.postMessage`
again after a connection dropped once Slack had taken the message, and post it twice. So a
post's handlers (`post_handlers`) retry only what Slack surely did not take: a rate limit, a
connection that was never made, and (for a webhook, which cannot look anything up) a 5xx
answer. A bot's poster looks up whether a message arrived before posting it again
(notify/slack.py); reads (`handlers`) are retried for every failure.
"""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.error import URLError

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from monitor.fetch import MAX_RETRY_AFTER

Sleep = Callable[[float], None]
BACKOFF = 0.5  # seconds before the first retry without a Retry-After (slack-sdk's), doubled after


@dataclass(frozen=True)
class RetryPolicy:
    """Up to `retries` retries of one request, whatever failed (slack-sdk counts a request's
    attempts once for all its handlers), waiting through `sleep`."""

    retries: int = 3
    sleep: Sleep = time.sleep

    def handlers(self) -> list[RetryHandler]:
        """Fresh handlers for a slack-sdk client whose requests may be repeated (reads)."""
        return [
            _RateLimited(self),
            _ConnectionFailed(self),
            _ServerFailed(self),
        ]

    def post_handlers(self, *, server_errors: bool) -> list[RetryHandler]:
        """Fresh handlers for a client that posts: only failures after which Slack surely has
        not taken the message (and 5xx answers when `server_errors`)."""
        handlers: list[RetryHandler] = [
            _RateLimited(self),
            _NeverConnected(self),
        ]
        if server_errors:
            handlers.append(_ServerFailed(self))
        return handlers

    def wait(self, attempt: int, retry_after: float | None = None) -> float:
        """Wait before the `attempt`-th retry (from 0) and return the seconds waited: what the
        server asked (`retry_after`, cut to MAX_RETRY_AFTER) or else slack-sdk's back-off (0.5 s
        doubled per attempt), plus up to a second, so clients told the same do not return at
        once. The one wait of every notifier's retries (Slack, Teams, e-mail)."""
        if retry_after is None:
            seconds = BACKOFF * 2**attempt
        else:
            seconds = min(max(retry_after, 0.0), MAX_RETRY_AFTER)
        seconds += random.random()
        self.sleep(seconds)
        return seconds


USUAL = RetryPolicy()


def usual() -> RetryPolicy:
    """The policy of a send handed none, looked up now (a test may have replaced it)."""
    return USUAL


def slack_retry_after(response: HttpResponse | None) -> float:
    """Slack's Retry-After in seconds, as slack-sdk reads it: 1 s when Slack gives none or an
    unreadable one."""
    seconds = 1
    headers = response.headers if response is not None else {}
    for name, values in headers.items():
        value = str(values[0] if isinstance(values, list) and values else values).strip()
        if name.lower() == "retry-after" and value.isdigit():
            seconds = int(value)
    return float(seconds)


class _BackOff:
    """slack-sdk's RetryHandler.prepare_for_next_attempt, waiting through the policy."""

    policy: RetryPolicy

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        self.policy.wait(state.current_attempt)
        state.increment_current_attempt()


class _ConnectionFailed(_BackOff, ConnectionErrorRetryHandler):
    def __init__(self, policy: RetryPolicy) -> None:
        super().__init__(max_retry_count=policy.retries)
        self.policy = policy


class _NeverConnected(_ConnectionFailed):
    """A connection refused, or a name that did not resolve: nothing reached Slack."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return never_connected(error)


def never_connected(error: BaseException | None) -> bool:
    """Whether a request failed before reaching the server: refused, or its name unresolved."""
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


class _ServerFailed(_BackOff, ServerErrorRetryHandler):
    def __init__(self, policy: RetryPolicy) -> None:
        super().__init__(max_retry_count=policy.retries)
        self.policy = policy


class _RateLimited(RateLimitErrorRetryHandler):
    def __init__(self, policy: RetryPolicy) -> None:
        super().__init__(max_retry_count=policy.retries)
        self.policy = policy

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        self.policy.wait(state.current_attempt, slack_retry_after(response))
        state.increment_current_attempt()

"""How a notifier's send is retried: which failures, how often, and how long to wait in between.

`USUAL` is the policy of every send handed none (`monitor digest --send`, `monitor serve`):
three retries a message, really waiting; each notifier looks it up when it is made, so a test
puts one here that retries without waiting. For Slack:

slack-sdk's built-in retry handlers wait with `time.sleep` inside the library. These are the same
handlers with the same waits (Retry-After plus up to a second of jitter for a rate limit;
exponential back-off with jitter for 5xx answers and dropped connections), but the waiting is
done by the policy's `sleep`, so a caller (a test) can retry without waiting. A Retry-After is
cut to the fetcher's `MAX_RETRY_AFTER`, as Teams cuts it: `Retry-After: 86400` must not make a
send (or `monitor serve`) sleep a day.

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
from slack_sdk.http_retry.handler import RetryHandler, default_interval_calculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from monitor.fetch import MAX_RETRY_AFTER

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Up to `retries` retries of one request, whatever failed (slack-sdk counts a request's
    attempts once for all its handlers), waiting through `sleep`."""

    retries: int = 3
    sleep: Sleep = time.sleep

    def handlers(self) -> list[RetryHandler]:
        """Fresh handlers for a slack-sdk client whose requests may be repeated (reads)."""
        return [
            _RateLimited(self.sleep, max_retry_count=self.retries),
            _ConnectionFailed(self.sleep, max_retry_count=self.retries),
            _ServerFailed(self.sleep, max_retry_count=self.retries),
        ]

    def post_handlers(self, *, server_errors: bool) -> list[RetryHandler]:
        """Fresh handlers for a client that posts: only failures after which Slack surely has
        not taken the message (and 5xx answers when `server_errors`)."""
        handlers: list[RetryHandler] = [
            _RateLimited(self.sleep, max_retry_count=self.retries),
            _NeverConnected(self.sleep, max_retry_count=self.retries),
        ]
        if server_errors:
            handlers.append(_ServerFailed(self.sleep, max_retry_count=self.retries))
        return handlers

    def back_off(self, attempt: int) -> None:
        """Wait before the `attempt`-th retry (from 0) as slack-sdk's handlers would."""
        self.sleep(default_interval_calculator.calculate_sleep_duration(attempt))


USUAL = RetryPolicy()


def usual() -> RetryPolicy:
    """The policy of a send handed none, looked up now (a test may have replaced it)."""
    return USUAL


def rate_limit_wait(response: HttpResponse | None) -> float:
    """Seconds to wait after a 429, as slack-sdk waits: Retry-After (1 s when Slack gives none or
    an unreadable one; at most MAX_RETRY_AFTER) plus up to a second, so clients asked at once
    do not return at once."""
    seconds = 1
    headers = response.headers if response is not None else {}
    for name, values in headers.items():
        value = str(values[0] if isinstance(values, list) and values else values).strip()
        if name.lower() == "retry-after" and value.isdigit():
            seconds = int(value)
    return min(seconds, MAX_RETRY_AFTER) + random.random()


class _BackOff:
    """slack-sdk's RetryHandler.prepare_for_next_attempt, waiting through the policy's sleep."""

    sleep: Sleep
    interval_calculator: RetryIntervalCalculator  # set by RetryHandler.__init__

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        self.sleep(self.interval_calculator.calculate_sleep_duration(state.current_attempt))
        state.increment_current_attempt()


class _ConnectionFailed(_BackOff, ConnectionErrorRetryHandler):
    def __init__(self, sleep: Sleep, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep


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
    def __init__(self, sleep: Sleep, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep


class _RateLimited(RateLimitErrorRetryHandler):
    def __init__(self, sleep: Sleep, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        self.sleep(rate_limit_wait(response))
        state.increment_current_attempt()

"""How a notifier's send is retried: which failures, how often, and how long to wait in between.

`USUAL` is the policy of every send handed none (`monitor digest --send`, `monitor serve`):
three retries a message, really waiting; each notifier looks it up when it is made, so a test
puts one here that retries without waiting. For Slack:

slack-sdk's built-in retry handlers wait with `time.sleep` inside the library. These are the same
handlers with the same waits (Retry-After plus up to a second of jitter for a rate limit;
exponential back-off with jitter for 5xx answers and dropped connections), but the waiting is
done by the policy's `sleep`, so a caller (a test) can retry without waiting.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Up to `retries` retries of one request, whatever failed (slack-sdk counts a request's
    attempts once for all its handlers), waiting through `sleep`."""

    retries: int = 3
    sleep: Sleep = time.sleep

    def handlers(self) -> list[RetryHandler]:
        """Fresh handlers for one slack-sdk client (WebClient or WebhookClient)."""
        return [
            _RateLimited(self.sleep, max_retry_count=self.retries),
            _ConnectionFailed(self.sleep, max_retry_count=self.retries),
            _ServerFailed(self.sleep, max_retry_count=self.retries),
        ]


USUAL = RetryPolicy()


def usual() -> RetryPolicy:
    """The policy of a send handed none, looked up now (a test may have replaced it)."""
    return USUAL


def rate_limit_wait(response: HttpResponse | None) -> float:
    """Seconds to wait after a 429, as slack-sdk waits: Retry-After (1 s when Slack gives none or
    an unreadable one) plus up to a second, so clients asked at once do not return at once."""
    seconds = 1
    headers = response.headers if response is not None else {}
    for name, values in headers.items():
        value = str(values[0] if isinstance(values, list) and values else values).strip()
        if name.lower() == "retry-after" and value.isdigit():
            seconds = int(value)
    return seconds + random.random()


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

"""The one HTTP client factory, and requests with retries that end in one plain FetchError.

Retried: connection errors, timeouts, 429 and 5xx, with exponential backoff that honours
`Retry-After`. Not retried: other 4xx, which will not get better by asking again.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from monitor.errors import FetchError

if TYPE_CHECKING:  # config imports the source registry, which imports this module
    from monitor.config import Settings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is cut to this so one run cannot hang


def make_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The client every source shares: explicit timeouts, our User-Agent, bounded redirects."""
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent},
        timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 15.0)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        transport=transport,
    )


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            after = retry_after_seconds(response.headers.get("Retry-After"))
            if after is not None:
                return min(after, MAX_RETRY_AFTER)
        backoff = self.base_delay * (2**attempt)
        return min(self.max_delay, backoff * (0.75 + random.random() / 2))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _retryable(response: httpx.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


async def request(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    policy: RetryPolicy,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request, retrying what may pass; return a 2xx/3xx response or raise FetchError."""
    host = urlsplit(url).hostname or url
    attempts = policy.retries + 1
    for attempt in range(attempts):
        response: httpx.Response | None = None
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.TooManyRedirects as exc:
            raise FetchError(f"too many redirects (more than {MAX_REDIRECTS}) from {host}") from exc
        except httpx.TimeoutException as exc:
            problem = f"{host} did not answer in time ({type(exc).__name__})"
        except httpx.TransportError as exc:
            problem = f"could not connect to {host} ({type(exc).__name__}: {exc or 'no details'})"
        else:
            if response.is_success or response.status_code == 304:
                return response
            problem = f"HTTP {response.status_code} {response.reason_phrase} from {host}"
            if not _retryable(response):
                raise FetchError(problem, status=response.status_code)
        if attempt + 1 < attempts:
            delay = policy.delay(attempt, response)
            log.info("%s; retrying in %.1f s", problem, delay)
            await asyncio.sleep(delay)
    status = response.status_code if response is not None else None
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    raise FetchError(problem + tries, status=status)

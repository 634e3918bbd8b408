"""The one HTTP client factory, and a polite fetcher whose failures end in one plain FetchError.

Polite: at most `concurrency` requests in flight overall, at most `per_host` to one host, and
request starts to one host spaced by `host_delay`. Careful: explicit timeouts, a cap on the body
size (checked while streaming, so a huge body is never held whole), bounded redirects.
Retried: connection errors, timeouts, bodies cut off mid-way, 429 and 5xx, with exponential
backoff that honours `Retry-After`. Not retried: other 4xx, which will not get better by asking
again. Conditional GET: pass the validators of the last answer; a 304 comes back as is.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from monitor.clock import Clock
from monitor.errors import FetchError
from monitor.models import Politeness, Validators

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
        # Only gzip: it is the encoding we unpack and check ourselves (see _gunzip_capped).
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip"},
        timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 15.0)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        transport=transport,
        # Our own limits below decide concurrency; the pool must not be the bottleneck.
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=50),
    )


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempt: int, headers: httpx.Headers | None) -> float:
        if headers is not None:
            after = retry_after_seconds(headers.get("Retry-After"), Clock.machine_now())
            if after is not None:
                return min(after, MAX_RETRY_AFTER)
        backoff = self.base_delay * (2**attempt)
        return min(self.max_delay, backoff * (0.75 + random.random() / 2))


@dataclass(frozen=True)
class Fetched:
    """An answer whose body has been read (within the size cap)."""

    url: str  # after redirects
    status: int
    reason: str
    headers: httpx.Headers
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def validators(self) -> Validators:
        return Validators(self.headers.get("ETag"), self.headers.get("Last-Modified"))

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset the HTTP header declares, if any (the document may declare its own)."""
        for part in self.headers.get("Content-Type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.strip().lower() == "charset" and value.strip("\"' "):
                return value.strip("\"' ")
        return None

    def json(self) -> Any:
        return json.loads(self.content)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After is either seconds or an HTTP date (compared with `now`, the machine's time:
    the server's clock is real, never pinned)."""
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
    return max(0.0, (when - now).total_seconds())


class _HostGate:
    def __init__(self, per_host: int) -> None:
        self.slots = asyncio.Semaphore(per_host)
        self.lock = asyncio.Lock()
        self.next_start = 0.0


class Fetcher:
    """Sends requests for every source of a run, within the politeness limits."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        policy: RetryPolicy | None = None,
        politeness: Politeness | None = None,
    ) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()
        self.politeness = politeness or Politeness()
        self._slots = asyncio.Semaphore(self.politeness.concurrency)
        self._hosts: dict[str, _HostGate] = {}
        self.in_flight = 0
        self.peak_in_flight = 0
        self.bytes_received = 0

    async def request(self, method: str, url: str, **kwargs: Any) -> Fetched:
        """A 2xx or 304 answer with its body read, or FetchError saying why not."""
        host = urlsplit(url).hostname or url
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            response: Fetched | None = None
            try:
                response = await self._send_once(host, method, url, **kwargs)
            except httpx.TooManyRedirects as exc:
                raise FetchError(
                    f"too many redirects (more than {MAX_REDIRECTS}) from {host}"
                ) from exc
            except httpx.TimeoutException as exc:
                problem = f"{host} did not answer in time ({type(exc).__name__})"
            except httpx.DecodingError as exc:
                problem = f"the answer from {host} was cut off or badly compressed ({exc})"
            except httpx.TransportError as exc:
                problem = (
                    f"could not connect to {host} ({type(exc).__name__}: {exc or 'no details'})"
                )
            else:
                if 200 <= response.status < 300 or response.not_modified:
                    return response
                problem = f"HTTP {response.status} {response.reason} from {host}"
                if not (response.status == 429 or response.status >= 500):
                    raise FetchError(problem, status=response.status)
            if attempt + 1 < attempts:
                delay = self.policy.delay(attempt, response.headers if response else None)
                log.info("%s; retrying in %.1f s", problem, delay)
                await asyncio.sleep(delay)
        status = response.status if response is not None else None
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        raise FetchError(problem + tries, status=status)

    async def _send_once(self, host: str, method: str, url: str, **kwargs: Any) -> Fetched:
        gate = self._hosts.setdefault(host, _HostGate(self.politeness.per_host))
        # The host's own slot and spacing first, a global slot last: a request waiting for its
        # host must not hold one of the few global slots other hosts could use meanwhile.
        async with gate.slots:
            async with gate.lock:
                wait = gate.next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                gate.next_start = time.monotonic() + self.politeness.host_delay
            async with self._slots:
                return await self._counted(method, url, **kwargs)

    async def _counted(self, method: str, url: str, **kwargs: Any) -> Fetched:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return await self._read_capped(method, url, **kwargs)
        finally:
            self.in_flight -= 1

    async def _read_capped(self, method: str, url: str, **kwargs: Any) -> Fetched:
        cap = self.politeness.max_bytes
        async with self.client.stream(method, url, **kwargs) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(_too_big(url, cap), status=response.status_code)
            if response.headers.get("Content-Encoding", "").strip().lower() in ("gzip", "x-gzip"):
                body = await _gunzip_capped(response, url, cap)
            else:
                body = await _read_plain_capped(response, url, cap)
        self.bytes_received += len(body)
        return Fetched(
            url=str(response.url),
            status=response.status_code,
            reason=response.reason_phrase,
            headers=response.headers,
            content=body,
        )


async def _read_plain_capped(response: httpx.Response, url: str, cap: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise FetchError(_too_big(url, cap), status=response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


async def _gunzip_capped(response: httpx.Response, url: str, cap: int) -> bytes:
    """Decompress ourselves: httpx accepts a gzip stream cut short as complete, and a small
    compressed body can unpack to gigabytes, so unpack in bounded steps and check the end."""
    unpack = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)
    chunks: list[bytes] = []
    size = 0
    try:
        async for raw in response.aiter_raw():
            data = raw
            while data:
                piece = unpack.decompress(data, cap + 1 - size)
                size += len(piece)
                if size > cap:
                    raise FetchError(_too_big(url, cap), status=response.status_code)
                chunks.append(piece)
                data = unpack.unconsumed_tail
    except zlib.error as exc:
        raise httpx.DecodingError(f"invalid gzip data: {exc}") from exc
    if not unpack.eof:
        raise httpx.DecodingError("the gzip data ends before its end mark")
    return b"".join(chunks)


def _too_big(url: str, cap: int) -> str:
    host = urlsplit(url).hostname or url
    return f"the answer from {host} is larger than {cap / 1_000_000:g} MB (settings.max_bytes)"

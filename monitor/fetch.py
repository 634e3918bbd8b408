"""The one HTTP client factory, and a polite fetcher whose failures end in one plain FetchError.

Polite: at most `per_host` requests in flight to one host, request starts to one host spaced by
`host_delay`, and (only if set) at most `concurrency` in flight overall. Careful: one deadline
for each whole exchange (connect, headers and body: `timeout` alone bounds each read, so a
server trickling a byte a second would hold a source for ever), a cap on the body size (checked
while streaming, and every content-encoding layer unpacked in bounded steps by our own code, so
a huge or bombed body is never held whole), bounded redirects, only http(s) to public addresses
unless allowed (`addresses.py`, on every redirect hop too).
Retried: connection errors, per-read timeouts, bodies cut off mid-way, 429 and 5xx, with
exponential backoff that honours `Retry-After`. Not retried: other 4xx, which will not get
better by asking again, and an answer over the deadline (it would trickle again). Conditional
GET: pass the validators of the last answer; a 304 comes back as is."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from monitor.addresses import checked_transport, guard_hooks
from monitor.clock import Clock
from monitor.errors import FetchError
from monitor.fetch_words import said
from monitor.models import Politeness, Validators

if TYPE_CHECKING:  # config imports the source registry, which imports this module
    from monitor.config import Settings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is cut to this so one run cannot hang
MAX_ENCODINGS = 2  # content-encoding layers unpacked; "gzip, gzip" is rare, more is an attack
UNPACK_STEP = 64 * 1024  # bytes one unpacking step may produce: what is held beyond the cap


# TLS contexts being made ahead of a run (prepare_tls), each with the list it is put in.
_prepared: list[tuple[threading.Thread, list[ssl.SSLContext]]] = []


def prepare_tls() -> None:
    """Start making the TLS context of the coming run in a thread: loading the CA bundle
    takes 20-80 ms, which OpenSSL spends without holding Python's lock, so it is ready
    while the command reads its config and rules, instead of before the first request."""
    made: list[ssl.SSLContext] = []
    thread = threading.Thread(target=lambda: made.append(httpx.create_ssl_context()), daemon=True)
    thread.start()
    _prepared.append((thread, made))


def tls_context() -> ssl.SSLContext:
    """The context prepare_tls made (waiting for it if need be), else a new one."""
    while _prepared:
        thread, made = _prepared.pop()
        thread.join()
        if made:
            return made[0]
    return httpx.create_ssl_context()  # none prepared, or it failed: its error, raised here


def make_client(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    connections: int | None = None,
    tls: ssl.SSLContext | None = None,
) -> httpx.AsyncClient:
    """The client every source shares: explicit timeouts, our User-Agent, bounded redirects,
    and (unless `allow_private`) only public addresses, checked on every hop. `connections`
    sizes its pool (one host's: per_host); by default it is as wide as `concurrency`. `tls`:
    a context made once for many clients (loading the CA bundle takes tens of milliseconds)."""
    verify: ssl.SSLContext | bool = tls if tls is not None else True
    limits = pool_limits(connections or settings.concurrency)
    if transport is None and not settings.allow_private:
        # connect to the address that was checked, never to the name again (DNS rebinding)
        transport = checked_transport(verify=verify, limits=limits)
    return httpx.AsyncClient(
        verify=verify,
        # Only gzip: it is the encoding we unpack and check ourselves (see _unpack_capped).
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip"},
        timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 15.0)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        transport=transport,
        event_hooks=guard_hooks(settings.allow_private),
        limits=limits,
    )


def pool_limits(concurrency: int | None) -> httpx.Limits:
    """The connection pool as wide as the Fetcher's own limits: it must never be the bottleneck,
    and every connection may be kept for the host's next request (per_host bounds how many one
    host gets; an unset `concurrency` leaves the pool unbounded, as the Fetcher is)."""
    return httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)


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
    """Sends requests for every source of a run, within the politeness limits.

    With `host_client`, each host's requests go through a client of its own, made on the
    host's first request: httpcore's pool looks through all its connections for every request
    it places, so one pool for hundreds of hosts spent more time choosing a connection than the
    hosts took to answer (800 feeds on 80 hosts: 40 s for a 2.5 s fetch). Close with aclose()."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        policy: RetryPolicy | None = None,
        politeness: Politeness | None = None,
        host_client: Callable[[], httpx.AsyncClient] | None = None,
    ) -> None:
        self.client = client
        self._host_client = host_client
        self._clients: dict[str, httpx.AsyncClient] = {}
        self.policy = policy or RetryPolicy()
        self.politeness = politeness or Politeness()
        limit = self.politeness.concurrency
        self._slots = asyncio.Semaphore(limit) if limit is not None else None
        self._hosts: dict[str, _HostGate] = {}
        self.in_flight = 0
        self.peak_in_flight = 0
        self.bytes_received = 0
        self.bytes_unpacked = 0  # produced by unpacking content encodings, every layer

    async def aclose(self) -> None:
        """Close the hosts' own clients (the shared one belongs to its maker)."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _client(self, host: str) -> httpx.AsyncClient:
        if self._host_client is None:
            return self.client
        client = self._clients.get(host)
        if client is None:
            client = self._clients[host] = self._host_client()
        return client

    async def request(self, method: str, url: str, **kwargs: Any) -> Fetched:
        """A 2xx or 304 answer with its body read, or FetchError saying why not."""
        host = urlsplit(url).hostname or url
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            response: Fetched | None = None
            try:
                response = await self._send_once(host, method, url, **kwargs)
            except _Overdue as exc:
                seconds = self.politeness.timeout
                raise FetchError(said("overdue", host=host, seconds=seconds)) from exc
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                # A javascript: link or a broken redirect: no retry will make it a web address.
                raise FetchError(said("not_web_address", url=url, detail=exc)) from exc
            except httpx.TooManyRedirects as exc:
                raise FetchError(said("redirects", limit=MAX_REDIRECTS, host=host)) from exc
            except httpx.TimeoutException as exc:
                problem = said("timeout", host=host, detail=type(exc).__name__)
            except httpx.DecodingError as exc:
                problem = said("cut_off", host=host, detail=exc)
            except httpx.TransportError as exc:
                detail = f"{type(exc).__name__}: {exc or said('no_details')}"
                problem = said("connect", host=host, detail=detail)
            else:
                if response.not_modified and not _conditional(kwargs.get("headers")):
                    # Taken as "unchanged", it would leave the source ok with nothing, for ever.
                    raise FetchError(said("not_modified", host=host), status=304)
                if 200 <= response.status < 300 or response.not_modified:
                    return response
                problem = said("http", status=response.status, reason=response.reason, host=host)
                if not (response.status == 429 or response.status >= 500):
                    raise FetchError(problem, status=response.status)
            if attempt + 1 < attempts:
                delay = self.policy.delay(attempt, response.headers if response else None)
                log.info("%s; retrying in %.1f s", problem, delay)
                await asyncio.sleep(delay)
        status = response.status if response is not None else None
        tries = said("attempts", n=attempts) if attempts > 1 else ""
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
            if self._slots is None:
                return await self._counted(host, method, url, **kwargs)
            async with self._slots:
                return await self._counted(host, method, url, **kwargs)

    async def _counted(self, host: str, method: str, url: str, **kwargs: Any) -> Fetched:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            # The whole exchange, not each read: httpx's timeout restarts with every byte.
            async with asyncio.timeout(self.politeness.timeout) as deadline:
                return await self._read_capped(self._client(host), method, url, **kwargs)
        except TimeoutError as exc:
            if deadline.expired():
                raise _Overdue from exc
            raise
        finally:
            self.in_flight -= 1

    async def _read_capped(
        self, client: httpx.AsyncClient, method: str, url: str, **kwargs: Any
    ) -> Fetched:
        cap = self.politeness.max_bytes
        async with client.stream(method, url, **kwargs) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(_too_big(url, cap), status=response.status_code)
            # An in-process transport (tests' emulators) hands over an answer made from bytes,
            # which httpx has read and decoded already: only its size is left to check.
            made = response.is_stream_consumed
            layers = [] if made else _encodings(response, url)
            unpacker = _Unpacker(layers, url, cap, response.status_code)
            try:
                if made:
                    unpacker.feed(response.content)
                else:  # aiter_raw: httpx decodes nothing; every layer goes through _Unpacker
                    async for raw in response.aiter_raw():
                        unpacker.feed(raw)
                body = unpacker.finish()
            finally:
                self.bytes_unpacked += unpacker.produced
        self.bytes_received += len(body)
        return Fetched(
            url=str(response.url),
            status=response.status_code,
            reason=response.reason_phrase,
            headers=response.headers,
            content=body,
        )


class _Overdue(Exception):
    """One exchange passed settings.timeout (the deadline, not a single read)."""


def _encodings(response: httpx.Response, url: str) -> list[str]:
    """The content-encoding layers to undo, outermost (applied last) first."""
    header = response.headers.get("Content-Encoding", "")
    applied = [part.strip().lower() for part in header.split(",")]
    layers = [name for name in reversed(applied) if name and name != "identity"]
    host = urlsplit(url).hostname or url
    unknown = [name for name in layers if name not in ("gzip", "x-gzip", "deflate")]
    if unknown:
        raise FetchError(said("encoded", host=host, name=unknown[0]), status=response.status_code)
    if len(layers) > MAX_ENCODINGS:
        raise FetchError(
            said("layers", host=host, n=len(layers), header=header, limit=MAX_ENCODINGS),
            status=response.status_code,
        )
    return layers


class _Layer:
    """One gzip or deflate layer, unpacked in steps of at most UNPACK_STEP bytes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._unpack: Any = None  # made on the first bytes: deflate may be zlib or raw
        self.produced = 0

    def steps(self, data: bytes) -> Iterator[bytes]:
        if self._unpack is None:
            self._unpack = zlib.decompressobj(_wbits(self.name, data))
        try:
            while data:
                piece = self._unpack.decompress(data, UNPACK_STEP)
                self.produced += len(piece)
                yield piece
                data = self._unpack.unconsumed_tail
        except zlib.error as exc:
            raise httpx.DecodingError(f"invalid {self.name} data: {exc}") from exc

    def check_end(self) -> None:
        if self._unpack is None or not self._unpack.eof:
            raise httpx.DecodingError(f"the {self.name} data ends before its end mark")


def _wbits(name: str, first: bytes) -> int:
    if name != "deflate":
        return zlib.MAX_WBITS | 32  # gzip, or a zlib stream mislabelled as gzip
    # HTTP's deflate is a zlib stream (RFC 9110), but some servers send raw deflate.
    zlib_header = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
    return zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS


class _Unpacker:
    """The body through every content-encoding layer, with each layer's output and the body
    capped at `cap`: httpx accepts a gzip stream cut short as complete and unpacks a whole
    chunk at once, and 824 bytes of "gzip, gzip" can unpack to 400 MB."""

    def __init__(self, layers: list[str], url: str, cap: int, status: int) -> None:
        self.layers = [_Layer(name) for name in layers]
        self.url, self.cap, self.status = url, cap, status
        self.chunks: list[bytes] = []
        self.size = 0
        self.fed = False

    @property
    def produced(self) -> int:
        """Bytes every layer has produced so far (what unpacking has cost in memory)."""
        return sum(layer.produced for layer in self.layers)

    def feed(self, raw: bytes) -> None:
        self.fed = self.fed or bool(raw)
        for piece in self._through(raw, 0):
            self.size += len(piece)
            if self.size > self.cap:
                raise FetchError(_too_big(self.url, self.cap), status=self.status)
            self.chunks.append(piece)

    def _through(self, data: bytes, depth: int) -> Iterator[bytes]:
        if depth == len(self.layers):
            yield data
            return
        layer = self.layers[depth]
        for piece in layer.steps(data):
            if layer.produced > self.cap:  # an inner layer larger than the cap is too big too
                raise FetchError(_too_big(self.url, self.cap), status=self.status)
            yield from self._through(piece, depth + 1)

    def finish(self) -> bytes:
        if not self.fed:
            return b""  # a 304 or an empty answer labelled gzip: nothing to unpack
        for layer in self.layers:
            layer.check_end()
        return b"".join(self.chunks)


def _too_big(url: str, cap: int) -> str:
    host = urlsplit(url).hostname or url
    return said("too_big", host=host, mb=cap / 1_000_000)


def _conditional(headers: Any) -> bool:
    """Whether the request carried a validator, so that a 304 is an answer to it."""
    names = {str(name).lower() for name in (headers or {})}
    return bool(names & {"if-none-match", "if-modified-since"})

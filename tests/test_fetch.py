"""The fetcher against a server that misbehaves: every failure is one plain FetchError."""

from __future__ import annotations

import asyncio
import gzip
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from helpers.fault_server import (
    FaultServer,
    Request,
    redirect_loop,
    reset_mid_body,
    respond,
    slow,
    truncated_gzip,
)
from monitor.config import Settings
from monitor.errors import FetchError
from monitor.fetch import (
    Fetched,
    Fetcher,
    Politeness,
    RetryPolicy,
    make_client,
    retry_after_seconds,
)
from monitor.models import Validators

FAST = RetryPolicy(retries=2, base_delay=0.01)


def fetch(url: str, *, policy=FAST, politeness=None, timeout=5.0, **kwargs):
    async def go():
        settings = Settings(database=None, rules=None, timeout=timeout)  # type: ignore[arg-type]
        async with make_client(settings) as client:
            fetcher = Fetcher(client, policy, politeness or Politeness(host_delay=0))
            return await fetcher.request("GET", url, **kwargs), fetcher

    return asyncio.run(go())


@pytest.fixture
def server():
    with FaultServer() as running:
        yield running


def test_429_is_retried_after_the_time_the_server_asks(server):
    calls = []

    @server.route("/busy")
    def busy(request: Request, conn):
        calls.append(time.monotonic())
        if len(calls) == 1:
            respond(conn, 429, b"slow down", {"Retry-After": "1"}, reason="Too Many Requests")
        else:
            respond(conn, 200, b"ok")

    answer, _ = fetch(server.url("/busy"))
    assert answer.content == b"ok"
    assert calls[1] - calls[0] >= 0.9


def test_429_without_retry_after_backs_off_and_gives_up_with_the_status(server):
    server.route("/always-busy")(lambda r, c: respond(c, 429, b"", reason="Too Many Requests"))
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/always-busy"))
    assert caught.value.status == 429
    assert str(caught.value) == "HTTP 429 Too Many Requests from 127.0.0.1 after 3 attempts"
    assert server.hits["/always-busy"] == 3


def test_500_is_retried_then_reported(server):
    server.route("/broken")(lambda r, c: respond(c, 500, b"oops", reason="Internal Server Error"))
    with pytest.raises(FetchError, match="HTTP 500 Internal Server Error") as caught:
        fetch(server.url("/broken"))
    assert caught.value.status == 500 and server.hits["/broken"] == 3


def test_404_is_not_retried(server):
    with pytest.raises(FetchError, match=r"HTTP 404 Not Found from 127\.0\.0\.1$"):
        fetch(server.url("/gone"))
    assert server.hits["/gone"] == 1


def test_redirect_loop_is_cut(server):
    server.route("/loop")(redirect_loop)
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(server.url("/loop"))


def test_timeout_is_named(server):
    server.route("/stall")(slow(3, b"late"))
    with pytest.raises(FetchError, match="did not answer in time"):
        fetch(server.url("/stall"), timeout=0.3, policy=RetryPolicy(retries=0))


def test_connection_reset_mid_body_is_a_connection_error(server):
    server.route("/reset")(reset_mid_body(b"x" * 200_000))
    with pytest.raises(FetchError, match=r"could not connect|cut off"):
        fetch(server.url("/reset"))


def test_truncated_gzip_is_named(server):
    server.route("/gz")(truncated_gzip(b"<rss>" + b"a" * 50_000 + b"</rss>"))
    with pytest.raises(FetchError, match="cut off or badly compressed"):
        fetch(server.url("/gz"))


def test_body_over_the_cap_is_refused_while_streaming(server):
    big = b"y" * 300_000

    @server.route("/big-chunked")
    def chunked(request: Request, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for start in range(0, len(big), 10_000):
            piece = big[start : start + 10_000]
            conn.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        conn.sendall(b"0\r\n\r\n")

    server.route("/big-declared")(lambda r, c: respond(c, 200, big))
    for path in ("/big-chunked", "/big-declared"):
        with pytest.raises(FetchError, match=r"larger than 0\.1 MB \(settings.max_bytes\)"):
            fetch(server.url(path), politeness=Politeness(host_delay=0, max_bytes=100_000))


def test_conditional_get_sends_validators_and_passes_304_through(server):
    seen = []

    @server.route("/feed")
    def feed(request: Request, conn):
        seen.append(request.headers.get("if-none-match"))
        if request.headers.get("if-none-match") == '"v1"':
            respond(conn, 304, b"", {"ETag": '"v1"'}, reason="Not Modified")
        else:
            respond(conn, 200, b"<rss/>", {"ETag": '"v1"', "Last-Modified": "Tue, 24 Nov 2026"})

    first, _ = fetch(server.url("/feed"))
    assert first.validators == Validators('"v1"', "Tue, 24 Nov 2026")
    second, _ = fetch(server.url("/feed"), headers=first.validators.headers())
    assert second.not_modified and second.content == b""
    assert seen == [None, '"v1"']


def test_charset_comes_from_the_header():
    headers = httpx.Headers({"Content-Type": 'text/html; charset="ISO-8859-1"'})
    answer = Fetched("http://x", 200, "OK", headers, b"")
    assert (answer.content_type, answer.charset) == ("text/html", "ISO-8859-1")


def test_per_host_limit_and_spacing(server):
    server.route("/slow")(slow(0.2, b"ok"))

    async def go():
        settings = Settings(database=None, rules=None)  # type: ignore[arg-type]
        async with make_client(settings) as client:
            fetcher = Fetcher(client, FAST, Politeness(per_host=2, host_delay=0.05))
            started = time.monotonic()
            await asyncio.gather(*(fetcher.request("GET", server.url("/slow")) for _ in range(6)))
            return time.monotonic() - started

    elapsed = asyncio.run(go())
    assert server.peak_in_flight == 2
    assert elapsed >= 0.6  # six requests, two at a time, 0.2 s each


def test_retry_after_as_an_http_date():
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    later = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after_seconds(later, now) == 30
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("soon", now) is None


def test_gzip_bodies_are_unpacked_and_a_gzip_bomb_hits_the_cap(server):
    text = b"<rss>" + b"Klimatanpassning i kommuner " * 2000 + b"</rss>"
    server.route("/gz-ok")(
        lambda r, c: respond(c, 200, gzip.compress(text), {"Content-Encoding": "gzip"})
    )
    bomb = gzip.compress(b"\0" * 50_000_000)  # about 50 kB that unpacks to 50 MB
    server.route("/bomb")(lambda r, c: respond(c, 200, bomb, {"Content-Encoding": "gzip"}))
    answer, _ = fetch(server.url("/gz-ok"))
    assert answer.content == text
    with pytest.raises(FetchError, match="larger than"):
        fetch(server.url("/bomb"), politeness=Politeness(host_delay=0, max_bytes=1_000_000))

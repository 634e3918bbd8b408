"""The fetcher against a server that misbehaves: every failure is one plain FetchError."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import zlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from helpers.fault_server import (
    FaultServer,
    Request,
    encoded,
    redirect_loop,
    reset_mid_body,
    respond,
    slow,
    trickle_body,
    trickle_chunked,
    trickle_headers,
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
    fetcher, answer = fetched(url, policy=policy, politeness=politeness, timeout=timeout, **kwargs)
    if isinstance(answer, FetchError):
        raise answer
    return answer, fetcher


def fetched(url: str, *, policy=FAST, politeness=None, timeout=5.0, allow_private=True, **kwargs):
    """(the fetcher, its answer or the FetchError), so a test can read the fetcher's counts
    after a failure too. The servers here are on 127.0.0.1: private addresses are allowed
    unless a test says otherwise."""
    politeness = dataclasses.replace(
        politeness or Politeness(host_delay=0), timeout=timeout, allow_private=allow_private
    )

    async def go():
        settings = Settings(
            database=None,  # type: ignore[arg-type]
            rules=None,  # type: ignore[arg-type]
            timeout=timeout,
            allow_private=allow_private,
        )
        async with make_client(settings) as client:
            fetcher = Fetcher(client, policy, politeness)
            try:
                return fetcher, await fetcher.request("GET", url, **kwargs)
            except FetchError as exc:
                return fetcher, exc

    return asyncio.run(go())


@pytest.fixture
def server():
    with FaultServer() as running:
        yield running


def test_429_is_retried_after_the_time_the_server_asks(server, monkeypatch):
    calls = []
    waits: list[float] = []

    real_sleep = asyncio.sleep

    async def recorded(seconds: float) -> None:  # the wait the fetcher makes, without making it
        waits.append(seconds)
        await real_sleep(0)  # still a point where other tasks run, as a sleep is

    monkeypatch.setattr("monitor.fetch.asyncio.sleep", recorded)

    @server.route("/busy")
    def busy(request: Request, conn):
        calls.append(request.path)
        if len(calls) == 1:
            respond(conn, 429, b"slow down", {"Retry-After": "7"}, reason="Too Many Requests")
        else:
            respond(conn, 200, b"ok")

    answer, _ = fetch(server.url("/busy"))
    assert answer.content == b"ok"
    assert len(calls) == 2 and waits == [7]


def test_429_without_retry_after_backs_off_and_gives_up_with_the_status(server):
    server.route("/always-busy")(lambda r, c: respond(c, 429, b"", reason="Too Many Requests"))
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/always-busy"))
    assert caught.value.status == 429
    assert str(caught.value) == "HTTP 429 Too Many Requests från 127.0.0.1 efter 3 försök"
    assert server.hits["/always-busy"] == 3


def test_500_is_retried_then_reported(server):
    server.route("/broken")(lambda r, c: respond(c, 500, b"oops", reason="Internal Server Error"))
    with pytest.raises(FetchError, match="HTTP 500 Internal Server Error") as caught:
        fetch(server.url("/broken"))
    assert caught.value.status == 500 and server.hits["/broken"] == 3


def test_404_is_not_retried(server):
    with pytest.raises(FetchError, match=r"HTTP 404 Not Found från 127\.0\.0\.1$"):
        fetch(server.url("/gone"))
    assert server.hits["/gone"] == 1


def test_redirect_loop_is_cut(server):
    server.route("/loop")(redirect_loop)
    with pytest.raises(FetchError, match="för många omdirigeringar"):
        fetch(server.url("/loop"))


def test_timeout_is_named(server):
    server.route("/stall")(slow(3, b"late"))
    with pytest.raises(FetchError, match="svarade inte i tid"):
        fetch(server.url("/stall"), timeout=0.3, policy=RetryPolicy(retries=0))


def test_connection_reset_mid_body_is_a_connection_error(server):
    server.route("/reset")(reset_mid_body(b"x" * 200_000))
    with pytest.raises(FetchError, match=r"kunde inte ansluta|bröts av"):
        fetch(server.url("/reset"))


def test_truncated_gzip_is_named(server):
    server.route("/gz")(truncated_gzip(b"<rss>" + b"a" * 50_000 + b"</rss>"))
    with pytest.raises(FetchError, match="bröts av eller var felaktigt komprimerat"):
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
        with pytest.raises(FetchError, match=r"större än 0\.1 MB \(settings.max_bytes\)"):
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


def test_a_304_to_a_request_that_asked_for_nothing_is_an_error(server):
    # Taken as "unchanged", it would leave the source ok with no items for ever.
    server.route("/feed")(lambda r, c: respond(c, 304, b"", reason="Not Modified"))
    with pytest.raises(FetchError, match="304 Not Modified på en fråga som inte var villkorad"):
        fetch(server.url("/feed"))


def test_charset_comes_from_the_header():
    headers = httpx.Headers({"Content-Type": 'text/html; charset="ISO-8859-1"'})
    answer = Fetched("http://x", 200, "OK", headers, b"")
    assert (answer.content_type, answer.charset) == ("text/html", "ISO-8859-1")


def test_per_host_limit_and_spacing(server):
    server.route("/slow")(slow(0.2, b"ok"))

    async def go():
        settings = Settings(database=None, rules=None, allow_private=True)  # type: ignore[arg-type]
        async with make_client(settings) as client:
            fetcher = Fetcher(client, FAST, Politeness(per_host=2, host_delay=0.05))
            await asyncio.gather(*(fetcher.request("GET", server.url("/slow")) for _ in range(6)))

    asyncio.run(go())
    assert server.peak_in_flight == 2  # six requests, never more than two at a time


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
    with pytest.raises(FetchError, match="större än"):
        fetch(server.url("/bomb"), politeness=Politeness(host_delay=0, max_bytes=1_000_000))


# -- hostile servers: a deadline for the whole answer, every encoding layer bounded -------------


@pytest.mark.parametrize("trickle", [trickle_headers, trickle_body, trickle_chunked])
def test_a_server_trickling_a_byte_at_a_time_is_cut_at_the_deadline(server, trickle):
    # One byte every 0.05 s never trips httpx's per-read timeout of 1 s; only the deadline for
    # the whole answer ends it, and it is not retried (it would trickle again).
    server.route("/trickle")(trickle)
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/trickle"), timeout=1)
    assert str(caught.value) == (
        "127.0.0.1 svarade inte i tid: inget fullständigt svar inom 1 s (settings.timeout)"
    )
    assert server.hits["/trickle"] == 1


class CountingUnpackers:
    """Every zlib decompressor made while installed (httpx's decoders and ours), and the most
    bytes they produced in all: what unpacking held in memory, at most."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.produced = 0
        real = zlib.decompressobj
        outer = self

        class Counting:
            def __init__(self, *args, **kwargs) -> None:
                self._real = real(*args, **kwargs)

            def decompress(self, data, max_length=0):
                piece = self._real.decompress(data, max_length)
                outer.produced += len(piece)
                return piece

            def flush(self, *args):
                piece = self._real.flush(*args)
                outer.produced += len(piece)
                return piece

            def __getattr__(self, name):
                return getattr(self._real, name)

        monkeypatch.setattr(zlib, "decompressobj", Counting)


STACKED = {
    # Content-Encoding lists the layers in the order they were applied.
    "gzip, gzip": lambda body: gzip.compress(gzip.compress(body)),
    "deflate, gzip": lambda body: gzip.compress(zlib.compress(body)),
    "gzip, deflate": lambda body: zlib.compress(gzip.compress(body)),
}


@pytest.mark.parametrize("encoding", sorted(STACKED))
def test_stacked_encodings_are_unpacked_in_bounded_steps(server, monkeypatch, encoding):
    cap = 1_000_000
    pack = STACKED[encoding]
    text = b"<rss>" + b"Klimatanpassning i kommuner " * 2000 + b"</rss>"
    server.route("/ok")(encoded(pack(text), encoding))
    answer, _ = fetch(server.url("/ok"))
    assert answer.content == text

    bomb = pack(b"\0" * 30_000_000)  # a few kB that unpack to 30 MB
    server.route("/bomb")(encoded(bomb, encoding))
    counting = CountingUnpackers(monkeypatch)
    fetcher, outcome = fetched(
        server.url("/bomb"), politeness=Politeness(host_delay=0, max_bytes=cap)
    )
    assert isinstance(outcome, FetchError)
    assert "större än 1 MB (settings.max_bytes)" in str(outcome)
    # The body stops a step past the cap; the outer layer made only the inner stream (~30 kB).
    # Unbounded, httpx's decoders made the whole 30 MB.
    assert counting.produced <= cap + 2 * 64 * 1024
    assert fetcher.bytes_unpacked == counting.produced


def test_more_layers_than_we_unpack_or_an_encoding_not_asked_for_is_refused(server):
    server.route("/three")(
        encoded(gzip.compress(gzip.compress(gzip.compress(b"x"))), "gzip, gzip, gzip")
    )
    server.route("/br")(encoded(b"\x0b\x02\x80hej\x03", "br"))
    with pytest.raises(FetchError, match=r"komprimerat 3 gånger om .*högst 2 lager"):
        fetch(server.url("/three"))
    with pytest.raises(FetchError, match="kodat som 'br', vilket inte efterfrågades"):
        fetch(server.url("/br"))


# -- only public addresses unless allowed, on every hop ---------------------------------------


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("[::1]", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("10.1.2.3", "private"),
        ("localhost", "loopback"),  # a name is resolved, and refused for what it resolves to
    ],
)
def test_by_default_no_request_goes_to_a_loopback_link_local_or_private_address(host, kind):
    with FaultServer() as server:
        server.route("/feed")(lambda r, c: respond(c, 200, b"<rss/>"))
        port = server.url("/").rsplit(":", 1)[1].rstrip("/")
        _, outcome = fetched(f"http://{host}:{port}/feed", allow_private=False, timeout=2)
        assert server.hits == {}  # nothing reached the server
    assert isinstance(outcome, FetchError)
    assert f"is a {kind} address" in str(outcome)
    assert "set allow_private = true in [settings]" in str(outcome)


def test_allow_private_lets_an_intranet_source_be_fetched(server):
    server.route("/feed")(lambda r, c: respond(c, 200, b"<rss/>"))
    answer, _ = fetch(server.url("/feed"))  # fetch() allows private addresses
    assert answer.content == b"<rss/>"


def test_a_redirect_hop_to_the_metadata_address_is_refused():
    # A public server (an in-process stand-in) redirecting to the cloud's metadata service.
    asked: list[str] = []

    def public(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data"})

    async def go():
        settings = Settings(database=None, rules=None)  # type: ignore[arg-type]
        async with make_client(settings, httpx.MockTransport(public)) as client:
            return await Fetcher(client, FAST, Politeness(host_delay=0)).request(
                "GET", "http://93.184.216.34/feed"
            )

    with pytest.raises(FetchError, match=r"169\.254\.169\.254 is a link-local address"):
        asyncio.run(go())
    assert asked == ["http://93.184.216.34/feed"]  # the hop was refused before it was sent


def test_a_name_rebound_to_loopback_after_the_check_is_never_connected_to(server, monkeypatch):
    # DNS rebinding: the name looks public when the request is checked and resolves to
    # loopback the next time. The connection is made to the address the connection itself
    # checked, so the server on loopback never sees the request.
    import monitor.addresses

    answers = iter(["93.184.216.34", "127.0.0.1"])

    async def rebinding(host, port):
        return [monitor.addresses.ipaddress.ip_address(next(answers, "127.0.0.1"))]

    monkeypatch.setattr(monitor.addresses, "_addresses", rebinding)
    server.route("/feed")(lambda r, c: respond(c, 200, b"<rss>secret</rss>"))
    _, outcome = fetched(server.url("/feed"), allow_private=False)
    assert isinstance(outcome, FetchError)
    assert "refusing to connect to 127.0.0.1: it is a loopback address" in str(outcome)
    assert server.hits == {}  # nothing reached the private address


def test_the_connection_goes_to_the_address_that_was_checked(server, monkeypatch):
    # A name no DNS knows, which the check resolves (say, to a public address; here the
    # loopback server, counted as public for this test): the request reaches the server, so it
    # connected to the checked address and not to the name, which would not resolve.
    import monitor.addresses

    async def resolved(host, port):
        assert host == "feeds.kommun.example"
        return [monitor.addresses.ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(monitor.addresses, "_addresses", resolved)
    monkeypatch.setattr(monitor.addresses, "is_public", lambda address: True)
    seen: list[str] = []

    def feed(request, conn):
        seen.append(request.headers.get("host", ""))
        respond(conn, 200, b"<rss>ok</rss>")

    server.route("/feed")(feed)
    url = server.url("/feed").replace("127.0.0.1", "feeds.kommun.example")
    _, outcome = fetched(url, allow_private=False)
    assert not isinstance(outcome, Exception), outcome
    assert outcome.content == b"<rss>ok</rss>"
    assert seen and seen[0].startswith("feeds.kommun.example:")  # the name, as the Host


def test_the_address_an_answer_came_from_is_checked_too(server, monkeypatch):
    # A transport that connects by name (not the fetcher's own): the answer's peer address is
    # still checked, and a loopback one refused before the answer is read.
    import httpx

    import monitor.addresses
    import monitor.fetch

    async def looks_public(host, port):
        return [monitor.addresses.ipaddress.ip_address("93.184.216.34")]

    monkeypatch.setattr(monitor.addresses, "_addresses", looks_public)
    monkeypatch.setattr(
        monitor.fetch, "checked_transport", lambda **options: httpx.AsyncHTTPTransport(**options)
    )
    server.route("/feed")(lambda r, c: respond(c, 200, b"<rss>secret</rss>"))
    _, outcome = fetched(server.url("/feed"), allow_private=False)
    assert isinstance(outcome, FetchError)
    assert "the connection went to a loopback address (127.0.0.1)" in str(outcome)


@pytest.mark.parametrize("target", ["javascript:alert(1)", "ftp://files.example/call.pdf"])
def test_a_redirect_to_something_not_a_web_address_is_one_plain_error(server, target):
    server.route("/moved")(lambda r, c: respond(c, 302, b"", {"Location": target}, reason="Found"))
    with pytest.raises(FetchError, match="inte en webbadress som kan hämtas") as caught:
        fetch(server.url("/moved"))
    assert server.hits["/moved"] == 1  # not retried
    assert "\n" not in str(caught.value)

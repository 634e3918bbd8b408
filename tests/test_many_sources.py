"""Many sources at once, politely; and a run where every kind of bad input meets good sources."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from helpers.fault_server import (
    FaultServer,
    Request,
    redirect_loop,
    respond,
    slow,
    trickle_body,
    trickle_chunked,
    trickle_headers,
    truncated_gzip,
)
from monitor.clock import Clock
from monitor.config import load_config
from monitor.pipeline import chosen_sources, run_once
from monitor.sources.kinds import KINDS
from monitor.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"
FEED = (FIXTURES / "rss" / "eurocities_feed.xml").read_bytes()
RSS = {"Content-Type": "application/rss+xml; charset=UTF-8"}
HOSTS = [f"127.0.0.{n}" for n in range(1, 21)]


def feed_with_etag(delay: float):
    """A feed that answers after `delay` seconds, with an ETag, and 304 when it matches."""

    def handler(request: Request, conn) -> None:
        time.sleep(delay)
        if request.headers.get("if-none-match") == '"v1"':
            respond(conn, 304, b"", {"ETag": '"v1"'}, reason="Not Modified")
        else:
            respond(conn, 200, FEED, {**RSS, "ETag": '"v1"'})

    return handler


def write_config(folder: Path, sources: list[tuple[str, str, str]], settings: str = "") -> Path:
    # allow_private: these servers are on 127.0.0.x, which the fetcher refuses by default.
    lines = [
        f'[settings]\ndatabase = "monitor.db"\nretries = 0\nallow_private = true\n{settings}\n'
    ]
    for source_id, kind, url, *extra in sources:
        lines.append(f'[[sources]]\nid = "{source_id}"\nkind = "{kind}"\nurl = "{url}"')
        lines.extend(extra)
        lines.append("")
    path = folder / "sources.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run(path: Path, today: date = date(2021, 2, 1)):
    config = load_config(path, kinds=KINDS)
    store = open_store(config.settings.database)
    return run_once(config, store, chosen_sources(config), clock=Clock(today)), store


def test_200_sources_on_20_hosts_are_fetched_together_and_then_answer_304(tmp_path):
    servers = [FaultServer(host=host) for host in HOSTS]
    for server in servers:
        for n in range(10):
            server.route(f"/feed-{n}")(feed_with_etag(0.2))
    sources = [
        (f"feed-{h}-{n}", "rss", server.url(f"/feed-{n}"))
        for h, server in enumerate(servers)
        for n in range(10)
    ]
    with_servers = [s.__enter__() for s in servers]
    try:
        path = write_config(tmp_path, sources, "host_delay = 0.02\nconcurrency = 20\nper_host = 2")
        first, store = run(path)
        assert len(first.outcomes) == 200 and not first.failed
        # Sequential would be 200 x 0.2 s = 40 s; the limits were reached, never exceeded.
        assert first.peak_in_flight == 20
        assert all(server.peak_in_flight <= 2 for server in with_servers)
        assert store.db["items"].count == 600

        second, _ = run(path)
        assert all(o.ok and o.not_modified for o in second.outcomes)  # 304: nothing parsed
        assert second.bytes_received == 0 < first.bytes_received
        assert store.db["items"].count == 600
    finally:
        for server in with_servers:
            server.__exit__(None, None, None)


def test_by_default_only_the_politeness_per_host_limits_how_many_are_in_flight(tmp_path):
    """No global limit unless one is set: 20 hosts with 2 each in flight is 40 at once (the
    old default of 20 in all made a run wait for global slots while hosts sat idle)."""
    servers = [FaultServer(host=host) for host in HOSTS]
    for server in servers:
        for n in range(4):
            server.route(f"/feed-{n}")(feed_with_etag(0.3))
    sources = [
        (f"feed-{h}-{n}", "rss", server.url(f"/feed-{n}"))
        for h, server in enumerate(servers)
        for n in range(4)
    ]
    with_servers = [s.__enter__() for s in servers]
    try:
        summary, _ = run(write_config(tmp_path, sources, "host_delay = 0"))
        assert len(summary.outcomes) == 80 and not summary.failed
        assert summary.peak_in_flight == 40
        assert all(server.peak_in_flight == 2 for server in with_servers)
    finally:
        for server in with_servers:
            server.__exit__(None, None, None)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title></channel></rss>"""


@pytest.fixture
def misbehaving():
    with FaultServer() as server:
        server.route("/good.xml")(lambda r, c: respond(c, 200, FEED, RSS))
        server.route("/not-xml")(lambda r, c: respond(c, 200, b"<html><body>Hej</body></html>"))
        server.route("/no-items")(
            lambda r, c: respond(c, 200, b"<html><body><main>Ny layout</main></body></html>")
        )
        server.route("/bad.json")(
            lambda r, c: respond(c, 200, b'{"items": [', {"Content-Type": "application/json"})
        )
        server.route("/cut-off")(truncated_gzip(FEED))
        server.route("/gone")(lambda r, c: respond(c, 404, b"", reason="Not Found"))
        server.route("/broken")(lambda r, c: respond(c, 500, b"", reason="Internal Server Error"))
        server.route("/busy")(lambda r, c: respond(c, 429, b"", reason="Too Many Requests"))
        server.route("/stall")(slow(5, FEED))
        server.route("/loop")(redirect_loop)
        server.route("/huge")(lambda r, c: respond(c, 200, b"<rss>" + b"x" * 200_000))
        server.route("/bomb")(lambda r, c: respond(c, 200, BOMB, RSS))
        yield server


def test_every_bad_input_fails_alone_and_the_good_sources_are_kept(tmp_path, misbehaving):
    url = misbehaving.url
    sources = [
        ("good", "rss", url("/good.xml")),
        ("not-xml", "rss", url("/not-xml")),
        ("layout-changed", "html", url("/no-items"), 'item = "article"', 'title = "h2"'),
        ("bad-json", "json", url("/bad.json"), 'items = "items"', 'title = "title"'),
        ("cut-off", "rss", url("/cut-off")),
        ("gone", "rss", url("/gone")),
        ("broken", "rss", url("/broken")),
        ("busy", "rss", url("/busy")),
        ("stall", "rss", url("/stall")),
        ("loop", "rss", url("/loop")),
        ("huge", "rss", url("/huge")),
        ("bomb", "rss", url("/bomb")),
    ]
    path = write_config(tmp_path, sources, "timeout = 1\nmax_bytes = 100000\nhost_delay = 0")
    summary, store = run(path)
    outcomes = {o.source: o for o in summary.outcomes}
    assert outcomes["good"].ok and store.db["items"].count == 3
    expected = {
        "not-xml": "inte ett RSS- eller Atom-flöde",
        "layout-changed": "inget element matchar postväljaren 'article'",
        "bad-json": "JSON",
        "cut-off": "bröts av eller var felaktigt komprimerat",
        "gone": "HTTP 404 Not Found",
        "broken": "HTTP 500 Internal Server Error",
        "busy": "HTTP 429 Too Many Requests",
        "stall": "svarade inte i tid",
        "loop": "för många omdirigeringar",
        "huge": "större än 0.1 MB",
        "bomb": "entit",
    }
    for source, fragment in expected.items():
        outcome = outcomes[source]
        assert not outcome.ok, source
        assert fragment in outcome.error, (source, outcome.error)
        assert "\n" not in outcome.error
    log = {r["source"]: r for r in store.db.query("SELECT * FROM fetch_log")}
    assert log["gone"]["http_status"] == 404 and log["good"]["outcome"] == "ok"
    assert {s for s, r in log.items() if r["outcome"] == "error"} == set(expected)

    # A second run where the good source fails too keeps what it stored.
    misbehaving.route("/good.xml")(lambda r, c: respond(c, 503, b"", reason="Unavailable"))
    again, store = run(path)
    assert not {o.source: o for o in again.outcomes}["good"].ok
    assert store.db["items"].count == 3


def test_trickling_servers_fail_at_the_deadline_and_the_other_sources_are_stored(tmp_path):
    with FaultServer() as server:
        server.route("/good.xml")(lambda r, c: respond(c, 200, FEED, RSS))
        server.route("/headers")(trickle_headers)
        server.route("/body")(trickle_body)
        server.route("/chunked")(trickle_chunked)
        sources = [
            ("good", "rss", server.url("/good.xml")),
            ("headers", "rss", server.url("/headers")),
            ("body", "rss", server.url("/body")),
            ("chunked", "rss", server.url("/chunked")),
        ]
        path = write_config(tmp_path, sources, "timeout = 1\nhost_delay = 0")
        summary, store = run(path)
    outcomes = {o.source: o for o in summary.outcomes}
    assert outcomes["good"].ok and store.db["items"].count == 3
    for source in ("headers", "body", "chunked"):
        assert outcomes[source].error == (
            "127.0.0.1 svarade inte i tid: inget fullständigt svar inom 1 s (settings.timeout)"
        )


def test_a_source_over_its_budget_fails_alone(tmp_path):
    # Each detail page answers within the request deadline, but together they take longer than
    # the source may: the source fails, and the one beside it is stored.
    listing = (
        b"<html><body>"
        + b"".join(
            f'<article><h2><a href="/call-{n}">Call {n}</a></h2></article>'.encode()
            for n in range(6)
        )
        + b"</body></html>"
    )
    with FaultServer() as server, FaultServer(host="127.0.0.2") as other:
        server.route("/list")(lambda r, c: respond(c, 200, listing, {"Content-Type": "text/html"}))
        for n in range(6):
            server.route(f"/call-{n}")(
                slow(0.5, b"<html><body><p>Deadline 1 June 2027</p></body></html>")
            )
        other.route("/good.xml")(lambda r, c: respond(c, 200, FEED, RSS))
        sources = [
            (
                "slow",
                "html",
                server.url("/list"),
                'item = "article"',
                'title = "h2"',
                "follow = true",
                'category = "call"',
            ),
            ("good", "rss", other.url("/good.xml")),
        ]
        path = write_config(
            tmp_path, sources, "timeout = 5\nsource_timeout = 1\nhost_delay = 0\nper_host = 1"
        )
        summary, store = run(path)
    outcomes = {o.source: o for o in summary.outcomes}
    assert outcomes["good"].ok and store.db["items"].count == 3
    assert outcomes["slow"].error == (
        "the source took longer than 1 s in all (settings.source_timeout); "
        "it is tried again at its next run"
    )


def test_a_redirect_to_javascript_fails_only_that_link_or_that_source(tmp_path):
    with FaultServer() as server:
        feed = (
            '<rss version="2.0"><channel><title>Utlysningar</title>'
            f"<item><title>Stöd till klimatanpassning</title><link>{server.url('/call-1')}</link>"
            "<guid>call-1</guid><description>Sök senast 1 juni 2027.</description></item>"
            "</channel></rss>"
        ).encode()
        to_javascript = {"Location": "javascript:alert(1)"}
        server.route("/calls.xml")(lambda r, c: respond(c, 200, feed, RSS))
        server.route("/call-1")(lambda r, c: respond(c, 302, b"", to_javascript, reason="Found"))
        server.route("/moved.xml")(lambda r, c: respond(c, 302, b"", to_javascript, reason="Found"))
        page = server.url("/call-1")
        sources = [
            ("calls", "rss", server.url("/calls.xml"), 'category = "call"', "follow = true"),
            ("moved", "rss", server.url("/moved.xml")),
        ]
        summary, _ = run(write_config(tmp_path, sources, "host_delay = 0"))
    outcomes = {o.source: o for o in summary.outcomes}
    calls = outcomes["calls"]
    assert calls.ok and calls.items_new == 1  # the item is kept without its page's details
    (warning,) = calls.warnings
    assert warning.startswith(f"could not open {page} for its details")
    assert "inte en webbadress som kan hämtas" in warning
    assert outcomes["moved"].error.startswith("inte en webbadress som kan hämtas")
    assert "unexpected error" not in outcomes["moved"].error


def test_a_run_parsed_by_the_worker_process_stores_what_parsing_inline_stores(
    tmp_path, misbehaving, monkeypatch
):
    # Runs of many sources parse their documents in a worker process (monitor/parsing.py):
    # the same good and bad inputs, one kind of each, give the same items and the same errors.
    url = misbehaving.url
    for name, body, kind in [
        ("/feed.atom", (FIXTURES / "rss" / "interreg_baltic_news.atom").read_bytes(), RSS),
        ("/page.html", (FIXTURES / "html" / "eurocities_latest.html").read_bytes(), {}),
        ("/calls.json", (FIXTURES / "json" / "vinnova_ansokningsomgangar.json").read_bytes(), {}),
        ("/cal.ics", (FIXTURES / "ical" / "interreg_no_kalender.ics").read_bytes(), {}),
    ]:
        misbehaving.route(name)(lambda r, c, body=body, kind=kind: respond(c, 200, body, kind))
    sources = [
        ("good", "rss", url("/good.xml")),
        ("atom", "rss", url("/feed.atom")),
        ("page", "html", url("/page.html"), 'item = "article"', 'title = "h2"'),
        ("calls", "json", url("/calls.json"), 'uid = "Diarienummer"', 'title = "Titel"'),
        ("calendar", "ical", url("/cal.ics")),
        ("not-xml", "rss", url("/not-xml")),
        ("layout-changed", "html", url("/no-items"), 'item = "article"', 'title = "h2"'),
        ("bad-json", "json", url("/bad.json"), 'items = "items"', 'title = "title"'),
        ("bomb", "rss", url("/bomb")),
        ("gone", "rss", url("/gone")),
    ]
    import monitor.parsing

    sent = []
    real_parse = monitor.parsing.ParsePool.parse

    async def counted(pool, parse, document, context):
        sent.append(document.url)
        return await real_parse(pool, parse, document, context)

    monkeypatch.setattr(monitor.parsing.ParsePool, "parse", counted)
    stored = {}
    for pool_from in (len(sources) + 1, 1):  # inline, then every document through the worker
        monkeypatch.setattr("monitor.parsing.POOL_FROM", pool_from)
        monkeypatch.setattr("monitor.parsing.WAIT_FOR_WORKER", True)  # not inline until ready
        folder = tmp_path / str(pool_from)
        folder.mkdir()
        summary, store = run(write_config(folder, sources, "host_delay = 0"))
        outcomes = [(o.source, o.ok, o.error, o.items_seen, o.items_new) for o in summary.outcomes]
        items = list(store.db.query("SELECT * FROM items ORDER BY id"))
        for item in items:
            for stamp in ("first_seen", "last_seen"):
                item.pop(stamp)
        stored[pool_from] = outcomes, items
    (inline, inline_items), (pooled, pooled_items) = stored.values()
    assert sum(o[3] for o in inline) > 10 and sum(not o[1] for o in inline) == 5
    assert len(sent) == 9  # every document that came (not the 404), all in the second run
    assert pooled == inline and pooled_items == inline_items

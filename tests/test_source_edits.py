"""An edited source (its url, its selectors) is read anew at its next run, even from a server
that answers 304 to the validators it gave the source before: those belong to the old request.
Through the CLI, against a real HTTP server on this machine and a real SQLite file."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlite_utils

from helpers.document_site import config_text, fixture
from monitor.cli import cli

LOCAL = "allow_private = true\n"  # the server is on this machine
ETAG = '"v1"'  # one version tag for every page, as a site that versions by release does
PAGE = """<html><body><ul>
<li class="post"><h2><a href="/utlysning-1">Utlysning om klimat</a></h2>
<p class="lead">Stöd till kommuners klimatarbete.</p></li>
<li class="post"><h2><a href="/utlysning-2">Utlysning om ungdom</a></h2>
<p class="lead">Projekt för ungas delaktighet.</p></li>
</ul></body></html>""".encode()


class Pages(ThreadingHTTPServer):
    """Fixed bodies by path, each with ETAG, and a 304 to a matching If-None-Match."""

    def __init__(self, pages: dict[str, tuple[bytes, str]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = pages
        self.asked: list[tuple[str, str | None]] = []  # (path, If-None-Match)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Pages

    def do_GET(self) -> None:
        self.server.asked.append((self.path, self.headers.get("If-None-Match")))
        page = self.server.pages.get(self.path)
        if page is None:
            self.send_error(404)
            return
        if self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        body, content_type = page
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("ETag", ETAG)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Pages]:
    rss = "application/rss+xml; charset=UTF-8"
    pages = {
        "/old/feed.xml": (fixture("rss", "eurocities_feed.xml"), rss),
        "/new/feed.xml": (fixture("rss", "cpmr_news_wordpress_feed_excerpt.xml"), rss),
        "/aktuellt": (PAGE, "text/html; charset=utf-8"),
    }
    with Pages(pages) as pages_server:
        thread = threading.Thread(target=pages_server.serve_forever, daemon=True)
        thread.start()
        yield pages_server
        pages_server.shutdown()


def run(runner, config: Path):
    result = runner.invoke(cli, ["--config", str(config), "run", "--no-digest"])
    assert result.exit_code == 0, result.output
    return result


def titles(config: Path, source: str) -> set[str]:
    db = sqlite_utils.Database(config.parent / "monitor.db")
    return {r["title"] for r in db.query("SELECT title FROM items WHERE source = ?", [source])}


def test_a_new_url_is_read_at_once_though_its_server_says_not_modified(
    runner, write_config, server
):
    feed = {"id": "feed", "kind": "rss", "url": f"{server.base}/old/feed.xml"}
    config = write_config(config_text(feed, settings=LOCAL))
    first = run(runner, config)
    assert "feed  3 poster, 3 nya" in first.output
    old = titles(config, "feed")
    again = run(runner, config)  # the same request: a 304
    assert "0 nya, 0 ändrade (oförändrad sedan förra hämtningen)" in again.output
    assert server.asked[-1] == ("/old/feed.xml", ETAG)

    feed["url"] = f"{server.base}/new/feed.xml"
    config.write_text(config_text(feed, settings=LOCAL))
    moved = run(runner, config)
    assert server.asked[-1] == ("/new/feed.xml", None)  # the old feed's ETag not sent there
    assert "oförändrad sedan förra hämtningen" not in moved.output
    read = re.search(r"^feed +\d+ (post|poster), [1-9]\d* (ny|nya)\b", moved.output, re.M)
    assert read, moved.output
    assert titles(config, "feed") - old  # the new feed's items are stored
    # and its own ETag kept
    assert "0 nya, 0 ändrade (oförändrad sedan förra hämtningen)" in run(runner, config).output
    assert server.asked[-1] == ("/new/feed.xml", ETAG)


def test_new_selectors_are_run_on_the_page_at_once(runner, write_config, server):
    page = {"id": "aktuellt", "kind": "html", "url": f"{server.base}/aktuellt"}
    page |= {"item": "li.post", "title": "h2", "category": "call"}
    config = write_config(config_text(page, settings=LOCAL))
    run(runner, config)
    db = sqlite_utils.Database(config.parent / "monitor.db")
    # no summary selector yet
    assert {r["summary"] for r in db.query("SELECT summary FROM items")} == {""}

    page["summary"] = "p.lead"  # the selector the first set-up forgot
    config.write_text(config_text(page, settings=LOCAL))
    edited = run(runner, config)
    assert "oförändrad sedan förra hämtningen" not in edited.output
    assert server.asked[-1] == ("/aktuellt", None)
    summaries = {r["summary"] for r in db.query("SELECT summary FROM items")}
    assert summaries == {"Stöd till kommuners klimatarbete.", "Projekt för ungas delaktighet."}


def test_sources_check_reads_the_page_in_full_whatever_is_stored(runner, write_config, server):
    feed = {"id": "feed", "kind": "rss", "url": f"{server.base}/old/feed.xml"}
    config = write_config(config_text(feed, settings=LOCAL))
    run(runner, config)
    result = runner.invoke(cli, ["--config", str(config), "sources", "check", "feed"])
    assert result.exit_code == 0, result.output
    assert server.asked[-1] == ("/old/feed.xml", None)
    assert "oförändrad sedan förra hämtningen" not in result.output and "3" in result.output


def test_validators_stored_before_their_request_was_kept_are_not_trusted_once(
    runner, write_config, server
):
    feed = {"id": "feed", "kind": "rss", "url": f"{server.base}/old/feed.xml"}
    config = write_config(config_text(feed, settings=LOCAL))
    run(runner, config)
    db = sqlite_utils.Database(config.parent / "monitor.db")
    db.execute("UPDATE source_state SET validators_for = NULL")  # as migration 17 leaves them
    db.conn.commit()
    assert "(oförändrad sedan förra hämtningen)" not in run(runner, config).output
    assert server.asked[-1] == ("/old/feed.xml", None)
    assert "(oförändrad sedan förra hämtningen)" in run(runner, config).output


def test_a_new_name_or_schedule_keeps_the_conditional_request(runner, write_config, server):
    feed = {"id": "feed", "kind": "rss", "url": f"{server.base}/old/feed.xml"}
    config = write_config(config_text(feed, settings=LOCAL))
    run(runner, config)
    feed |= {"name": "Eurocities nyheter", "every": "2h"}  # neither shapes the request
    config.write_text(config_text(feed, settings=LOCAL))
    assert "(oförändrad sedan förra hämtningen)" in run(runner, config).output
    assert server.asked[-1] == ("/old/feed.xml", ETAG)

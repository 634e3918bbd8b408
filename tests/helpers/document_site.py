"""A stand-in for the web sites the document kinds read (feeds, pages, JSON APIs, calendars).

`Site` answers fixed bodies by URL through httpx.MockTransport, as a real server would: the
Content-Type it is told, an ETag and a 304 for a matching If-None-Match, 404 for anything
else; it records every request. `config_text` writes a sources.toml for the pipeline tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from helpers import paths
from monitor.clock import Clock
from monitor.config import load_config
from monitor.models import RunSummary
from monitor.pipeline import chosen_sources, run_once
from monitor.sources.kinds import KINDS
from monitor.store import Store, open_store

FIXTURES = paths.FIXTURES


def fixture(kind: str, name: str) -> bytes:
    return (FIXTURES / kind / name).read_bytes()


@dataclass
class Page:
    body: bytes
    content_type: str
    etag: str | None = None
    status: int = 200


@dataclass
class Site:
    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def add(
        self,
        url: str,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        *,
        etag: str | None = None,
        status: int = 200,
    ) -> None:
        self.pages[url] = Page(body, content_type, etag, status)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        page = self.pages.get(str(request.url))
        if page is None:
            return httpx.Response(404, text="Not Found")
        headers = {"Content-Type": page.content_type}
        if page.etag:
            headers["ETag"] = page.etag
            if request.headers.get("If-None-Match") == page.etag:
                return httpx.Response(304, headers={"ETag": page.etag})
        return httpx.Response(page.status, headers=headers, content=page.body)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def hits(self, url: str) -> int:
        return sum(str(r.url) == url for r in self.requests)


def config_text(*sources: dict[str, object], settings: str = "") -> str:
    """A sources.toml: no retries and no host delay, so tests run at once; one table a source.
    `settings` adds lines to [settings]."""
    lines = [f'[settings]\ndatabase = "monitor.db"\nretries = 0\nhost_delay = 0\n{settings}']
    for source in sources:
        lines.append("[[sources]]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in source.items())
        lines.append("")
    return "\n".join(lines)


def pipeline(
    folder: Path, site: Site, today: date, *sources: dict[str, object], settings: str = ""
) -> tuple[Callable[..., RunSummary], Store]:
    """(run, store): a sources.toml of `sources` in `folder`, its store, and a function that runs
    the real pipeline once against `site` (on `today` unless told another day)."""
    path = folder / "sources.toml"
    path.write_text(config_text(*sources, settings=settings), encoding="utf-8")
    config = load_config(path, kinds=KINDS)
    store = open_store(config.settings.database)

    def run(day: date = today) -> RunSummary:
        return run_once(
            config, store, chosen_sources(config), transport=site.transport(), clock=Clock(day)
        )

    return run, store

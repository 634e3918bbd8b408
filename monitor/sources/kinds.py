"""The table of source kinds: the `kind` in sources.toml -> the module that implements it.

Adding a kind is one module plus one line here. The module defines its options dataclass (the
keys a source of that kind takes) and `collect(ctx) -> Collected`; a kind that reads one
document builds its `collect` with `document.document_collector(parse, read_detail)`.
Modules are imported on first use: commands that never fetch do not load parsers.
The purposes are what the README's kinds table says (a test keeps the two equal).
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from functools import cache

from monitor.sources.base import SourceKind


@dataclass(frozen=True)
class KindEntry:
    module: str  # where the options class and `collect` live
    options: str  # the options class's name in that module
    purpose: str  # what the kind is for, in a few words


_TABLE: dict[str, KindEntry] = {
    "eu_portal": KindEntry(
        "monitor.sources.eu_portal",
        "EuPortalOptions",
        "the EU Funding & Tenders Portal's search API",
    ),
    "rss": KindEntry("monitor.sources.rss", "RssOptions", "RSS 0.9x/1.0/2.0 and Atom feeds"),
    "html": KindEntry(
        "monitor.sources.html_page", "HtmlOptions", "a listing page, read with CSS selectors"
    ),
    "json": KindEntry(
        "monitor.sources.json_api", "JsonOptions", "a JSON API (Vinnova, WordPress REST)"
    ),
    "ical": KindEntry("monitor.sources.ical", "IcalOptions", "an iCalendar feed of call windows"),
}


class KindTable:
    """The kinds as config sees them (`config.KindLookup`) and as the pipeline runs them."""

    def __init__(self, table: dict[str, KindEntry]) -> None:
        self._table = table

    def names(self) -> list[str]:
        return list(self._table)

    def get(self, name: str) -> SourceKind | None:
        entry = self._table.get(name)
        return None if entry is None else _load(name, entry)

    def keys(self, name: str) -> list[tuple[str, bool]]:
        """The kind's own keys in declaration order, each with whether it is required."""
        kind = self.get(name)
        if kind is None:
            return []
        return [
            (f.name, f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
            for f in dataclasses.fields(kind.options)
        ]


@cache
def _load(name: str, entry: KindEntry) -> SourceKind:
    module = importlib.import_module(entry.module)
    return SourceKind(name, getattr(module, entry.options), module.collect, entry.purpose)


KINDS = KindTable(_TABLE)

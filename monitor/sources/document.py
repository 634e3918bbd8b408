"""Kinds that read one document (a feed, a page, a JSON answer, a calendar) into items.

Such a kind supplies two pure functions: `parse(document, context) -> items` and, for kinds
that can open each item's own page (`follow = true`), `read_detail(item, document, context) ->
item`. This module does the I/O around them: a conditional GET of the document (a 304 means no
parsing at all), and one detail fetch per item that is new to the store; items already stored
keep the details read earlier, so a listing without deadlines never erases them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from monitor.calls import effective_status, next_deadline
from monitor.config import DEFAULT_TIMEZONE
from monitor.errors import FetchError
from monitor.models import Item
from monitor.sources.base import Collected, Collector, SourceContext
from monitor.sources.dated_url import dated_url


@dataclass(frozen=True)
class Document:
    """A fetched document, handed to the pure parsers."""

    url: str  # after redirects: relative links resolve against it
    content: bytes
    content_type: str  # without parameters, e.g. "application/rss+xml"
    charset: str | None  # as the HTTP header declares it; the document may declare its own


_DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class ParseContext:
    source_id: str
    options: Any
    today: date
    # settings.timezone: where an instant (UTC, an epoch) is read as a local day
    zone: ZoneInfo = _DEFAULT_ZONE


Parser = Callable[[Document, ParseContext], list[Item]]
DetailReader = Callable[[Item, Document, ParseContext], Item]
# What is worth a warning about a document that parsed (e.g. a feed cut off after some entries),
# given the items read from it; None when all is well.
Checker = Callable[[Document, list[Item]], str | None]


def unique_by_uid(items: Iterable[Item | None]) -> list[Item]:
    """The items in order, without gaps (None) or repeats of a uid (the first one wins)."""
    seen: set[str] = set()
    unique: list[Item] = []
    for item in items:
        if item is not None and item.uid not in seen:
            seen.add(item.uid)
            unique.append(item)
    return unique


def document_collector(
    parse: Parser, read_detail: DetailReader | None = None, check: Checker | None = None
) -> Collector:
    """The `collect` of a kind whose options have `url` (and, with read_detail, `follow`);
    `check`'s finding is the run's warning for the source."""

    async def collect(ctx: SourceContext) -> Collected:
        url = dated_url(ctx.options.url, ctx.today)
        answer = await ctx.request("GET", url, headers=ctx.validators.headers())
        if answer.not_modified:
            return Collected([], answer.status, validators=answer.validators, not_modified=True)
        document = Document(answer.url, answer.content, answer.content_type, answer.charset)
        parse_context = ParseContext(ctx.source_id, ctx.options, ctx.today, ZoneInfo(ctx.timezone))
        items = await ctx.parse(parse, document, parse_context)
        warnings: list[str] = []
        found = check(document, items) if check is not None else None
        if found:
            warnings.append(found)
        if read_detail is not None and getattr(ctx.options, "follow", False):
            items = await _with_details(ctx, items, read_detail, parse_context, warnings)
        return Collected(items, answer.status, warnings, validators=answer.validators)

    return collect


async def _with_details(
    ctx: SourceContext,
    items: list[Item],
    read_detail: DetailReader,
    parse_context: ParseContext,
    warnings: list[str],
) -> list[Item]:
    async def one(item: Item) -> Item:
        stored = ctx.stored(item.id)
        if stored is not None:
            return _keep_stored_details(item, stored, parse_context.today)
        if not item.url:
            return item
        try:
            page = await ctx.request("GET", item.url)
        except FetchError as exc:
            warnings.append(f"could not open {item.url} for its details: {exc}")
            return item
        document = Document(page.url, page.content, page.content_type, page.charset)
        return read_detail(item, document, parse_context)

    return list(await asyncio.gather(*(one(item) for item in items)))


def _keep_stored_details(item: Item, stored: Mapping[str, Any], today: date) -> Item:
    """An item seen before: what its page said then still holds where the listing says nothing,
    field by field (deadlines, opening date, stated status); the rest follows from today."""
    deadlines = item.deadlines or tuple(
        date.fromisoformat(d) for d in json.loads(stored.get("deadlines") or "[]")
    )
    stored_opening = stored.get("opening_date")
    opening = item.opening_date or (date.fromisoformat(stored_opening) if stored_opening else None)
    source_status = item.source_status or stored.get("source_status")
    return dataclasses.replace(
        item,
        deadlines=deadlines,
        deadline=next_deadline(deadlines, today),
        opening_date=opening,
        source_status=source_status,
        status=effective_status(source_status, deadlines, today, opening),
    )

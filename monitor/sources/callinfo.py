"""A call's dates and status as the document kinds store them, and the detail-page reader that
`rss` and `html` use with `follow = true`."""

from __future__ import annotations

import dataclasses
from datetime import date

from monitor.calls import effective_status, next_deadline
from monitor.errors import FetchError
from monitor.models import CallStatus, Item
from monitor.sources.document import Document, ParseContext
from monitor.sources.markup import html_soup, page_text
from monitor.swedish_dates import CallWindow, read_call_window

_PAGE_TYPES = ("", "text/html", "application/xhtml+xml", "text/plain")


def derived_status(
    opening: date | None, deadlines: tuple[date, ...], today: date
) -> CallStatus | None:
    """The status a source implies without stating it: not open yet, or open until a deadline."""
    if opening is not None and opening > today:
        return "forthcoming"
    return "open" if deadlines else None


def with_window(item: Item, window: CallWindow, today: date) -> Item:
    """`item` with the call's dates and statuses from `window` (stated status first)."""
    deadlines = tuple(sorted(set(window.deadlines)))
    reported = window.status or derived_status(window.opening_date, deadlines, today)
    return dataclasses.replace(
        item,
        opening_date=window.opening_date,
        deadlines=deadlines,
        deadline=next_deadline(deadlines, today),
        source_status=reported,
        status=effective_status(reported, deadlines, today),
    )


def read_detail(item: Item, document: Document, context: ParseContext) -> Item:
    """A call's own page: its stated status and dates complete what the listing said.

    Never raises: a page that is not HTML (a PDF) or cannot be decoded leaves the item as the
    listing gave it, since one odd link must not fail the whole source.
    """
    if item.kind != "call" or document.content_type not in _PAGE_TYPES:
        return item
    try:
        text = page_text(html_soup(document.content, document.charset))
    except FetchError:
        return item
    reference = item.published.date() if item.published else None
    page = read_call_window(text, reference)
    if not page:
        return item
    deadlines = page.deadlines or item.deadlines
    opening = page.opening_date or item.opening_date
    status = page.status or derived_status(opening, deadlines, context.today) or item.source_status
    return with_window(item, CallWindow(status, opening, deadlines), context.today)

"""Source kind `html`: a listing page read with CSS selectors (beautifulsoup4 and soupsieve).

Selectors are checked when sources.toml is loaded, so a typo is a config error with its line,
not a failed run. A page where the item selector finds nothing is an error saying the layout
may have changed: an empty result must not pass for "no news".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import soupsieve
from bs4 import Tag

from monitor.errors import FetchError
from monitor.models import Item
from monitor.options import OptionError
from monitor.sources.callinfo import read_detail, with_window
from monitor.sources.document import (
    Document,
    ParseContext,
    document_collector,
    unique_by_uid,
)
from monitor.sources.markup import block_text, check_url, document_base, html_soup, http_link
from monitor.swedish_dates import CallWindow, find_dates, parse_datetime, read_call_window
from monitor.text import clean_text

_SELECTOR_KEYS = ("item", "title", "link", "date", "summary", "deadline")


@dataclass(frozen=True)
class HtmlOptions:
    url: str
    item: str  # each item on the page, e.g. "li.sv-channel-item" or "article.post"
    title: str  # within an item, e.g. "h2.entry-title"
    link: str | None = None  # within an item; default: the title's link, else the item's
    date: str | None = None  # its `datetime` attribute, else its text
    summary: str | None = None
    deadline: str | None = None  # text such as "Sista ansökningsdag: 2024-10-16"
    category: str = field(default="news", metadata={"choices": ("call", "news")})
    follow: bool = False  # open each new call's page once for its deadline and status

    def __post_init__(self) -> None:
        check_url(self.url)
        if self.follow and self.category != "call":
            message = "is for calls (it opens each new call's page for its dates)"
            raise OptionError(f'{message}; set category = "call"', "follow")
        for key in _SELECTOR_KEYS:
            check_selector(getattr(self, key), key)


def check_selector(selector: str | None, key: str) -> None:
    if selector is None:
        return
    if not selector.strip():
        raise OptionError("a CSS selector cannot be empty", key)
    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        first = str(exc).splitlines()[0]
        raise OptionError(f"{selector!r} is not a valid CSS selector ({first})", key) from exc


def parse_page(document: Document, context: ParseContext) -> list[Item]:
    """Listing page bytes -> one item per element matching the `item` selector."""
    options: HtmlOptions = context.options
    soup = html_soup(document.content, document.charset)
    elements = soup.select(options.item)
    if not elements:
        raise FetchError(
            f"inget element matchar postväljaren '{options.item}' (item); "
            "sidans layout kan ha ändrats"
        )
    base = document_base(soup, document.url)
    items = unique_by_uid(_element_item(element, base, context) for element in elements)
    if not items:
        raise FetchError(
            f"{len(elements)} element matchar postväljaren '{options.item}' (item) men inget har "
            f"en rubrik som matchar '{options.title}' (title); sidans layout kan ha ändrats"
        )
    return items


def _element_item(element: Tag, base: str, context: ParseContext) -> Item | None:
    options: HtmlOptions = context.options
    title_element = element.select_one(options.title)
    title = clean_text(title_element.get_text(" ")) if title_element else ""
    if not title:
        return None  # an ad or a heading row among the items
    link = _link(element, title_element, options.link, base)
    published = _published(element.select_one(options.date)) if options.date else None
    summary = ""
    if options.summary:
        summary_element = element.select_one(options.summary)
        summary = clean_text(summary_element.get_text(" ")) if summary_element else ""
    item = Item(
        source=context.source_id,
        uid=link or title,
        kind="call" if options.category == "call" else "news",
        title=title,
        url=link,
        summary=summary,
        published=published,
    )
    if item.kind == "call":
        reference = published.date() if published else None
        deadline_element = element.select_one(options.deadline) if options.deadline else None
        window = _listing_window(element, deadline_element, reference)
        item = with_window(item, window, context.today)
    return item


def _listing_window(
    element: Tag, deadline_element: Tag | None, reference: date | None
) -> CallWindow:
    """A call's dates on the listing: the item's chips ("Stänger 1 oktober 2024"), and the
    `deadline` element, whose dates are deadlines even without a label."""
    own_text = block_text(deadline_element) if deadline_element is not None else ""
    window = read_call_window(block_text(element), reference)
    if not own_text:
        return window
    own = read_call_window(own_text, reference)
    dates = own.deadlines
    if not dates and own.opening_date is None:
        dates = tuple(sorted({m.day for m in find_dates(own_text, reference)}))
    return CallWindow(
        own.status or window.status,
        own.opening_date or window.opening_date,
        dates or window.deadlines,
    )


def _link(element: Tag, title: Tag | None, selector: str | None, base: str) -> str | None:
    if selector is not None:
        chosen = element.select_one(selector)
        return http_link(_href(chosen), base) if chosen is not None else None
    href = _href(title) if title is not None else None
    if href is None and title is not None:
        # <a href="..."><h3>Title</h3></a>: the title sits inside its link.
        parent = title.find_parent("a", href=True)
        if parent is not None and any(a is element for a in parent.parents):
            href = _href(parent)
    if href is None:
        # A title without a link: the item's own ("Läs mer" beside the heading). A title whose
        # link is no web address (javascript:) has no link; another one would be a guess.
        href = _href(element)
    return http_link(href, base)


def _href(element: Tag) -> str | None:
    """The element's own href, else that of the first link inside it."""
    anchor = element if element.name == "a" and element.has_attr("href") else None
    anchor = anchor or element.find("a", href=True)
    href = anchor.get("href") if isinstance(anchor, Tag) else None
    return href if isinstance(href, str) else None


def _published(element: Tag | None) -> datetime | None:
    if element is None:
        return None
    machine = element.get("datetime")
    if isinstance(machine, str):
        moment = parse_datetime(machine)
        if moment is not None:
            return moment
    return parse_datetime(clean_text(element.get_text(" ")))


collect = document_collector(parse_page, read_detail=read_detail)

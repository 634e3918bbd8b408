"""What `monitor sources check` says of one source: the figures of its items and, when it
found nothing, what the page offers instead. Pure: it reads what a check fetched and parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monitor.models import Item
from monitor.sources.platform import PageSignals, read_signals, selector_platform

_SELECTOR_KEYS = ("item", "title", "link", "date", "summary", "deadline")


@dataclass(frozen=True)
class Figures:
    items: int
    newest: str  # the newest date an item carries (published, else opening), or "-"
    dated: str  # "9/12": items with any date read
    missing: str  # "date 3, summary 12": items without each field, or "-"


def figures(items: Sequence[Item]) -> Figures:
    days = [i.published.date() for i in items if i.published] or [
        i.opening_date for i in items if i.opening_date
    ]
    dated = sum(bool(i.published or i.deadline or i.deadlines or i.opening_date) for i in items)
    gaps = {
        "link": sum(not i.url for i in items),
        "date": sum(i.published is None for i in items),
        "summary": sum(not i.summary for i in items),
        "deadline": sum(i.kind == "call" and not i.deadlines for i in items),
    }
    missing = ", ".join(f"{name} {n}" for name, n in gaps.items() if n) or "-"
    newest = max(days).isoformat() if days else "-"
    return Figures(len(items), newest, f"{dated}/{len(items)}" if items else "-", missing)


def signals(content: bytes | None, content_type: str, charset: str | None, url: str) -> PageSignals:
    return PageSignals() if content is None else read_signals(content, content_type, charset, url)


def advice(options: Any, page: PageSignals, *, found_nothing: bool) -> list[str]:
    """Sentences for an admin: a selector written for another platform, and, when nothing was
    found, the feeds and APIs the page offers instead."""
    said: list[str] = []
    selectors = tuple(getattr(options, key, None) for key in _SELECTOR_KEYS)
    written_for = selector_platform(selectors)
    if written_for and page.platform and written_for != page.platform:
        said.append(
            f"the selectors use {written_for} class names but the site runs {page.platform} "
            f"({page.why})"
        )
    if found_nothing and page.offers:
        offered = "; ".join(f"{offer.what} {offer.url}" for offer in page.offers)
        said.append(f"the page offers instead: {offered}")
    return said

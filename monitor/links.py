"""Whether a URL from a source may become a link: the one rule for every layer that links (the
notifiers' markup, the Markdown digest, the yearly HTML report, the iCalendar export).

A source writes what it likes into an item's URL: `javascript:alert(1)`, `data:` URIs, a URL
with CR/LF that breaks a line-based format (iCalendar). Only an absolute http(s) URL with a
host, without control characters and of sane length, is linked; anything else is shown as text
or left out.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

MAX_URL = 1500  # longer links are shown as text: a link must never eat a section's budget
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) with a host and no control characters, with `|`, `<`, `>`,
    quotes and spaces percent-encoded (so it cannot break out of a Slack link or an HTML
    attribute); else None."""
    if not url or len(url) > MAX_URL or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")

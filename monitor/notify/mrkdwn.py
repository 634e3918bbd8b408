"""Slack mrkdwn that cannot be abused by what a source wrote.

Slack reads `<...>` as links, mentions (`<@U123>`, `<!channel>`) and commands, so every text
from a source has `&`, `<` and `>` escaped, as Slack's docs require. Only http(s) URLs become
links, and a URL is percent-encoded where it could break out of `<url|label>`.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

MAX_URL = 1500  # longer links are shown as text: a link must never eat a section's budget


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) and usable in a Slack link, with `|`, `<`, `>` and spaces
    percent-encoded; else None."""
    if not url or len(url) > MAX_URL:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def link(url: str | None, label: str) -> str:
    """`<url|label>` for a safe URL, else the escaped label alone."""
    target = safe_url(url)
    shown = escape(label)
    return f"<{target}|{shown}>" if target else shown


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending with … when cut (for titles, never for lists)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

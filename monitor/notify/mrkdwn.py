"""Slack mrkdwn that cannot be abused by what a source wrote.

Slack reads `<...>` as links, mentions (`<@U123>`, `<!channel>`) and commands, so every text
from a source has `&`, `<` and `>` escaped, as Slack's docs require. Only http(s) URLs become
links (`monitor.links.safe_url`), and a URL is percent-encoded where it could break out
of `<url|label>`.
"""

from __future__ import annotations

from monitor.links import safe_url


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str | None, label: str) -> str:
    """`<url|label>` for a safe URL, else the escaped label alone."""
    target = safe_url(url)
    shown = escape(label)
    return f"<{target}|{shown}>" if target else shown


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending with … when cut (for titles, never for lists)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

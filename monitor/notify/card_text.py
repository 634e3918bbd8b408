"""Adaptive Card TextBlock text that cannot be abused by what a source wrote.

A TextBlock's text is Markdown, a subset: `**bold**`, `_italic_`, `[text](url)`, `- ` and
`1. ` lists (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/
cards-format). HTML is not supported, but Teams reads `<at>name</at>` as a mention when the
card names it.

Backslash escapes are not the way: Teams' renderers disagree on them. The shared parser of the
mobile apps (microsoft/AdaptiveCards, source/shared/cpp/ObjectModel/MarkDownBlockParser.cpp)
drops the backslash only before `*`, `_`, `[`, `]` and `)` and shows it before anything else,
and its backslash handling has differed per platform for years (AdaptiveCards#4677, #5590,
#5758, msteams-docs#5793; `\\*` on iOS fixed only in Teams-AdaptiveCards-Mobile#83, 2024).
Character references are: CommonMark reads `&#42;` as a literal `*`, never as markup (spec
6.2, "Entity and numeric character references"), which is what Teams on the desktop and the web
renders; the mobile parser passes them through untouched into the HTML it builds, which shows
the character. So every markup character of a source's text becomes its reference:
`* _ [ ] \\ ` ~ < > &` and `#` (parentheses stay: with every bracket referenced they cannot
make a link), and a list marker at the start of a line (`- `, `+ `, `1. `) loses its power the
same way. Line breaks become spaces: a new line could start a list.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from monitor.links import safe_url

_REFERENCES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "\\": "&#92;",
    "`": "&#96;",
    "~": "&#126;",
    "#": "&#35;",
}
_MARKUP = re.compile("[" + re.escape("".join(_REFERENCES)) + "]")
_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# A list item's start: "- ", "+ ", "12. " or "12) " ("* " is referenced already).
_LIST_START = re.compile(r"^(\s*)(?:([-+])|(\d+)([.)]))(?=\s)")


def escape(text: str, *, line_start: bool = True) -> str:
    """`text` as Markdown that shows exactly `text`. `line_start`: the text begins a line, where
    `- ` or `1. ` would start a list."""
    flat = _BREAKS.sub(" ", text)
    shown = _MARKUP.sub(lambda m: _REFERENCES[m.group()], flat)
    if line_start:
        shown = _LIST_START.sub(_unlisted, shown, count=1)
    return shown


def _unlisted(match: re.Match[str]) -> str:
    space, sign, number, delimiter = match.groups()
    if sign:
        return f"{space}&#{ord(sign)};"
    return f"{space}{number}&#{ord(delimiter)};"


def markdown_url(url: str | None) -> str | None:
    """The URL to put in `[text](url)` if it is http(s) (`links.safe_url` decides), with the
    characters that would end or break the link (`( ) [ ] < >`, spaces, `\\`) percent-encoded
    outside the host; else None."""
    safe = safe_url(url)
    if safe is None:
        return None
    parts = urlsplit(safe)
    tail = [quote(p, safe=":/?#@!$&'*+,;=%~-._") for p in (parts.path, parts.query, parts.fragment)]
    return urlunsplit((parts.scheme, parts.netloc, tail[0], tail[1], tail[2]))

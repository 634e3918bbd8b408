"""Source kind `rss`: RSS 0.9x/1.0/2.0 and Atom feeds, read by feedparser.

A feed with problems but with entries (feedparser's "bozo": a wrong charset label, a stray
ampersand, a body cut off after some entries) is read as far as it goes, as readers do (a
feed cut off says so in the run's warnings); a document with no entries that is not a feed
(an HTML page, JSON, garbage) is an error.

A feed that declares its own XML entities is refused: feedparser's fallback parser expands
such entities without limit, so one 200 kB entity referenced 20,000 times would grow to 4 GB
(the "quadratic blowup" bomb; expat's own limit only guards the strict parser). Feeds never
need entity declarations.
"""

from __future__ import annotations

import calendar
import dataclasses
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
from feedparser.encodings import convert_to_utf8

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
from monitor.sources.markup import check_url, http_link
from monitor.sources.portal_links import portal_identifier
from monitor.swedish_dates import parse_datetime, read_call_window
from monitor.text import clean_text

_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
_COMMENT_OR_PI = re.compile(rb"<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)", re.DOTALL)
_UNTITLED_LENGTH = 100
_C1 = re.compile("[\x80-\x9f]")


@dataclass(frozen=True)
class RssOptions:
    url: str
    category: str = field(default="news", metadata={"choices": ("call", "news")})
    # Open each new call's own page once to read its deadline and status from the text.
    follow: bool = False

    def __post_init__(self) -> None:
        check_url(self.url)
        if self.follow and self.category != "call":
            message = "is for calls (it opens each new call's page for its dates)"
            raise OptionError(f'{message}; set category = "call"', "follow")


def parse_feed(document: Document, context: ParseContext) -> list[Item]:
    """Feed bytes -> items; FetchError when the document is not a feed."""
    if not document.content.strip():
        raise FetchError("svaret är tomt, inte ett RSS- eller Atom-flöde")
    content_type = document.content_type or "application/xml"
    if document.charset:
        content_type += f"; charset={document.charset}"
    headers = {"content-type": content_type, "content-location": document.url}
    if _declares_entities(document.content, headers):
        raise FetchError(
            "flödet deklarerar egna XML-entiteter (<!ENTITY>), som flöden aldrig behöver och "
            "som kan vara en entitetsbomb; det lästes inte"
        )
    # Bytes in a BytesIO: feedparser would take bare bytes for a file name and open it.
    # Its HTML sanitiser and its resolving of links inside the HTML are left out: every text
    # becomes plain text here (clean_text drops scripts, styles and tags), so they changed
    # nothing we keep, and they were a sixth of the parsing time.
    try:
        parsed = feedparser.parse(
            io.BytesIO(document.content),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser reports problems as "bozo"; anything else is odd input
        raise FetchError(f"flödet kunde inte läsas ({type(exc).__name__}: {exc})") from exc
    entries = _whole_entries(parsed.get("entries") or [], document.content)
    if not entries:
        if parsed.get("bozo") or not parsed.get("version"):
            raise FetchError(
                f"svaret är inte ett RSS- eller Atom-flöde: {_why_not(parsed, document)}"
            )
        return []  # a real feed with nothing in it
    language = _language(parsed.get("feed", {}).get("language"))
    return unique_by_uid(_entry_item(entry, document, context, language) for entry in entries)


# The end of a feed's root element (`</rss>`, `</feed>`, `</rdf:RDF>`, with any prefix),
# looked for in the document's last bytes: a cache's comment may follow it.
_ROOT_END = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|RDF)\s*>")
_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_TAIL = 4096


def _is_cut(content: bytes) -> bool:
    if content[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in content[:64]:
        return False  # UTF-16 bytes: the tags are not these bytes (and such feeds are rare)
    return _ROOT_END.search(content[-_TAIL:]) is None


def _whole_entries(entries: list[Any], content: bytes) -> list[Any]:
    """feedparser keeps the entry a cut-off feed ends in, with what arrived of it. It is kept
    too, unless the feed's other entries have a guid and its guid did not arrive: stored
    under its link it would become a second item once the whole feed comes."""
    if not entries or not _is_cut(content):
        return entries
    closed = len(_ENTRY_END.findall(content))
    if closed >= len(entries) or entries[-1].get("id"):
        return entries
    if any(entry.get("id") for entry in entries[:closed]):
        return entries[:-1]
    return entries


def _entry_item(
    entry: dict[str, Any], document: Document, context: ParseContext, language: str | None
) -> Item | None:
    options: RssOptions = context.options
    link = http_link(_text(entry, "link"), document.url)
    summary = clean_text(_text(entry, "summary"))
    title = clean_text(_text(entry, "title")) or _shortened(summary)
    uid = _text(entry, "id").strip() or link or title
    if not uid or not title:
        return None
    published = _published(entry)
    item = Item(
        source=context.source_id,
        uid=uid,
        kind="call" if options.category == "call" else "news",
        title=title,
        url=link,
        summary=summary,
        published=published,
        keywords=_tags(entry),
        language=_language(_text(entry, "language")) or language,
    )
    if item.kind == "call":
        # A call on the portal's own RSS is the portal's call: the same identifier folds the
        # two into one in the digest (the item's uid stays the feed's, so the portal's richer
        # record is the one shown).
        item = dataclasses.replace(item, identifier=portal_identifier(link))
        # A feed item rarely carries dates, but a teaser saying "stänger 1 oktober 2024" does.
        reference = published.date() if published else None
        window = read_call_window(f"{title}\n{summary}\n{_content(entry)}", reference)
        item = with_window(item, window, context.today)
    return item


def _declares_entities(content: bytes, headers: dict[str, str]) -> bool:
    """Whether the prolog declares entities, looked for in the bytes feedparser will parse
    (after its own charset conversion, so no encoding trick hides a declaration)."""
    try:
        data = convert_to_utf8(dict(headers), content, {})
    except Exception:  # its conversion failing is feedparser's own error to report later
        data = content
    # A comment may hold what looks like the root element ("<!-- <a -->") and hide a
    # declaration after it: comments and processing instructions are no part of the search.
    prolog = _COMMENT_OR_PI.sub(b" ", data)
    root = _ROOT_ELEMENT.search(prolog)
    return b"<!ENTITY" in prolog[: root.start() if root else len(prolog)]


def _why_not(parsed: dict[str, Any], document: Document) -> str:
    kind = document.content_type or "ingen innehållstyp"
    if "html" in kind or re.search(rb"<html[\s>]", document.content[:2048], re.IGNORECASE):
        return f"det är en HTML-sida ({kind})"
    problem = parsed.get("bozo_exception")
    if problem is not None and str(problem):
        return f"{str(problem).splitlines()[0][:200]} ({kind})"
    return f"det har inget rss-, RDF- eller feed-element ({kind})"


def _published(entry: dict[str, Any]) -> datetime | None:
    # dict.get: feedparser maps a missing 'updated' to 'published' with a DeprecationWarning.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(entry, key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    for key in ("published", "updated"):
        moment = parse_datetime(_text(entry, key))
        if moment is not None:
            return moment
    return None


def _content(entry: dict[str, Any]) -> str:
    """The full text (content:encoded, Atom content), read for dates but not stored."""
    parts = dict.get(entry, "content") or []
    return " ".join(clean_text(p.get("value")) for p in parts if isinstance(p, dict))


def _tags(entry: dict[str, Any]) -> tuple[str, ...]:
    terms: list[str] = []
    for tag in dict.get(entry, "tags") or []:
        term = clean_text(tag.get("term") if isinstance(tag, dict) else None)
        if term and term not in terms:
            terms.append(term)
    return tuple(terms)


def _text(entry: dict[str, Any], key: str) -> str:
    value = dict.get(entry, key)
    return _C1.sub(_windows_1252, value) if isinstance(value, str) else ""


def _windows_1252(found: re.Match[str]) -> str:
    """C1 control characters are never text: they are Windows-1252 bytes (an en dash, curly
    quotes) in a feed labelled ISO-8859-1, as servers often label it."""
    return bytes([ord(found.group())]).decode("cp1252", "ignore")


def _language(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    found = re.match(r"\s*([A-Za-z]{2,3})\b", value)
    return found.group(1).lower() if found else None


def _shortened(text: str) -> str:
    if len(text) <= _UNTITLED_LENGTH:
        return text
    return text[:_UNTITLED_LENGTH].rsplit(" ", 1)[0] + " …"


def cut_short(document: Document, items: list[Item]) -> str | None:
    """A feed that ends before its root element closes was cut off (a proxy's size limit, a
    server that died mid-answer): the entries before the cut are read, but later ones
    are missing until a whole answer comes, which the group should know rather than guess."""
    if not items or not _is_cut(document.content):
        return None  # nothing read is an error already
    return (
        f"flödet slutar före sin avslutande tagg (avbrutet på vägen?): de {len(items)} "
        "posterna före avbrottet lästes; resten kommer med ett helt svar"
    )


collect = document_collector(parse_feed, read_detail=read_detail, check=cut_short)

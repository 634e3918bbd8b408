"""Source kind `json`: a JSON API (Vinnova's open data, a WordPress REST endpoint).

Fields are found by dotted paths: `title.rendered` (WordPress), `WebTextLista.0.TextSv` (a list
index is a number). Dates may be ISO 8601 text, epoch seconds or milliseconds, or Swedish text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.errors import FetchError
from monitor.models import Item
from monitor.options import OptionError
from monitor.sources.callinfo import with_window
from monitor.sources.document import (
    Document,
    ParseContext,
    document_collector,
    unique_by_uid,
)
from monitor.sources.markup import check_url, http_link
from monitor.swedish_dates import MAX_YEAR, MIN_YEAR, CallWindow, parse_datetime
from monitor.text import clean_text

_PATH_KEYS = ("items", "uid", "title", "link", "date", "summary", "deadline", "opening_date")
_MISSING = object()
_FALSE_WORDS = {"", "0", "false", "no", "nej", "n"}
# Epoch numbers above this are milliseconds (1e11 seconds is the year 5138).
_MILLISECONDS_FROM = 100_000_000_000


@dataclass(frozen=True)
class JsonOptions:
    url: str
    title: str  # e.g. "title.rendered" (WordPress), "Titel" (Vinnova)
    items: str = ""  # where the list is; "" = the answer itself is the list
    uid: str | None = None  # default: the link, else the title
    link: str | None = None
    date: str | None = None  # when published
    summary: str | None = None
    deadline: str | None = None  # a date or a list of dates
    opening_date: str | None = None
    only_if: str | None = None  # keep an item only when this field is true, e.g. "Publik"
    category: str = field(default="news", metadata={"choices": ("call", "news")})

    def __post_init__(self) -> None:
        check_url(self.url)
        for key in (*_PATH_KEYS, "only_if"):
            path = getattr(self, key)
            if path is None or (key == "items" and path == ""):
                continue
            if not path or any(not part.strip() for part in path.split(".")):
                raise OptionError(f"{path!r} is not a path; write field names joined by dots", key)


def parse_json(document: Document, context: ParseContext) -> list[Item]:
    """JSON bytes -> items; FetchError naming what is missing when the answer has changed."""
    options: JsonOptions = context.options
    data = _load(document)
    rows = resolve(data, options.items)
    where = f"'{options.items}' (sökvägen 'items')" if options.items else "översta nivån"
    if rows is _MISSING:
        raise FetchError(f"svaret har inget på {where}; det är {_shape(data)}")
    if not isinstance(rows, list):
        raise FetchError(f"svaret har {_kind(rows)} på {where}, inte en lista med poster")
    items = unique_by_uid(
        _row_item(row, document, context)
        for row in rows
        if not options.only_if or _true(resolve(row, options.only_if))
    )
    if rows and not items and not options.only_if:
        raise FetchError(
            f"ingen av de {len(rows)} posterna har en text på '{options.title}' "
            f"(sökvägen 'title'); den första är {_shape(rows[0])}"
        )
    return items


def resolve(data: Any, path: str) -> Any:
    """The value at a dotted path (`a.0.b`), or _MISSING."""
    if not path:
        return data
    value = data
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and re.fullmatch(r"-?\d+", part):
            index = int(part)
            if not -len(value) <= index < len(value):
                return _MISSING
            value = value[index]
        else:
            return _MISSING
    return value


def _row_item(row: Any, document: Document, context: ParseContext) -> Item | None:
    options: JsonOptions = context.options
    title = _text(resolve(row, options.title))
    if not title:
        return None
    link = http_link(_text(_path(row, options.link)), document.url)
    uid = _text(_path(row, options.uid)) or link or title
    published = _moment(_path(row, options.date))
    item = Item(
        source=context.source_id,
        uid=uid,
        kind="call" if options.category == "call" else "news",
        title=title,
        url=link,
        summary=_text(_path(row, options.summary)),
        published=published,
    )
    if item.kind == "call":
        deadlines = tuple(sorted(set(_dates(_path(row, options.deadline), context.zone))))
        opening = min(_dates(_path(row, options.opening_date), context.zone), default=None)
        item = with_window(item, CallWindow(None, opening, deadlines), context.today)
    return item


def _load(document: Document) -> Any:
    content: bytes | str = document.content
    kind = document.content_type or "no content type"
    charset = (document.charset or "").lower().replace("_", "-")
    if charset and charset not in ("utf-8", "utf8"):
        # JSON is UTF-8 by its RFC, but a server that says otherwise is believed.
        try:
            content = document.content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            content = document.content
    if not content.strip():
        raise FetchError(f"svaret är tomt, inte JSON ({kind})")
    try:
        return json.loads(content)
    except UnicodeDecodeError as exc:
        raise FetchError(f"svaret är inte UTF-8-text, vilket JSON måste vara ({kind})") from exc
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(content.rstrip()) or exc.msg.startswith("Unterminated")
        cut = " (svaret kan ha kapats)" if at_end else ""
        raise FetchError(
            f"svaret är inte giltig JSON: {exc.msg} på rad {exc.lineno}, "
            f"kolumn {exc.colno}{cut} ({kind})"
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise FetchError(f"svaret är inte giltig JSON: {exc} ({kind})") from exc


def _path(row: Any, path: str | None) -> Any:
    return _MISSING if path is None else resolve(row, path)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return " ".join(t for t in map(_text, value) if t)
    return ""


def _dates(value: Any, zone: ZoneInfo) -> list[date]:
    values = value if isinstance(value, list) else [value]
    found = []
    for one in values:
        moment = _moment(one)
        if moment is not None:
            # Epoch instants are read in settings.timezone; written dates are taken as written.
            local = moment.astimezone(zone) if _is_number(one) else moment
            found.append(local.date())
    return found


def _moment(value: Any) -> datetime | None:
    if _is_number(value):
        number = float(value)
        seconds = number / 1000 if abs(number) >= _MILLISECONDS_FROM else number
        try:
            moment = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return moment if MIN_YEAR <= moment.year <= MAX_YEAR else None
    return parse_datetime(value) if isinstance(value, str) else None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == value and abs(value) != float("inf")  # not NaN or infinity
    return isinstance(value, str) and value.strip().isdigit() and len(value.strip()) >= 9


def _true(value: Any) -> bool:
    if value is _MISSING or value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_WORDS
    return bool(value)


def _kind(value: Any) -> str:
    return {dict: "ett objekt", str: "en text", bool: "sant eller falskt", type(None): "null"}.get(
        type(value), "ett tal" if isinstance(value, int | float) else type(value).__name__
    )


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:12]) or "inga"
        return f"ett objekt med nycklarna {keys}"
    if isinstance(value, list):
        return f"en lista med {len(value)}"
    return _kind(value)


collect = document_collector(parse_json)

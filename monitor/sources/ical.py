"""Source kind `ical`: an iCalendar feed of call windows (interreg.no, The Events Calendar).

Each VEVENT is a call open from DTSTART to DTEND:

- An all-day DTEND is exclusive (RFC 5545): DTEND;VALUE=DATE:20240607 closes on 6 June. A
  timed DTEND at exactly 00:00 likewise closes at the end of the day before.
- A timed DTEND is read in its own time zone (TZID); UTC times in settings.timezone; floating
  times as written. Without DTEND, DURATION gives the end; without both, the event is a
  deadline on its start day. An event that starts and ends on one day is a deadline, not a
  window: it gets no opening date.
- A calendar cut off before END:VCALENDAR is an error, whatever events precede the cut: a
  truncated body must show in the fetch log, not pass as a calendar with fewer events.
- Cancelled events are left out; recurring events count once, as their first occurrence.
- The Events Calendar writes UIDs as <post id>-<start epoch>-<end epoch>@<host>; the times are
  dropped from the uid, so a moved deadline is a change to the same call, not a new call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from monitor.errors import FetchError
from monitor.models import Item
from monitor.sources.callinfo import with_window
from monitor.sources.document import (
    Document,
    ParseContext,
    document_collector,
    unique_by_uid,
)
from monitor.sources.markup import check_url, decode_markup, http_link
from monitor.swedish_dates import MAX_YEAR, MIN_YEAR, CallWindow
from monitor.text import clean_text

_BEGIN = re.compile(r"^\s*BEGIN:VCALENDAR\s*$", re.IGNORECASE | re.MULTILINE)
_END = re.compile(r"^END:VCALENDAR\s*$", re.IGNORECASE | re.MULTILINE)
_EVENTS_CALENDAR_UID = re.compile(r"^(\d+)-\d{9,11}-\d{9,11}@(.+)$")


@dataclass(frozen=True)
class IcalOptions:
    url: str
    category: str = field(default="call", metadata={"choices": ("call", "news")})

    def __post_init__(self) -> None:
        check_url(self.url)


def parse_calendar(document: Document, context: ParseContext) -> list[Item]:
    """Calendar bytes -> one item per event; FetchError for a non-calendar or a cut-off one."""
    text = decode_markup(document.content, document.charset)
    begin = _BEGIN.search(text)
    if begin is None or text[: begin.start()].strip("\ufeff \t\r\n"):
        kind = document.content_type or "ingen innehållstyp"
        raise FetchError(
            f"svaret är ingen iCalendar-kalender: det börjar inte med BEGIN:VCALENDAR ({kind})"
        )
    if _END.search(text) is None:
        complete = len(re.findall(r"^END:VEVENT\s*$", text, re.IGNORECASE | re.MULTILINE))
        raise FetchError(
            "kalendern är avbruten: den saknar END:VCALENDAR (svaret kan ha kapats); "
            f"dess {complete} hela händelser sparades inte"
        )
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise FetchError(f"kalendern kan inte läsas: {message}") from exc
    events = [e for c in calendars for e in c.walk("VEVENT")]
    items = unique_by_uid(_event_item(event, document, context) for event in events)
    if events and not items:
        raise FetchError(
            f"ingen av kalenderns {len(events)} händelser har en rubrik och en starttid"
        )
    return items


def _event_item(event: Any, document: Document, context: ParseContext) -> Item | None:
    if _text(event, "STATUS").upper() == "CANCELLED":
        return None
    title = clean_text(_text(event, "SUMMARY"))
    start = _when(event, "DTSTART")
    if not title or start is None:
        return None
    url = http_link(_text(event, "URL"), document.url) or document.url
    created = _when(event, "CREATED")
    published = _instant(created) if created is not None else _instant(start)
    item = Item(
        source=context.source_id,
        uid=_uid(_text(event, "UID")) or f"{title}@{_day(start, context.zone).isoformat()}",
        kind="call" if context.options.category == "call" else "news",
        title=title,
        url=url,
        summary=clean_text(_text(event, "DESCRIPTION")),
        published=published,
    )
    if item.kind == "news":
        return item
    opening, deadline = _window(start, _end(event, start), context.zone)
    return with_window(item, CallWindow(None, opening, (deadline,)), context.today)


def _window(
    start: date | datetime, end: date | datetime | None, zone: ZoneInfo
) -> tuple[date | None, date]:
    """(opening, deadline) of an event, by the rules in this module's docstring."""
    first = _day(start, zone)
    if end is None:
        return None, first
    if isinstance(end, datetime):
        local = _local(end, zone)
        last = local.date()
        if local.time() == time(0):
            last -= timedelta(days=1)
    else:
        last = end - timedelta(days=1)
    last = max(last, first)
    return (first if first < last else None), last


def _end(event: Any, start: date | datetime) -> date | datetime | None:
    end = _when(event, "DTEND")
    if end is not None:
        return end
    duration = _dt(event.get("DURATION"))
    if isinstance(duration, timedelta) and duration > timedelta(0):
        try:
            return start + duration
        except OverflowError:
            return None
    return None


def _when(event: Any, name: str) -> date | datetime | None:
    value = _dt(event.get(name))
    if not isinstance(value, date) or not MIN_YEAR <= value.year <= MAX_YEAR:
        return None  # missing, or a broken value the library kept as text
    return value


def _dt(prop: Any) -> Any:
    """A property's value; None for a broken one (the library raises on reading it)."""
    try:
        return getattr(_first(prop), "dt", None)
    except ValueError:  # icalendar's BrokenCalendarProperty
        return None


def _day(value: date | datetime, zone: ZoneInfo) -> date:
    return _local(value, zone).date() if isinstance(value, datetime) else value


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    """A time in its own zone; a UTC time in `zone` (settings.timezone), where calls are read."""
    utc = value.tzinfo is UTC or getattr(value.tzinfo, "key", None) in ("UTC", "Etc/UTC")
    return value.astimezone(zone) if utc else value


def _instant(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(0), tzinfo=UTC)


def _uid(value: str) -> str:
    value = value.strip()
    found = _EVENTS_CALENDAR_UID.match(value)
    return f"{found.group(1)}@{found.group(2)}" if found else value


def _text(event: Any, name: str) -> str:
    value = _first(event.get(name))
    return str(value) if value is not None else ""


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


collect = document_collector(parse_calendar)

"""Calls as an iCalendar file: one all-day event per deadline, and per opening of a forthcoming
call, for Outlook and other calendars.

UIDs are derived from the item and which date it is (deadline 1, 2, ...; opening), never from
the date itself, so when a deadline moves a calendar that imports the file again moves the
event instead of adding a second one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO

from icalendar import Calendar, Event

from monitor.links import safe_url

_WORDS = {
    "sv": {
        "deadline": "Sista dag",
        "opening": "Öppnar",
        "name": "EU-bevakning: utlysningar",
        "tracked_name": "EU-bevakning: bevakade ansökningar",
        "units": "Förvaltning",
    },
    "en": {
        "deadline": "Deadline",
        "opening": "Opens",
        "name": "EU monitoring: calls",
        "tracked_name": "EU monitoring: tracked applications",
        "units": "Department",
    },
}


def event_uid(item_id: str, which: str) -> str:
    digest = hashlib.sha1(f"{item_id}|{which}".encode()).hexdigest()[:32]
    return f"{digest}@eu-bevakning"


def write_ics(
    rows: Iterable[dict[str, Any]],
    out: TextIO,
    *,
    now: datetime,
    language: str = "sv",
    units: Mapping[str, list[tuple[str, str]]] | None = None,
) -> int:
    """Write the calendar, stamped `now`; returns the number of events.

    With `units` (item id -> the förvaltningar working on it) it is the group's own calendar:
    each event names them, and its UIDs are its own, so importing it beside the calendar of
    all calls adds the tracked events rather than renaming the others.
    """
    words = _WORDS.get(language, _WORDS["sv"])
    stamp = now.astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//EU-bevakning//monitor//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", words["tracked_name" if units is not None else "name"])
    count = 0
    for row in rows:
        if row["kind"] != "call":
            continue
        dates = [
            (f"deadline-{n}", words["deadline"], date.fromisoformat(d))
            for n, d in enumerate(row["deadlines"], start=1)
        ]
        if row["status"] == "forthcoming" and row["opening_date"]:
            dates.append(("opening", words["opening"], date.fromisoformat(row["opening_date"])))
        tracked = units.get(row["id"], []) if units is not None else None
        for which, label, day in dates:
            calendar.add_component(_event(row, which, label, day, stamp, tracked, words))
            count += 1
    out.write(calendar.to_ical().decode("utf-8"))
    return count


def _event(
    row: dict[str, Any],
    which: str,
    label: str,
    day: date,
    stamp: datetime,
    tracked: list[tuple[str, str]] | None,
    words: dict[str, str],
) -> Event:
    event = Event()
    event.add("uid", event_uid(row["id"], f"tracked-{which}" if tracked is not None else which))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))  # all-day events end the next day (RFC 5545)
    summary = f"{label}: {row['title']}"
    url = safe_url(row.get("url"))  # no javascript: link, no CR/LF to break the file's lines
    details = [row.get("identifier"), row.get("programme"), url]
    if tracked:
        # The förvaltning first: in a month view only the start of a summary shows.
        summary = f"{', '.join(unit for unit, _ in tracked)} – {summary}"
        named = ", ".join(f"{unit} ({state})" for unit, state in tracked)
        details.insert(0, f"{words['units']}: {named}")
    event.add("summary", summary)
    event.add("description", "\n".join(str(d) for d in details if d))
    if url:
        event.add("url", url)
    if row.get("areas"):
        event.add("categories", row["areas"])
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    return event

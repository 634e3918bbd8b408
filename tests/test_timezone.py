"""Local days are read in `settings.timezone`: a calendar's UTC end, a JSON API's epoch deadline.

22:30 UTC on 10 March 2027 is still 10 March in Stockholm (23:30) but already 11 March in
Helsinki (00:30): a municipality that sets its own zone gets the deadline its officials see.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from helpers import document_site
from helpers.document_site import Site

TODAY = date(2027, 3, 1)
CLOSES = datetime(2027, 3, 10, 22, 30, tzinfo=UTC)
ICAL_URL = "https://calendar.example/calls.ics"
JSON_URL = "https://api.example/calls"

CALENDAR = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:call-1@calendar.example
SUMMARY:Småprojektfonden
DTSTART;VALUE=DATE:20270201
DTEND:{CLOSES:%Y%m%dT%H%M%SZ}
END:VEVENT
END:VCALENDAR
""".encode()
ROWS = json.dumps([{"id": "r1", "title": "Innovationsomgång", "closes": int(CLOSES.timestamp())}])

SOURCES = (
    {"id": "calendar", "kind": "ical", "url": ICAL_URL},
    {
        "id": "api",
        "kind": "json",
        "url": JSON_URL,
        "title": "title",
        "uid": "id",
        "deadline": "closes",
        "category": "call",
    },
)


@pytest.mark.parametrize(
    ("settings", "deadline"),
    [
        ("", "2027-03-10"),  # the default zone, Europe/Stockholm
        ('timezone = "Europe/Stockholm"\n', "2027-03-10"),
        ('timezone = "Europe/Helsinki"\n', "2027-03-11"),
    ],
)
def test_deadlines_are_days_in_the_configured_time_zone(tmp_path, settings, deadline):
    site = Site()
    site.add(ICAL_URL, CALENDAR, "text/calendar")
    site.add(JSON_URL, ROWS.encode(), "application/json")
    run, store = document_site.pipeline(tmp_path, site, TODAY, *SOURCES, settings=settings)
    assert all(o.ok for o in run().outcomes)
    rows = {r["source"]: r for r in store.db["items"].rows}
    assert {source: row["deadline"] for source, row in rows.items()} == {
        "calendar": deadline,
        "api": deadline,
    }

"""Kind `ical`: interreg.no's calendar of call windows (The Events Calendar)."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import document_site
from helpers.document_site import Site, fixture
from monitor.errors import FetchError
from monitor.sources.document import Document, ParseContext
from monitor.sources.ical import IcalOptions, parse_calendar

TODAY = date(2024, 5, 21)  # the day the calendar was captured
FEED = "https://interreg.no/kalender/?ical=1"
CALENDAR = "text/calendar"


def parse(body: bytes, *, today=TODAY, category="call", charset="utf-8"):
    context = ParseContext("interreg-no", IcalOptions(url=FEED, category=category), today)
    return parse_calendar(Document(FEED, body, CALENDAR, charset), context)


def calendar(*events: str) -> bytes:
    """A calendar in The Events Calendar's shape around the given VEVENT bodies."""
    head = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Interreg.no - ECPv6.14.2//NONSGML v1.0//EN\n"
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return (head + body + "END:VCALENDAR\n").encode()


def test_every_event_is_a_call_window():
    europe, sverige_norge, oks, central_baltic = parse(fixture("ical", "interreg_no_kalender.ics"))
    assert europe.uid == "18098@interreg.no"
    assert europe.title == "Europe: Third call for projects"
    assert europe.url == "https://interreg.no/kalender/europe-third-call-for-projects/"
    # DTEND;TZID=Europe/Oslo:20240606T120000: the call closes at noon on 6 June.
    assert (europe.opening_date, europe.deadlines, europe.deadline) == (
        date(2024, 3, 20),
        (date(2024, 6, 6),),
        date(2024, 6, 6),
    )
    assert (europe.kind, europe.source_status, europe.status) == ("call", "open", "open")
    assert europe.summary.startswith("Interreg Europe – Third call for projects The third call")
    assert "\\n" not in europe.summary and "\n" not in europe.summary
    assert europe.published == datetime(2024, 3, 21, 15, 55, 57, tzinfo=UTC)
    # All-day DTEND is exclusive: these match the deadlines the programmes' own pages give.
    assert (sverige_norge.opening_date, sverige_norge.deadline) == (
        date(2018, 1, 15),
        date(2018, 2, 15),
    )
    assert (oks.opening_date, oks.deadline) == (date(2022, 9, 2), date(2022, 9, 23))
    assert (
        oks.url
        == "https://interreg-oks.eu/da/larkannaoss/kalender/evenemang/ansokningsomgang20221.1076.html"
    )
    assert (central_baltic.opening_date, central_baltic.deadline) == (
        date(2023, 9, 25),
        date(2023, 10, 16),
    )
    assert [c.status for c in (sverige_norge, oks, central_baltic)] == ["closed"] * 3
    assert central_baltic.url == FEED  # no URL in the event: the calendar's address


def test_a_window_not_yet_open_is_forthcoming():
    central_baltic = parse(fixture("ical", "interreg_no_kalender.ics"), today=date(2023, 6, 28))[3]
    assert (central_baltic.source_status, central_baltic.status) == ("forthcoming", "forthcoming")


def test_the_real_calendar_cut_off_in_its_first_event_is_an_error():
    with pytest.raises(FetchError) as error:
        parse(fixture("ical", "interreg_no_kalender_ical_excerpt.ics"))
    assert str(error.value) == (
        "kalendern är avbruten: den saknar END:VCALENDAR (svaret kan ha kapats); "
        "dess 0 hela händelser sparades inte"
    )


def test_a_calendar_cut_off_after_complete_events_is_an_error_too():
    whole = fixture("ical", "interreg_no_kalender.ics")
    cut = whole[: whole.index(b"UID:16702")]
    with pytest.raises(FetchError, match=re.escape("dess 3 hela händelser sparades inte")):
        parse(cut)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            fixture("html", "region_ostergotland_aktuellt.html"),
            "börjar inte med BEGIN:VCALENDAR",
        ),
        (b"", "börjar inte med BEGIN:VCALENDAR"),
        (
            b"BEGIN:VCALENDAR\nthis is not a content line\nEND:VCALENDAR\n",
            "kalendern kan inte läsas",
        ),
    ],
    ids=["html", "empty", "garbage-inside"],
)
def test_what_is_not_a_calendar(body, problem):
    with pytest.raises(FetchError, match=re.escape(problem)):
        parse(body)


def test_crlf_and_folded_lines_as_rfc_5545_writes_them():
    text = fixture("ical", "interreg_no_kalender.ics").decode()
    crlf = text.replace(
        "SUMMARY:Europe: Third call for projects", "SUMMARY:Europe: Third call\n  for projects"
    )
    crlf = crlf.replace("\n", "\r\n").encode()
    assert parse(crlf) == parse(fixture("ical", "interreg_no_kalender.ics"))


@pytest.mark.parametrize(
    ("times", "opening", "deadline"),
    [
        # A timed end at midnight closes at the end of the day before.
        ("DTSTART:20240901T090000\nDTEND:20241001T000000", date(2024, 9, 1), date(2024, 9, 30)),
        # UTC times are read in Swedish time: 22:30 UTC on 30 September is 1 October.
        ("DTSTART:20240901T080000Z\nDTEND:20240930T223000Z", date(2024, 9, 1), date(2024, 10, 1)),
        ("DTSTART;VALUE=DATE:20240901\nDURATION:P30D", date(2024, 9, 1), date(2024, 9, 30)),
        # No end: a deadline on the start day; a one-day window is a deadline, not a window.
        ("DTSTART;VALUE=DATE:20241015", None, date(2024, 10, 15)),
        ("DTSTART:20241015T090000\nDTEND:20241015T120000", None, date(2024, 10, 15)),
        ("DTSTART;VALUE=DATE:20241015\nDTEND;VALUE=DATE:20241016", None, date(2024, 10, 15)),
    ],
    ids=["midnight", "utc", "duration", "no-end", "one-day-timed", "one-day-all-day"],
)
def test_event_times(times, opening, deadline):
    (item,) = parse(calendar(f"UID:1@x\nSUMMARY:Frist\n{times}"))
    assert (item.opening_date, item.deadlines) == (opening, (deadline,))


def test_events_cancelled_broken_or_without_uid():
    items = parse(
        calendar(
            "UID:1@x\nSUMMARY:Inställd\nSTATUS:CANCELLED\nDTSTART;VALUE=DATE:20240901",
            "UID:2@x\nSUMMARY:Trasig\nDTSTART:not-a-date",
            "UID:3@x\nDTSTART;VALUE=DATE:20240901",  # no title
            "SUMMARY:Utan UID\nDTSTART;VALUE=DATE:20240901\nDTEND;VALUE=DATE:20241001",
        )
    )
    assert [(i.uid, i.title, i.deadline) for i in items] == [
        ("Utan UID@2024-09-01", "Utan UID", date(2024, 9, 30))
    ]
    no_event = "ingen av kalenderns 2 händelser har en rubrik och en starttid"
    with pytest.raises(FetchError, match=no_event):
        parse(
            calendar(
                "UID:2@x\nSUMMARY:Trasig\nDTSTART:not-a-date", "UID:3@x\nDTSTART:20240901T000000"
            )
        )
    assert parse(calendar()) == []


def test_as_news_an_event_is_dated_not_a_deadline():
    europe = parse(fixture("ical", "interreg_no_kalender.ics"), category="news")[0]
    assert (europe.kind, europe.deadline, europe.status) == ("news", None, None)
    assert europe.published == datetime(2024, 3, 21, 15, 55, 57, tzinfo=UTC)


def test_a_latin1_calendar_is_read():
    body = calendar("UID:1@x\nSUMMARY:Öresund – ansökan\nDTSTART;VALUE=DATE:20240901")
    (item,) = parse(body.decode().encode("cp1252"), charset=None)
    assert item.title == "Öresund – ansökan"


_LINES = st.sampled_from(
    ["BEGIN:VCALENDAR", "END:VCALENDAR", "BEGIN:VEVENT", "END:VEVENT", "UID:1@x", "SUMMARY:Frist",
     "DTSTART;VALUE=DATE:20240901", "DTEND;VALUE=DATE:20240902", "DTSTART:20240901T000000Z",
     "DTEND;TZID=Europe/Oslo:20240606T120000", "DTSTART;TZID=Nowhere/Else:20240606T120000",
     "DURATION:P1D", "DURATION:-P1D", "DTEND:99991231T235959", "STATUS:CANCELLED", " folded",
     "RRULE:FREQ=YEARLY", "BEGIN:VTIMEZONE", "END:VTIMEZONE", "X-:", ":", "", "\x00",
     "DTSTART:garbage", "DTEND:garbage", "DURATION:xyz", "CREATED:bad", "URL:javascript:x",
     "UID:5-1710921600-1717675200@interreg.no", "SUMMARY;LANGUAGE=sv:Öppen", "DTSTART:20240230"]
)  # fmt: skip


@settings(max_examples=200)
@given(st.lists(_LINES, max_size=25).map("\n".join), st.sampled_from(["call", "news"]))
def test_any_calendar_text_gives_items_or_a_fetch_error(text, category):
    with contextlib.suppress(FetchError):
        for item in parse(text.encode(), category=category):
            assert item.uid and item.title


@settings(max_examples=100)
@given(st.binary(max_size=1000))
def test_any_bytes_give_items_or_a_fetch_error(body):
    with contextlib.suppress(FetchError):
        parse(body, charset=None)


# -- through the pipeline ------------------------------------------------------------------------


@pytest.fixture
def pipeline(tmp_path):
    """(run, store) for a sources.toml of the given sources, served by `site`."""
    return lambda site, *sources: document_site.pipeline(tmp_path, site, TODAY, *sources)


SOURCE = {"id": "interreg-no", "kind": "ical", "url": FEED}


def test_calendar_is_stored_and_a_304_parses_nothing(pipeline):
    site = Site()
    site.add(
        FEED,
        fixture("ical", "interreg_no_kalender.ics"),
        "text/calendar; charset=utf-8",
        etag='"ics-1"',
    )
    run, store = pipeline(site, SOURCE)
    (first,) = run().outcomes
    assert first.ok, first.error
    assert (first.items_seen, first.items_new) == (4, 4)
    row = store.db["items"].get("interreg-no:18098@interreg.no")
    assert (row["kind"], row["opening_date"], row["deadline"], row["status"]) == (
        "call",
        "2024-03-20",
        "2024-06-06",
        "open",
    )
    site.pages[FEED].body = b"BEGIN:VCALENDAR\n"
    (second,) = run().outcomes
    assert second.ok and second.not_modified and second.items_seen == 4
    assert site.requests[-1].headers["If-None-Match"] == '"ics-1"'


def test_a_moved_deadline_is_a_change_to_the_same_call(pipeline):
    site = Site()
    text = fixture("ical", "interreg_no_kalender.ics").decode()
    site.add(FEED, text.encode(), CALENDAR)
    run, store = pipeline(site, SOURCE)
    run()
    # The Events Calendar writes the new end into the UID as well.
    moved = text.replace(
        "DTEND;TZID=Europe/Oslo:20240606T120000", "DTEND;TZID=Europe/Oslo:20240613T120000"
    )
    moved = moved.replace("UID:18098-1710921600-1717675200", "UID:18098-1710921600-1718280000")
    site.pages[FEED].body = moved.encode()
    (outcome,) = run().outcomes
    assert (outcome.items_new, outcome.items_changed) == (0, 1)
    (change,) = store.db["item_changes"].rows
    assert (change["item_id"], change["field"], change["old"], change["new"]) == (
        "interreg-no:18098@interreg.no",
        "deadlines",
        "2024-06-06",
        "2024-06-13",
    )


def test_a_cut_off_calendar_fails_alone_and_loses_nothing(pipeline):
    site = Site()
    site.add(FEED, fixture("ical", "interreg_no_kalender.ics"), CALENDAR)
    site.add(
        "https://interreg.no/kalender/2024-05-21/?outlook-ical=1",
        fixture("ical", "interreg_no_kalender_ical_excerpt.ics"),
        CALENDAR,
    )
    site.add(
        "https://www.interreg-sverige-norge.com/kalender/",
        fixture("html", "region_ostergotland_aktuellt.html"),
    )
    sources = [
        SOURCE,
        {
            "id": "cut",
            "kind": "ical",
            "url": "https://interreg.no/kalender/2024-05-21/?outlook-ical=1",
        },
        {"id": "html", "kind": "ical", "url": "https://www.interreg-sverige-norge.com/kalender/"},
    ]
    run, store = pipeline(site, *sources)
    run()
    site.pages[FEED].body = fixture("ical", "interreg_no_kalender_ical_excerpt.ics")
    outcomes = {o.source: o for o in run().outcomes}
    assert "avbruten" in outcomes["interreg-no"].error
    assert "avbruten" in outcomes["cut"].error
    assert "ingen iCalendar-kalender" in outcomes["html"].error
    assert (
        store.db.execute("SELECT count(*) FROM items WHERE source = 'interreg-no'").fetchone()[0]
        == 4
    )

"""The Swedish date reader on the cases in tests/data/swedish_dates.toml and real page texts."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.swedish_dates import (
    CallWindow,
    find_dates,
    parse_date,
    parse_datetime,
    read_call_window,
)

TEXTS = Path(__file__).parent / "fixtures" / "se_text"
CASES = tomllib.loads((Path(__file__).parent / "data" / "swedish_dates.toml").read_text("utf-8"))


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


@pytest.mark.parametrize("case", CASES["date"], ids=lambda c: c["text"][:40])
def test_parse_date(case):
    assert parse_date(case["text"]) == _day(case["date"])


@pytest.mark.parametrize("case", CASES["window"], ids=lambda c: c["file"])
def test_call_window_of_real_page_text(case):
    window = read_call_window((TEXTS / case["file"]).read_text("utf-8"))
    assert window == CallWindow(
        status=case["status"] or None,
        opening_date=_day(case["opening"]),
        deadlines=tuple(date.fromisoformat(d) for d in case["deadlines"]),
    )


def test_find_dates_keeps_order_position_time_and_the_words_before():
    text = "Kommande: Öppnar för ansökningar: 2024-09-04 14:00\nSista ansökningsdatum: 2024-10-16"
    first, second = find_dates(text)
    assert (first.day, first.at, first.context) == (
        date(2024, 9, 4),
        time(14, 0),
        "Kommande: Öppnar för ansökningar:",
    )
    assert text[first.start : first.end] == "2024-09-04 14:00"
    assert (second.day, second.at, second.context) == (
        date(2024, 10, 16),
        None,
        "Sista ansökningsdatum:",
    )


def test_klockan_time_is_read_with_the_date():
    (mention,) = find_dates("stänger 1 oktober 2024 klockan 12.00.")
    assert (mention.day, mention.at) == (date(2024, 10, 1), time(12, 0))


def test_a_range_gives_its_first_date_the_year_of_its_second():
    found = [m.day for m in find_dates("open from 20 March to 7 June 2024 (12:00 noon CEST)")]
    assert found == [date(2024, 3, 20), date(2024, 6, 7)]
    found = [m.day for m in find_dates("Fra den 2.–23. september 2022 tager")]
    assert found == [date(2022, 9, 2), date(2022, 9, 23)]
    found = [m.day for m in find_dates("samlades den 20-21 juni 2023 i Bryssel")]
    assert found == [date(2023, 6, 20), date(2023, 6, 21)]


def test_a_date_without_year_needs_a_reference_and_takes_the_nearest_year():
    text = (TEXTS / "icld_artikel_excerpt.txt").read_text("utf-8")  # "stänger 15 oktober"
    assert find_dates(text) == []
    (mention,) = find_dates(text, reference=date(2021, 9, 1))
    assert (mention.day, mention.year_inferred) == (date(2021, 10, 15), True)
    # Published in January, a deadline "15 oktober" is the one before, not the one 9 months on.
    assert find_dates(text, reference=date(2022, 1, 10))[0].day == date(2021, 10, 15)
    window = read_call_window(text, reference=date(2021, 9, 1))
    assert window.deadlines == (date(2021, 10, 15),)


def test_an_opening_range_gives_opening_and_deadline():
    description = "The third call for project proposals will be open from 20 March to 7 June 2024."
    window = read_call_window(description)
    assert (window.opening_date, window.deadlines) == (date(2024, 3, 20), (date(2024, 6, 7),))
    chip = read_call_window("• Öppen 2024-01-10 – 2024-03-01")
    assert chip == CallWindow("open", date(2024, 1, 10), (date(2024, 3, 1),))


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Stängd för ansökan", "closed"),
        ("Status: Öppen", "open"),
        ("• Kommande\n• Beräknas öppna hösten 2023", "forthcoming"),
        ("Open for applications", "open"),
        ("Closed", "closed"),
        ("Stengt", "closed"),
        ("Åben: 1. marts 2024", "open"),
        # Prose and menu links are not status chips.
        ("Öppen för alla kommuner att söka", None),
        ("Stängda utlysningar", None),
        ("Formas öppna utlysning för forskningsprojekt", None),
        ("Open-air festival in Linköping", None),
    ],
)
def test_status_words(text, status):
    assert read_call_window(text).status == status


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Deadline: 15 March 2024", date(2024, 3, 15)),
        ("Deadline of the Call\n12/09/2024", date(2024, 9, 12)),
        ("Ansøgningsfrist: 1. marts 2024", date(2024, 3, 1)),
        ("Søknadsfrist 15. februar 2018", date(2018, 2, 15)),
        ("Sista ansökningsdag: 2024-11-05", date(2024, 11, 5)),
        ("Ansökan ska vara inne senast den 1 april 2025", date(2025, 4, 1)),
        ("Closing date 30 September 2025", date(2025, 9, 30)),
    ],
)
def test_deadline_labels(text, deadline):
    assert read_call_window(text).deadlines == (deadline,)


def test_dates_that_are_not_the_calls_are_not_deadlines():
    text = (
        "Projektet får pågå till 31 december 2027.\n"
        "Webbinarium 14 februari 2022: Om stöd till europeiska samarbetsprojekt\n"
        "Vårens utlysning stängde 9 mars 2023."
    )
    assert read_call_window(text) == CallWindow()


def test_parse_datetime_keeps_time_and_zone():
    assert parse_datetime("2024-03-19 12:00") == datetime(2024, 3, 19, 12, 0, tzinfo=UTC)
    moment = parse_datetime("2021-01-25T09:00:00+01:00")
    assert moment is not None and moment.utcoffset().total_seconds() == 3600
    assert parse_datetime("19 mars 2024") == datetime(2024, 3, 19, tzinfo=UTC)
    assert parse_datetime("") is None and parse_datetime(None) is None


@settings(max_examples=300)
@given(st.text(), st.none() | st.dates())
def test_the_reader_never_crashes(text, reference):
    for mention in find_dates(text, reference):
        assert 0 <= mention.start < mention.end <= len(text)
    window = read_call_window(text, reference)
    assert list(window.deadlines) == sorted(set(window.deadlines))
    parse_date(text)


_PIECES = st.sampled_from(
    ["19", "mars", "2024", "dec.", "-", "–", "/", ".", ":", " ", "\n", "Stänger", "den", "kl",
     "12.00", "Öppnar", "Frist", "0001", "31", "februari", "2024-03-19", "T", "•", "till"]
)  # fmt: skip


@settings(max_examples=300)
@given(st.lists(_PIECES, max_size=30).map(" ".join), st.none() | st.dates())
def test_the_reader_never_crashes_on_date_like_text(text, reference):
    read_call_window(text, reference)
    parse_datetime(text)

"""The yearly report's count of the förvaltningar's applications, from the tracking history."""

from __future__ import annotations

from monitor.report.applications import Tally, applications

START, END, BEFORE = "2027-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00", "2026-01-01"


def change(item, unit, state, at, amount=None, area="klimat-miljo"):
    return {
        "item_id": item,
        "unit": unit,
        "new_state": state,
        "changed_at": at,
        "amount": amount,
        "area": area,
    }


def test_each_call_counts_in_the_year_it_got_there_and_against_the_year_before():
    history = [
        change("a", "Miljö", "interested", "2026-05-01T10:00:00+00:00"),
        change("a", "Miljö", "submitted", "2026-09-01T10:00:00+00:00", amount=900_000),
        change("a", "Miljö", "granted", "2027-02-01T10:00:00+00:00", amount=800_000),
        change("b", "Kultur", "applying", "2027-03-01T10:00:00+00:00"),
        change("b", "Kultur", "granted", "2027-04-01T10:00:00+00:00"),  # amount given later
        change("b", "Kultur", "granted", "2027-04-02T10:00:00+00:00", amount=50_000),
        change("c", "Kultur", "granted", "2027-05-01T10:00:00+00:00", 10, area=None),
        change("c", "Kultur", "rejected", "2027-05-02T10:00:00+00:00"),  # a mistake corrected
    ]
    year = applications(history, start=START, end=END, previous_start=BEFORE)
    assert year.by_unit["Miljö"] == Tally(granted=1, granted_amount=800_000)
    # b went from applying straight to granted: still an application submitted this year.
    assert year.by_unit["Kultur"] == Tally(
        submitted=2, granted=1, granted_amount=50_000, rejected=1
    )
    assert year.by_area[None] == Tally(submitted=1, rejected=1)
    assert year.total == Tally(submitted=2, granted=2, granted_amount=850_000, rejected=1)
    assert year.previous == Tally(interested=1, submitted=1)

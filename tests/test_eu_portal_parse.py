"""Parsing real portal responses into items: the traps of API-NOTES.md, one by one."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import FetchError
from monitor.sources.eu_portal_parse import (
    items_from_results,
    page_results,
    parse_date,
    programme_abbreviation,
    programme_names,
)

FIXTURES = Path(__file__).parent / "fixtures" / "eu_portal"
RAW = json.loads((FIXTURES / "search-response-raw.json").read_text(encoding="utf-8"))
FACET = json.loads((FIXTURES / "open-calls" / "facet.json").read_text(encoding="utf-8"))
PROGRAMMES = programme_names(FACET)


def parse_raw(today: date = date(2026, 8, 22)):
    _, rows = page_results(RAW)
    items = items_from_results(rows, source="eu-portal", programmes=PROGRAMMES, today=today)
    return {item.identifier: item for item in items}


def test_stale_duplicate_rows_fold_into_one_item_per_topic():
    items = parse_raw()
    # 9 rows, two of them the same legacy SEDIA_PRD_CENTRICITY row.
    assert len(RAW["results"]) == 9
    assert len(items) == 8
    eosc = items["HORIZON-INFRA-2024-EOSC-01-03"]
    # The legacy row's link is a dead topicDetails .json file; the topic page is given instead.
    assert eosc.url.endswith("/topic-details/HORIZON-INFRA-2024-EOSC-01-03")


def test_a_deadline_time_is_kept_where_the_portal_gives_one():
    items = parse_raw()
    # The portal's "17:00 Brussels" is written T17:00:00.000+0000; midnight means no time.
    assert items["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"].deadline_times == ("2024-02-07T17:00",)
    assert items["HORIZON-MISS-2027-05-SOIL-01-two-stage"].deadline_times == ()


def test_several_deadlines_are_kept_and_the_next_one_chosen():
    items = parse_raw(today=date(2027, 5, 1))
    soil = items["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert soil.deadlines == (date(2027, 4, 8), date(2027, 9, 14))
    assert soil.deadline == date(2027, 9, 14)  # the first stage has passed
    assert soil.opening_date == date(2027, 2, 4)


def test_open_topic_whose_deadlines_all_passed_is_closed():
    items = parse_raw()
    # Labelled forthcoming by the portal, deadline 2024-02-07.
    stale = items["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"]
    assert stale.status == "closed"
    assert stale.deadline == date(2024, 2, 7)
    assert items["HORIZON-CL5-2027-03-D5-05"].status == "forthcoming"
    assert items["HORIZON-CL3-2026-02-CS-ECCC-01"].status == "open"


def test_html_description_becomes_clean_text():
    soil = parse_raw()["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert soil.summary.startswith("Expected Outcome: Activities under this topic")
    assert "<" not in soil.summary and "&amp;" not in soil.summary
    assert "Mission Soil" in soil.summary  # the text of a link is kept


def test_programme_names_come_from_the_facet():
    soil = parse_raw()["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert soil.programme == "Horizon Europe (HORIZON)"
    assert soil.programme_code == "HORIZON"
    assert PROGRAMMES["43353764"] == "Erasmus (ERASMUS)"  # spaces in the facet label tidied
    assert PROGRAMMES["43252449"] == "Research Fund for Coal & Steel (RFCS)"  # %26 decoded
    assert programme_abbreviation("Horizon 2020 Framework Programme (H2020 - 2014-2020)") == "H2020"


def test_identity_budget_and_keywords():
    soil = parse_raw()["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert soil.id == "eu-portal:HORIZON-MISS-2027-05-SOIL-01-two-stage"
    assert soil.call_identifier == "HORIZON-MISS-2027-05-two-stage"
    assert soil.call_title == "Supporting the implementation of the Soil Deal for Europe Mission"
    assert "Soil biodiversity" in soil.keywords
    assert soil.identifier not in soil.keywords
    # This row's budgetOverview lists only other topics of the call: no budget is invented.
    assert soil.budget is None


def _row(**metadata):
    base = {
        "identifier": ["LIFE-2026-CET-LOCAL"],
        "title": ["Local <b>energy</b> plans"],
        "type": ["1"],
        "status": ["31094502"],
        "frameworkProgramme": ["43252405"],
        "DATASOURCE": ["SEDIA"],
    }
    base.update(metadata)
    return {"reference": "1TOPICSen", "url": "", "language": "en", "metadata": base}


def test_budget_is_summed_over_the_years_of_the_topics_own_action():
    overview = {
        "budgetTopicActionMap": {
            "1": [
                {
                    "action": "LIFE-2026-CET-LOCAL - LIFE-PJG LIFE Project Grants",
                    "budgetYearMap": {"2026": "3000000", "2027": "1500000"},
                },
                {"action": "LIFE-2026-CET-OTHER - x", "budgetYearMap": {"2026": "999"}},
            ]
        }
    }
    row = _row(budgetOverview=[json.dumps(overview)])
    (item,) = items_from_results([row], source="p", programmes=PROGRAMMES, today=date(2026, 1, 1))
    assert item.budget == 4_500_000
    assert item.title == "Local energy plans"


def test_actions_status_and_deadlines_are_preferred_and_merged():
    actions = [
        {
            "status": {"id": 31094501, "abbreviation": "Forthcoming"},
            "plannedOpeningDate": "2026-09-01",
            "deadlineDates": ["2026-11-20", "2027-03-01"],
        }
    ]
    row = _row(actions=[json.dumps(actions)], deadlineDate=["2026-11-20T00:00:00.000+0000"])
    (item,) = items_from_results([row], source="p", programmes=PROGRAMMES, today=date(2026, 1, 1))
    assert item.status == "forthcoming"  # actions win over the metadata's "open"
    assert item.deadlines == (date(2026, 11, 20), date(2027, 3, 1))
    assert item.opening_date == date(2026, 9, 1)


def test_keywords_given_as_a_json_string_are_unpacked():
    row = _row(keywords=['["urban heat", "nature-based solutions"]'], tags=["Cities"])
    (item,) = items_from_results([row], source="p", programmes=PROGRAMMES, today=date(2026, 1, 1))
    assert item.keywords == ("urban heat", "nature-based solutions", "Cities")


def test_cascade_calls_sharing_a_parent_identifier_stay_apart():
    first = _row(type=["8"], identifier=["CERV-2024-CITIZENS-VALUES"])
    first["url"] = "https://ec.europa.eu/.../competitive-calls-cs/46357639"
    second = _row(type=["8"], identifier=["CERV-2024-CITIZENS-VALUES"])
    second["url"] = "https://ec.europa.eu/.../competitive-calls-cs/46357700"
    items = items_from_results(
        [first, second], source="p", programmes=PROGRAMMES, today=date(2026, 1, 1)
    )
    assert sorted(i.uid for i in items) == [
        "CERV-2024-CITIZENS-VALUES/46357639",
        "CERV-2024-CITIZENS-VALUES/46357700",
    ]


def test_stub_rows_and_unknown_programmes():
    stub = {"reference": "x", "metadata": {"identifier": [], "title": []}}
    unknown = _row(frameworkProgramme=["99999999"], identifier=["EU4H-2026-PJ-03"])
    items = items_from_results(
        [stub, unknown], source="p", programmes=PROGRAMMES, today=date(2026, 1, 1)
    )
    assert len(items) == 1
    assert items[0].programme_code == "EU4H"  # fall back on the identifier's prefix


def test_deadline_dates_are_taken_as_the_portal_writes_them():
    # The metadata's times are Brussels wall-clock times labelled +0000.
    assert parse_date("2026-10-19T23:59:00.000+0000") == date(2026, 10, 19)
    assert parse_date("2026-10-09T17:00:00.000+0000") == date(2026, 10, 9)
    assert parse_date("2027-03-01") == date(2027, 3, 1)
    # Epoch milliseconds (topicDetails) are instants: 2024-01-31T23:30Z is 1 February in Brussels.
    assert parse_date("1706743800000") == date(2024, 2, 1)
    assert parse_date("soon") is None


@pytest.mark.parametrize(
    "answer",
    [{"message": "maintenance"}, [], {"results": "none", "totalResults": 3}, {"results": []}],
)
def test_a_changed_answer_layout_is_a_clear_error(answer):
    with pytest.raises(FetchError, match="formatet kan ha ändrats"):
        page_results(answer)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
metadata = st.dictionaries(
    st.sampled_from(
        [
            "identifier",
            "title",
            "type",
            "status",
            "deadlineDate",
            "startDate",
            "actions",
            "budgetOverview",
            "keywords",
            "descriptionByte",
            "frameworkProgramme",
            "DATASOURCE",
        ]
    ),
    st.lists(st.text(max_size=40), max_size=3) | json_values,
)


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(["results", "totalResults", "x"]), json_values))
def test_any_answer_gives_rows_or_a_clear_error(answer):
    try:
        page_results(answer)
    except FetchError as exc:
        assert "formatet kan ha ändrats" in str(exc)


@settings(max_examples=150)
@given(st.lists(st.fixed_dictionaries({"metadata": metadata, "url": json_values}), max_size=5))
def test_any_rows_give_items_without_crashing(rows):
    items = items_from_results(rows, source="p", programmes=PROGRAMMES, today=date(2026, 1, 1))
    assert all(item.title and item.identifier for item in items)


def _open_calls():
    from helpers.portal_emulator import load_open_calls

    return load_open_calls()


def _parse(rows):
    return items_from_results(rows, source="eu-portal", programmes=PROGRAMMES, today=TODAY)


TODAY = date(2026, 8, 22)


@pytest.mark.parametrize(
    "url",
    [
        None,  # the dead .json link the real legacy row has
        "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/competitive-calls-cs",
        "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/competitive-calls-cs/15281COMPETITIVE_CALLen",
    ],
)
def test_a_legacy_copy_of_a_cascade_call_folds_into_its_sedia_row(url):
    from helpers.legacy_rows import legacy_copy

    rows = _open_calls()
    cascade = next(r for r in rows if r["metadata"]["type"] == ["8"])
    items = _parse([legacy_copy(cascade, url), cascade])
    (item,) = items
    assert item.uid == "CERV-2024-CITIZENS-VALUES/46357639"
    assert item.url.endswith("/competitive-calls-cs/46357639")
    assert item.status == "open"  # the SEDIA row's, not the legacy row's stale one


def test_legacy_copies_of_every_kind_of_call_leave_one_item_per_call():
    from helpers.legacy_rows import legacy_copy

    rows = _open_calls()
    kinds = {t: next(r for r in rows if r["metadata"]["type"] == [t]) for t in ("1", "2", "8")}
    copies = [legacy_copy(r) for r in kinds.values()]
    assert len(_parse([*copies, *rows])) == len(_parse(rows)) == 341


def test_two_cascade_calls_of_one_project_stay_two_and_a_legacy_row_alone_is_kept():
    from helpers.legacy_rows import LEGACY

    rows = _open_calls()
    cascade = next(r for r in rows if r["metadata"]["type"] == ["8"])
    sibling = json.loads(json.dumps(cascade))
    sibling["url"] = sibling["url"].replace("46357639", "46357640")
    assert len(_parse([cascade, sibling])) == 2
    # No SEDIA row of the legacy row's topic: the legacy row is all there is of the call.
    (alone,) = _parse([LEGACY])
    assert alone.identifier == "HORIZON-CL2-2024-TRANSFORMATIONS-01-08"

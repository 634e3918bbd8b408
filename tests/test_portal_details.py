"""The portal's topic details: each call's full text read once, kept, and never a failed run.

Against the emulator serving the 341 recorded calls and their topic details in the real format
(tests/portal_topics.py, built on the real answer tests/fixtures/eu_portal/topic-details-raw.json).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.portal_emulator import portal_config
from helpers.portal_topics import topic_details_of
from monitor.cli import cli
from monitor.clock import Clock
from monitor.config import load_config
from monitor.errors import ConfigError, FetchError
from monitor.pipeline import chosen_sources, run_once
from monitor.sources.eu_portal_details import (
    BudgetOverview,
    budget_overview,
    parse_topic_details,
)
from monitor.sources.eu_portal_topics import DETAILS_URL, details_url
from monitor.sources.kinds import KINDS
from monitor.store import open_store

SNAPSHOT_DAY = date(2026, 8, 22)
CALL = "LIFE-2026-SAP-CLIMA-CCA"
CASCADE_CALLS = 20  # of the 341 recorded calls; they have no topic details
FULL_TEXT = (
    "<span class='topicdescriptionkind'>Scope:</span><p>Proposals should help regions and "
    "municipalities adapt to climate change.</p>" + "<p>Further context on adaptation.</p>" * 40
)
CONDITIONS = (
    "<div><h4>Eligible Countries</h4><p>Public bodies such as <strong>local and regional "
    "authorities</strong> established in EU Member States.</p></div>"
)


@pytest.fixture
def project(write_config):
    """(config path, config, store) for the portal emulator, with `extra` source keys."""

    def make(extra: str = ""):
        path = write_config(portal_config("http://portal.test/rest", extra))
        config = load_config(path, kinds=KINDS)
        return path, config, open_store(config.settings.database)

    return make


def run(config, store, portal):
    summary = run_once(
        config,
        store,
        chosen_sources(config),
        transport=portal.transport(),
        clock=Clock(SNAPSHOT_DAY),
    )
    (outcome,) = summary.outcomes
    assert outcome.ok, outcome.error
    return outcome


def with_full_text(portal, identifier: str = CALL) -> None:
    """Give one call a full text and conditions, in the real answer's format."""
    answer = topic_details_of(portal.row(identifier), portal.facet)
    answer["TopicDetails"]["description"] = FULL_TEXT
    answer["TopicDetails"]["conditions"] = CONDITIONS
    answer["TopicDetails"]["actions"][0]["types"] = [
        {"typeOfAction": "LIFE-PJG  LIFE Project Grants", "typeOfMGA": []}
    ]
    answer["TopicDetails"]["budgetOverviewJSONItem"] = {
        "budgetTopicActionMap": {
            "111": [
                {
                    "action": f"{identifier} - LIFE-PJG LIFE Project Grants",
                    "deadlineModel": "single-stage",
                    "budgetYearMap": {"2026": "6000000", "2027": "4000000"},
                    "expectedGrants": 4,
                    "minContribution": 2000000,
                    "maxContribution": 3000000,
                }
            ]
        },
        "budgetYearsColumns": ["2026", "2027"],
    }
    portal.topic_details[identifier.lower()] = answer


def item(store, identifier: str = CALL):
    return store.db["items"].get(f"eu-portal:{identifier}")


def test_full_text_conditions_and_budget_are_stored_and_shown(project, portal, runner):
    path, config, store = project()
    with_full_text(portal)
    outcome = run(config, store, portal)
    assert len(portal.detail_requests()) == 341 - CASCADE_CALLS
    row = item(store)
    assert row["description"].startswith("Scope: Proposals should help regions")
    assert len(row["description"]) > len(row["summary"])
    assert row["conditions"] == (
        "Eligible Countries Public bodies such as local and regional authorities established "
        "in EU Member States."
    )
    assert json.loads(row["types_of_action"]) == ["LIFE-PJG LIFE Project Grants"]
    assert row["expected_grants"] == 4
    assert (row["min_contribution"], row["max_contribution"]) == (2_000_000, 3_000_000)
    assert row["budget"] == 10_000_000 and row["deadline_model"] == "single-stage"
    assert row["details_url"] == f"http://portal.test/rest/topicDetails/{CALL.lower()}.json"
    # The new text is not a change, and the search finds words only the full text has.
    assert outcome.items_changed == 0
    shown = runner.invoke(cli, ["--config", str(path), "show", CALL])
    assert shown.exit_code == 0, shown.output
    for label in ("Typ av åtgärd", "Budget", "10 000 000 EUR", "Antal bidrag", "Högsta bidrag"):
        assert label in shown.stdout
    assert "\nVillkor:\n  Eligible Countries Public bodies" in shown.stdout
    assert "\nBeskrivning:\n  Scope: Proposals" in shown.stdout
    found = runner.invoke(
        cli, ["--config", str(path), "search", "Further context", "--format", "json"]
    )
    assert [r["identifier"] for r in json.loads(found.stdout)] == [CALL]


def test_a_second_run_asks_only_for_calls_whose_search_row_changed(project, portal):
    _, config, store = project()
    with_full_text(portal)
    run(config, store, portal)
    portal.requests.clear()
    second = run(config, store, portal)
    assert portal.detail_requests() == [] and second.warnings == []
    assert item(store)["conditions"].startswith("Eligible Countries")  # kept, not erased

    portal.row(CALL)["metadata"]["deadlineDate"] = ["2027-01-20T00:00:00.000+0000"]
    third = run(config, store, portal)
    (asked,) = portal.detail_requests()
    assert asked.path.endswith(f"/{CALL.lower()}.json")
    assert "If-None-Match".lower() in {k.lower() for k in asked.headers}  # answered 304
    assert third.changed_ids == (f"eu-portal:{CALL}",)  # the deadline, as before
    assert item(store)["conditions"].startswith("Eligible Countries")


def test_changed_full_text_alone_is_stored_silently(project, portal):
    _, config, store = project()
    run(config, store, portal)
    with_full_text(portal)  # with a budget the search row lacks: no event for learning it
    # The summary moved too, so the row changed and the details are asked for again.
    meta = portal.row(CALL)["metadata"]
    meta["descriptionByte"] = [meta["descriptionByte"][0] + "<p>Reworded.</p>"]
    second = run(config, store, portal)
    assert item(store)["description"].startswith("Scope: Proposals")
    assert item(store)["expected_grants"] == 4 and item(store)["budget"] is None
    assert second.items_changed == 0 and second.changed_ids == ()


@pytest.mark.parametrize("failure", ["404", "500", "timeout", "not-json"])
def test_a_failed_topic_details_request_keeps_the_search_text(project, portal, failure):
    _, config, store = project()
    portal.detail_failures[CALL.lower()] = failure
    outcome = run(config, store, portal)
    row = item(store)
    assert row["description"] == row["summary"] and row["details_url"] is None
    assert row["conditions"] == ""
    assert outcome.items_seen == 341
    (warning,) = [w for w in outcome.warnings if CALL in w]
    assert warning.startswith("topic details not read, the search text is kept")
    logged = store.db.execute("SELECT outcome, warnings FROM fetch_log").fetchone()
    assert logged[0] != "failed" and CALL in logged[1]


def test_a_failure_later_keeps_the_full_text_read_before(project, portal):
    _, config, store = project()
    with_full_text(portal)
    run(config, store, portal)
    portal.row(CALL)["metadata"]["deadlineDate"] = ["2027-01-20T00:00:00.000+0000"]
    portal.detail_failures[CALL.lower()] = "500"
    second = run(config, store, portal)
    assert any(CALL in w for w in second.warnings)
    assert item(store)["conditions"].startswith("Eligible Countries")


def test_a_missing_topic_is_not_asked_for_again_until_its_row_changes(project, portal):
    _, config, store = project()
    portal.detail_failures[CALL.lower()] = "404"
    run(config, store, portal)
    portal.requests.clear()
    second = run(config, store, portal)
    assert portal.detail_requests() == [] and second.warnings == []


def test_details_false_fetches_no_topic_details(project, portal):
    _, config, store = project("details = false")
    outcome = run(config, store, portal)
    assert portal.detail_requests() == [] and outcome.warnings == []
    row = item(store)
    assert row["description"] == row["summary"] and row["details_url"] is None


def test_identifiers_are_lower_cased_in_the_url_as_the_portal_requires(project, portal):
    assert details_url(DETAILS_URL, "HORIZON-CL5-2027-D1-01") == (
        "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/"
        "horizon-cl5-2027-d1-01.json"
    )
    _, config, store = project()
    outcome = run(config, store, portal)
    names = [unquote(r.path.rsplit("/", 1)[-1]) for r in portal.detail_requests()]
    assert names and all(n == n.lower() for n in names)
    # Every call that has details got them: upper case would have been 404 for each.
    assert [w for w in outcome.warnings if "404" in w and "EuropeAid" not in w] == []
    assert item(store)["details_url"] is not None


def test_details_url_must_name_where_the_identifier_goes(write_config):
    path = write_config(portal_config("http://portal.test/rest").replace("{identifier}", "x"))
    with pytest.raises(ConfigError, match="details_url"):
        load_config(path, kinds=KINDS)


def test_the_live_server_serves_topic_details_with_validators(project, live_portal, portal):
    import httpx

    url = f"{live_portal.base_url}/topicDetails/{CALL.lower()}.json"
    first = httpx.get(url)
    assert first.status_code == 200 and first.json()["TopicDetails"]["identifier"] == CALL
    again = httpx.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert httpx.get(url.replace(CALL.lower(), CALL)).status_code == 404


# -- the pure parser, on real answers ---------------------------------------------------------

REAL = Path(__file__).parent / "fixtures" / "eu_portal"


def test_the_real_topic_details_give_text_types_divisions_and_budget():
    data = json.loads((REAL / "topic-details-raw.json").read_text(encoding="utf-8"))
    details = parse_topic_details(data, "SMP-COSME-2024-CLUSTER-01")
    assert details.description.startswith("Expected Outcome: Qualitative and quantitative")
    assert len(details.description) > 2000 and "<" not in details.description
    assert details.conditions.startswith("Conditions 1. Admissibility Conditions:")
    assert "2. Eligible Countries described in the call document" in details.conditions
    assert details.types_of_action == ("SMP-GFS SMP Grants for Financial Support",)
    assert details.programme_divisions == ("Cosme",)
    assert "Green Deal Industrial Plan for the Net-Zero Age" in details.tags  # spaces tidied
    # 10 + 11 + 12 + 9 million over 2024-2027; 0 grants and 0 euro mean "not stated".
    assert details.budget == BudgetOverview(total=42_000_000, deadline_model="single-stage")


def test_the_budget_overview_of_a_real_search_row_sums_the_years():
    data = json.loads((REAL / "search-response-raw.json").read_text(encoding="utf-8"))
    (row,) = [
        r
        for r in data["results"]
        if r["metadata"]["identifier"] == ["HORIZON-CL6-2026-04-GOVERNANCE-01"]
        and r["metadata"].get("budgetOverview")
    ]
    overview = [json.loads(row["metadata"]["budgetOverview"][0])]
    assert budget_overview(overview, "HORIZON-CL6-2026-04-GOVERNANCE-01") == BudgetOverview(
        total=60_000_000,  # 23 million in 2026 and 37 in 2027
        expected_grants=1,
        min_contribution=60_000_000,
        max_contribution=60_000_000,
        deadline_model="single-stage",
    )
    assert budget_overview(overview, "HORIZON-CL6-2026-04-GOVERNANCE-02") == BudgetOverview()


@pytest.mark.parametrize(
    "answer",
    [[], {"results": []}, {"TopicDetails": "x"}, {"TopicDetails": {"identifier": "OTHER-01"}}],
)
def test_an_answer_of_another_shape_is_a_clear_error(answer):
    with pytest.raises(FetchError):
        parse_topic_details(answer, "SMP-COSME-2024-CLUSTER-01")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_KEYS = st.sampled_from(
    [
        "identifier",
        "description",
        "conditions",
        "actions",
        "programmeDivision",
        "tags",
        "crossCuttingPriorities",
        "budgetOverviewJSONItem",
        "types",
        "typeOfAction",
        "budgetTopicActionMap",
        "action",
        "budgetYearMap",
        "expectedGrants",
        "minContribution",
    ]
)


@settings(max_examples=150)
@given(st.dictionaries(_KEYS, _JSON | st.dictionaries(_KEYS, _JSON), max_size=6))
def test_any_answer_gives_details_or_a_clear_error(topic):
    try:
        details = parse_topic_details({"TopicDetails": topic}, "SMP-COSME-2024-CLUSTER-01")
    except FetchError:
        return
    assert isinstance(details.description, str) and isinstance(details.conditions, str)

"""`run_once` against the portal emulator serving the 341 real calls: fetch, parse, store."""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import unquote

import pytest

from helpers.portal_emulator import SNAPSHOT_DAY, portal_config
from monitor.clock import Clock
from monitor.config import load_config
from monitor.pipeline import chosen_sources, run_once
from monitor.sources.kinds import KINDS
from monitor.store import open_store

STATUS = {"31094501": "forthcoming", "31094502": "open"}


@pytest.fixture
def setup(write_config, tmp_path):
    """(config, store) for a config file with the given extra source keys, emulator at base."""

    def make(extra: str = ""):
        config = load_config(
            write_config(portal_config("http://portal.test/rest", extra)), kinds=KINDS
        )
        return config, open_store(config.settings.database)

    return make


def run(config, store, portal, today=SNAPSHOT_DAY):
    return run_once(
        config, store, chosen_sources(config), transport=portal.transport(), clock=Clock(today)
    )


def expected_call(row, facet_labels):
    """What a careful reader of one fixture row expects to find stored."""
    meta = row["metadata"]
    deadlines = sorted(date.fromisoformat(d[:10]) for d in meta["deadlineDate"])
    upcoming = [d for d in deadlines if d >= SNAPSHOT_DAY]
    status = STATUS[meta["status"][0]]
    if deadlines and not upcoming:
        status = "closed"
    label = facet_labels.get(meta["frameworkProgramme"][0])
    programme = re.sub(r"\(\s*(.*?)\s*\)", r"(\1)", " ".join(unquote(label).split()))
    return {
        "identifier": meta["identifier"][0],
        "status": status,
        "deadline": (upcoming or deadlines or [None])[0],
        "programme": programme if label else None,
    }


def test_first_run_stores_every_call_once_with_its_facts(setup, portal):
    config, store = setup()
    summary = run(config, store, portal)
    (outcome,) = summary.outcomes
    assert outcome.ok, outcome.error
    assert (outcome.items_seen, outcome.items_new, outcome.items_changed) == (341, 341, 0)

    rows = {r["identifier"]: r for r in store.db.query("SELECT * FROM items")}
    assert len(rows) == 341
    assert store.db.execute("SELECT count(DISTINCT id) FROM items").fetchone()[0] == 341
    labels = {
        v["rawValue"]: v["value"]
        for f in portal.facet["facets"]
        if f["name"] == "frameworkProgramme"
        for v in f["values"]
    }
    for fixture_row in portal.rows:
        want = expected_call(fixture_row, labels)
        got = rows[want["identifier"]]
        assert got["status"] == want["status"], want["identifier"]
        deadline = want["deadline"].isoformat() if want["deadline"] else None
        assert got["deadline"] == deadline, want["identifier"]
        if want["programme"]:
            assert got["programme"] == want["programme"], want["identifier"]
        assert got["kind"] == "call"
        assert "<p>" not in got["summary"]

    daphne = rows["CERV-2026-DAPHNE-PREVENTION"]
    assert daphne["id"] == "eu-portal:CERV-2026-DAPHNE-PREVENTION"
    assert daphne["programme"] == "Citizens, Equality, Rights and Values Programme (CERV)"
    assert daphne["call_identifier"] == "CERV-2026-DAPHNE"
    assert (daphne["status"], daphne["deadline"]) == ("open", "2026-11-05")
    assert daphne["first_seen"] == daphne["last_seen"]


def test_requests_follow_the_api_notes(setup, portal):
    config, store = setup()
    run(config, store, portal)
    searches = portal.search_requests()
    assert [r.params["pageNumber"] for r in searches] == ["1", "2", "3", "4"]
    for request in searches:
        assert request.params["apiKey"] == "SEDIA"
        assert request.params["text"] == "***"
        assert request.params["pageSize"] == "100"
        assert request.parts["languages"] == ["en"]
        assert request.parts["sort"] == {"field": "identifier", "order": "ASC"}
        must = request.parts["query"]["bool"]["must"]
        assert {"terms": {"type": ["1", "2", "8"]}} in must
        assert {"terms": {"status": ["31094502", "31094501"]}} in must


def test_second_run_changes_nothing_and_a_moved_deadline_is_one_change(setup, portal):
    config, store = setup()
    run(config, store, portal)
    second = run(config, store, portal).outcomes[0]
    assert (second.items_seen, second.items_new, second.items_changed) == (341, 0, 0)
    assert store.db["item_changes"].count == 0

    portal.row("CERV-2026-DAPHNE-PREVENTION")["metadata"]["deadlineDate"] = [
        "2026-12-03T00:00:00.000+0000"
    ]
    third = run(config, store, portal)
    outcome = third.outcomes[0]
    assert (outcome.items_new, outcome.items_changed) == (0, 1)
    assert third.new_or_changed_ids == ["eu-portal:CERV-2026-DAPHNE-PREVENTION"]
    (change,) = store.db["item_changes"].rows
    assert change["item_id"] == "eu-portal:CERV-2026-DAPHNE-PREVENTION"
    assert (change["field"], change["old"], change["new"]) == (
        "deadlines",
        "2026-11-05",
        "2026-12-03",
    )
    assert change["run_id"] == third.run_id
    stored = store.db["items"].get("eu-portal:CERV-2026-DAPHNE-PREVENTION")
    assert stored["deadline"] == "2026-12-03"


def test_forthcoming_call_opening_is_recorded_as_a_status_change(setup, portal):
    config, store = setup()
    run(config, store, portal)
    portal.row("ESF-2027-PEP-ENGAGEMENT")["metadata"]["status"] = ["31094502"]
    run(config, store, portal)
    changes = [(c["field"], c["old"], c["new"]) for c in store.db["item_changes"].rows]
    assert changes == [("status", "forthcoming", "open")]


def test_passing_time_moves_deadlines_and_closes_calls_without_change_events(setup, portal):
    config, store = setup()
    row = portal.row("CERV-2026-DAPHNE-PREVENTION")
    row["metadata"]["deadlineDate"] = [
        "2026-09-10T00:00:00.000+0000",
        "2027-02-10T00:00:00.000+0000",
    ]
    run(config, store, portal)
    later = run(config, store, portal, today=date(2026, 10, 1)).outcomes[0]
    assert later.items_changed == 0
    assert store.db["item_changes"].count == 0
    assert store.db["items"].get("eu-portal:CERV-2026-DAPHNE-PREVENTION")["deadline"] == (
        "2027-02-10"
    )
    # Still "open" at the portal, but its only deadline passed on 2026-09-30.
    works = store.db["items"].get("eu-portal:CEF-E-2026-PCI-PMI-WORKS")
    assert (works["status"], works["source_status"]) == ("closed", "open")


@pytest.mark.parametrize(
    ("extra", "count"),
    [
        ('statuses = ["forthcoming"]', 142),
        ('types = ["cascade"]', 20),
        ('programmes = ["LIFE"]', 17),
        ('programmes = ["cerv", "ERASMUS"]', 8),
    ],
)
def test_status_type_and_programme_filters_reach_the_api(setup, portal, extra, count):
    config, store = setup(extra)
    outcome = run(config, store, portal).outcomes[0]
    assert outcome.ok, outcome.error
    assert store.db["items"].count == count


def test_unknown_programme_fails_the_source_with_the_known_ones(setup, portal):
    config, store = setup('programmes = ["LIEF"]')
    outcome = run(config, store, portal).outcomes[0]
    assert not outcome.ok
    assert "unknown programme 'LIEF'" in outcome.error and "LIFE" in outcome.error


def test_programme_names_are_cached_in_the_database(setup, portal):
    config, store = setup()
    run(config, store, portal)
    run(config, store, portal)
    facets = [r for r in portal.requests if r.path.endswith("/facet")]
    assert len(facets) == 1
    names, _ = store.get("eu_portal:programmes")
    assert names["43252405"] == "Programme for the Environment and Climate Action (LIFE)"


def test_a_failing_portal_loses_nothing_already_stored(setup, portal):
    config, store = setup()
    run(config, store, portal)
    portal.failures = [(500, {"type": "throwable"})] * 10
    outcome = run(config, store, portal).outcomes[0]
    assert not outcome.ok
    assert outcome.http_status == 500
    assert "HTTP 500" in outcome.error
    assert store.db["items"].count == 341
    log = list(store.db.query("SELECT outcome, error FROM fetch_log ORDER BY id"))
    assert [entry["outcome"] for entry in log] == ["ok", "error"]
    state = store.db["source_state"].get("eu-portal")
    assert state["consecutive_failures"] == 1 and state["last_item_count"] == 341


def test_a_failure_on_a_later_page_stores_nothing_half(setup, portal):
    config, store = setup()
    # facet, page 1 and page 2 answer; page 3 is garbage.
    portal.failures = []
    original = portal.handle

    def flaky(method, url, content_type, body):
        if "pageNumber=3" in url:
            return 200, {"error": "gateway says hi"}
        return original(method, url, content_type, body)

    portal.handle = flaky
    outcome = run(config, store, portal).outcomes[0]
    assert not outcome.ok and "formatet kan ha ändrats" in outcome.error
    assert store.db["items"].count == 0


def test_a_429_is_retried_after_the_time_the_server_asks(setup, portal):
    config, store = setup()
    portal.failures = [(429, {"message": "slow down"})]
    from monitor.fetch import RetryPolicy

    summary = run_once(
        config,
        store,
        chosen_sources(config),
        transport=portal.transport(),
        policy=RetryPolicy(retries=2, base_delay=0.01),
        clock=Clock(SNAPSHOT_DAY),
    )
    assert summary.outcomes[0].ok
    assert store.db["items"].count == 341


def test_export_fields_hold_lists_as_json(setup, portal):
    config, store = setup()
    run(config, store, portal)
    row = store.db["items"].get("eu-portal:CERV-2026-DAPHNE-PREVENTION")
    assert json.loads(row["deadlines"]) == ["2026-11-05"]


def test_legacy_duplicates_of_cascade_and_other_calls_are_not_stored(setup, portal):
    from helpers.legacy_rows import legacy_copy

    # A stale legacy copy of every cascade call and of a few others, where the portal puts
    # them: on the same pages as the SEDIA rows.
    copies = [legacy_copy(r) for r in portal.rows if r["metadata"]["type"] != ["1"]]
    copies += [legacy_copy(r) for r in portal.rows[:5]]
    portal.rows = [row for pair in zip(copies, portal.rows, strict=False) for row in pair] + [
        *portal.rows[len(copies) :]
    ]
    config, store = setup()
    run(config, store, portal)
    rows = list(store.db.query("SELECT identifier, uid FROM items"))
    assert len(rows) == 341
    cascades = [r for r in rows if r["uid"] != r["identifier"]]
    assert len(cascades) == 20 and all(r["uid"].split("/")[-1].isdigit() for r in cascades)

"""Per-group judgement in the store: each group's verdicts and matches apart from the others',
a source serving one group not judged for another, a database from before groups keeping its
data under 'default', and `rename_group` handing one group's rows to another."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from helpers.group_calls import B_NEWS, CLIMATE, CULTURE, TODAY, TWO_GROUPS, store_items
from helpers.paths import ROOT
from monitor.clock import Clock
from monitor.config import load_config
from monitor.errors import StoreError
from monitor.matching import load_matcher, match_and_store, sources_not_serving
from monitor.sources.kinds import KINDS
from monitor.store import open_store, schema
from monitor.store.groups import group_counts, rename_group, stored_groups
from monitor.store.matches import areas_of, verdict_of
from monitor.store.queries import SearchFilters, search_items
from monitor.store.tracking import track, tracked_calls

NOW = Clock(TODAY).now()
CLIMATE_ID, CULTURE_ID = f"eu-portal:{CLIMATE}", f"eu-portal:{CULTURE}"


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "monitor.db")
    store_items(store)
    yield store
    store.close()


@pytest.fixture
def two_rule_folders(tmp_path) -> tuple[Path, Path]:
    """The shipped rules for a; for b the same with a climate threshold nothing reaches."""
    a, b = tmp_path / "rules-a", tmp_path / "rules-b"
    shutil.copytree(ROOT / "rules", a)
    shutil.copytree(ROOT / "rules", b)
    climate = b / "klimat-miljo.toml"
    text = climate.read_text(encoding="utf-8")
    climate.write_text(re.sub(r"(?m)^threshold = .*$", "threshold = 1000", text), encoding="utf-8")
    return a, b


def areas(store, item_id: str, group: str) -> list[str]:
    return [m.area for m in areas_of(store.db, item_id, group=group)]


def test_two_groups_with_different_rules_judge_the_same_items_apart(store, two_rule_folders):
    rules_a, rules_b = two_rule_folders
    matcher_a, matcher_b = load_matcher(rules_a), load_matcher(rules_b)
    assert matcher_a is not None and matcher_b is not None
    match_and_store(store, matcher_a, None, NOW, group="a")
    match_and_store(store, matcher_b, None, NOW, group="b")

    assert "klimat-miljo" in areas(store, CLIMATE_ID, "a")
    assert "klimat-miljo" not in areas(store, CLIMATE_ID, "b")
    assert areas(store, CULTURE_ID, "a") == areas(store, CULTURE_ID, "b") == ["kultur"]
    # the default group (the items' own columns) was judged by neither
    assert verdict_of(store.db, CLIMATE_ID, "default")["matched_at"] is None
    assert areas(store, CLIMATE_ID, "default") == []

    # matching b again replaces b's verdicts only
    later = NOW + timedelta(hours=1)
    match_and_store(store, matcher_b, [CLIMATE_ID], later, group="b")
    assert "klimat-miljo" in areas(store, CLIMATE_ID, "a")
    assert verdict_of(store.db, CLIMATE_ID, "a")["matched_at"] == NOW.isoformat(timespec="seconds")
    in_climate = SearchFilters(area="klimat-miljo")
    assert CLIMATE_ID in {r["id"] for r in search_items(store.db, None, in_climate, group="a")}
    assert CLIMATE_ID not in {r["id"] for r in search_items(store.db, None, in_climate, group="b")}


def test_a_source_serving_one_group_is_not_judged_for_the_other(store, tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(TWO_GROUPS, encoding="utf-8")
    config = load_config(path, environ={}, kinds=KINDS)
    matcher = load_matcher(ROOT / "rules")
    assert matcher is not None
    everything = [CLIMATE_ID, CULTURE_ID, B_NEWS]  # all new in this run
    for group in config.group_ids:
        skip = sources_not_serving(config, group)
        match_and_store(store, matcher, everything, NOW, group=group, not_sources=skip)

    assert verdict_of(store.db, B_NEWS, "a")["matched_at"] is None
    assert verdict_of(store.db, B_NEWS, "b")["matched_at"] is not None
    assert B_NEWS not in {r["id"] for r in search_items(store.db, None, SearchFilters(), group="a")}
    assert B_NEWS in {r["id"] for r in search_items(store.db, None, SearchFilters(), group="b")}
    assert group_counts(store.db, "a").judged == 2
    assert group_counts(store.db, "b").judged == 3


def _before_groups(path: Path) -> sqlite_utils.Database:
    """A database at the schema just before groups, with a judged and tracked call."""
    old = sqlite_utils.Database(path)
    for number, migration in enumerate(MIGRATIONS_BEFORE_GROUPS, start=1):
        migration(old)
        old.execute(f"PRAGMA user_version = {number}")
    stamp = "2027-02-01T10:00:00+00:00"
    old["items"].insert(
        {
            "id": CLIMATE_ID,
            "source": "eu-portal",
            "uid": CLIMATE,
            "kind": "call",
            "title": "Climate adaptation of schools in small towns",
            "identifier": CLIMATE,
            "status": "open",
            "deadline": "2027-04-01",
            "deadlines": '["2027-04-01"]',
            "first_seen": stamp,
            "last_seen": stamp,
            "relevant": 1,
            "relevance": "relevant",
            "matched_at": stamp,
        }
    )
    old["matches"].insert({"item_id": CLIMATE_ID, "area": "klimat-miljo", "score": 6.0})
    old.execute(
        "INSERT INTO tracking (item_id, unit, state, changed_at)"
        " VALUES (?, 'Miljö', 'applying', ?)",
        [CLIMATE_ID, stamp],
    )
    old.execute(
        "INSERT INTO tracking_changes (item_id, unit, new_state, changed_at)"
        " VALUES (?, 'Miljö', 'applying', ?)",
        [CLIMATE_ID, stamp],
    )
    old.execute(
        "INSERT INTO feedback (item_id, verdict, given_at) VALUES (?, 'relevant', ?)",
        [CLIMATE_ID, stamp],
    )
    old.conn.commit()
    return old


MIGRATIONS_BEFORE_GROUPS = schema.MIGRATIONS[: schema.MIGRATIONS.index(schema._groups)]


def test_a_database_from_before_groups_keeps_its_data_under_default(tmp_path):
    _before_groups(tmp_path / "monitor.db").close()
    store = open_store(tmp_path / "monitor.db")

    assert stored_groups(store.db) == ["default"]
    [row] = search_items(store.db, None, SearchFilters(relevant_only=True))
    assert (row["id"], row["areas"]) == (CLIMATE_ID, ["klimat-miljo"])
    assert [(r["item_id"], r["state"]) for r in tracked_calls(store.db)] == [
        (CLIMATE_ID, "applying")
    ]
    for table in ("matches", "tracking", "tracking_changes", "feedback"):
        groups = [r[0] for r in store.db.execute(f"SELECT group_id FROM {table}").fetchall()]
        assert groups == ["default"], table
    assert search_items(store.db, None, SearchFilters(), group="a") == []
    assert tracked_calls(store.db, group="a") == []


def test_renaming_default_hands_its_history_to_a_group(tmp_path):
    _before_groups(tmp_path / "monitor.db").close()
    store = open_store(tmp_path / "monitor.db")

    moved = rename_group(store.db, "default", "linkoping")

    assert moved["verdicts"] == 1 and moved["tracking"] == 1 and moved["feedback"] == 1
    assert stored_groups(store.db) == ["linkoping"]
    [row] = search_items(store.db, None, SearchFilters(relevant_only=True), group="linkoping")
    assert (row["id"], row["relevance"], row["areas"]) == (CLIMATE_ID, "relevant", ["klimat-miljo"])
    assert search_items(store.db, None, SearchFilters(relevant_only=True)) == []
    assert verdict_of(store.db, CLIMATE_ID, "default")["relevance"] is None
    assert [r["state"] for r in tracked_calls(store.db, group="linkoping")] == ["applying"]
    assert tracked_calls(store.db) == []

    # and back: the verdict returns to the items' own columns
    rename_group(store.db, "linkoping", "default")
    assert verdict_of(store.db, CLIMATE_ID, "default")["relevance"] == "relevant"
    assert store.db.execute("SELECT COUNT(*) FROM group_verdicts").fetchone()[0] == 0
    assert areas(store, CLIMATE_ID, "default") == ["klimat-miljo"]


def test_a_rename_keeps_the_verdicts_the_new_group_made_itself(store):
    matcher = load_matcher(ROOT / "rules")
    assert matcher is not None
    match_and_store(store, matcher, [CLIMATE_ID, CULTURE_ID], NOW, group="default")
    later = NOW + timedelta(days=1)
    match_and_store(store, matcher, [CULTURE_ID], later, group="a")
    store.db.execute("UPDATE group_verdicts SET relevance = 'maybe' WHERE group_id = 'a'")

    rename_group(store.db, "default", "a")

    assert verdict_of(store.db, CULTURE_ID, "a")["relevance"] == "maybe"  # a's own
    assert verdict_of(store.db, CLIMATE_ID, "a")["matched_at"] == NOW.isoformat(timespec="seconds")
    assert areas(store, CULTURE_ID, "a") == ["kultur"]  # once, not a's and default's
    assert "klimat-miljo" in areas(store, CLIMATE_ID, "a")


def test_a_rename_onto_the_same_call_and_unit_changes_nothing(store):
    for group in ("default", "a"):
        track(store.db, CLIMATE_ID, "Miljö", "applying", now=datetime.now(), group=group)
    with pytest.raises(StoreError, match="both track 1 of the same calls"):
        rename_group(store.db, "default", "a")
    assert [r["group_id"] for r in store.db.query("SELECT group_id FROM tracking ORDER BY 1")] == [
        "a",
        "default",
    ]

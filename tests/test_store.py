"""The SQLite store on a real file: migrations, upserts, the search index, atomic writes."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime

import pytest

from helpers.old_databases import version_4_with_one_call
from monitor.errors import MonitorError, StoreError
from monitor.models import Item, SourceOutcome
from monitor.store import open_store
from monitor.store.queries import SearchFilters, all_items, fts_query, search_items
from monitor.store.schema import MIGRATIONS

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def call(uid: str, **fields) -> Item:  # a call as the portal would give it
    base = {
        "source": "eu-portal",
        "uid": uid,
        "kind": "call",
        "title": f"Call {uid}",
        "identifier": uid,
        "status": "open",
        "source_status": "open",
        "deadlines": (date(2027, 1, 15),),
        "deadline": date(2027, 1, 15),
        "programme": "Programme for the Environment and Climate Action (LIFE)",
        "programme_code": "LIFE",
    }
    base.update(fields)
    return Item(**base)


def save(store, items, run_id=None):
    run_id = run_id or store.start_run(NOW)
    outcome = SourceOutcome(source="eu-portal", name="Portal")
    store.save_success(run_id, outcome, items, started=NOW, finished=NOW)
    return outcome


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "monitor.db"


@pytest.fixture
def fresh_store(db_path):
    return open_store(db_path)


def test_reopening_keeps_data_and_schema_version(db_path):
    store = open_store(db_path)
    save(store, [call("LIFE-2026-A")])
    store.db.conn.close()
    again = open_store(db_path)
    assert again.db["items"].count == 1
    assert again.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_database_from_a_newer_version_is_refused(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer version"):
        open_store(db_path)


def test_a_file_that_is_not_a_database_is_one_clear_error(db_path):
    db_path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="cannot use the database"):
        open_store(db_path)


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "no" / "such" / "monitor.db")


def test_search_index_follows_updates(fresh_store):
    save(fresh_store, [call("LIFE-2026-A", title="Urban heat islands")])
    assert [r["identifier"] for r in search_items(fresh_store.db, "heat", SearchFilters())] == [
        "LIFE-2026-A"
    ]
    save(fresh_store, [call("LIFE-2026-A", title="Flood resilience of towns")])
    assert search_items(fresh_store.db, "heat", SearchFilters()) == []
    found = search_items(fresh_store.db, "flood", SearchFilters())
    assert [r["title"] for r in found] == ["Flood resilience of towns"]


def test_search_finds_prefixes_identifiers_and_words_without_accents(fresh_store):
    save(
        fresh_store,
        [
            call("LIFE-2026-A", title="Klimatanpassning i Mälardalens kommuner"),
            call("HORIZON-CL5-2027-07-D3-16", title="Solar cells", programme_code="HORIZON"),
        ],
    )
    db = fresh_store.db
    assert [r["uid"] for r in _search(db, "klimat*")] == ["LIFE-2026-A"]
    assert [r["uid"] for r in _search(db, "malardalens")] == ["LIFE-2026-A"]
    assert [r["uid"] for r in _search(db, "HORIZON-CL5-2027-07-D3-16")] == [
        "HORIZON-CL5-2027-07-D3-16"
    ]
    assert len(_search(db, "solar OR klimat*")) == 2
    assert _search(db, 'solar "cells') != []  # a stray quote is not a syntax error


def test_not_leaves_out_what_has_the_word_and_its_inflections(fresh_store):
    save(
        fresh_store,
        [
            call("LIFE-2026-A", title="Klimatanpassning i kommuner"),
            call("LIFE-2026-B", title="Klimatanpassning för företag"),
            call("LIFE-2026-C", title="Solar cells for klimat"),
        ],
    )
    db = fresh_store.db
    assert sorted(r["uid"] for r in _search(db, "klimat* NOT företagen")) == [
        "LIFE-2026-A",
        "LIFE-2026-C",
    ]
    # NOT leaves its term out of everything the words before it find, ORs included
    assert sorted(r["uid"] for r in _search(db, "solar OR klimatanpassning NOT kommuner")) == [
        "LIFE-2026-B",
        "LIFE-2026-C",
    ]
    assert _search(db, "NOT solar klimat*") == _search(db, "klimat* NOT solar")
    with pytest.raises(MonitorError, match="only says what to leave out"):
        _search(db, "NOT företag")


def _search(db, text, **filters):
    rows = search_items(db, text, SearchFilters(**filters))
    for row in rows:
        row["uid"] = row["id"].split(":", 1)[1]
    return rows


def test_search_filters(fresh_store):
    save(
        fresh_store,
        [
            call("A", deadline=date(2026, 12, 1), deadlines=(date(2026, 12, 1),)),
            call("B", deadline=date(2027, 3, 1), status="forthcoming"),
            call("C", deadline=None, deadlines=(), programme_code="CERV", programme="CERV"),
        ],
    )
    db = fresh_store.db
    ids = lambda **f: [r["identifier"] for r in search_items(db, None, SearchFilters(**f))]  # noqa: E731
    assert ids() == ["A", "B", "C"]  # soonest deadline first, none last
    assert ids(status="forthcoming") == ["B"]
    assert ids(programme="life") == ["A", "B"]
    assert ids(programme="Environment") == ["A", "B"]
    assert ids(deadline_before=date(2027, 1, 1)) == ["A"]
    assert ids(deadline_after=date(2027, 1, 1)) == ["B"]


def test_fts_query_quotes_words_and_keeps_prefixes():
    assert fts_query("klimat* 2027") == '"klimat"* AND "2027"'
    assert fts_query("skolor") == '("skolor" OR search_stems : "skol" OR search_stems : "skolor")'
    assert fts_query("x1 OR b2") == '"x1" OR "b2"'
    assert fts_query('OR "x1') == '"or" AND "x1"'  # a leading OR is a word; stray quotes dropped
    assert fts_query("a1 OR") == '"a1"'
    assert fts_query("a1 NOT b2 NOT c3") == '("a1") NOT "b2" NOT "c3"'
    assert fts_query("a1 OR NOT b2") == '("a1") NOT "b2"'
    assert fts_query("a1 NOT") == '"a1"'
    assert fts_query("a1 not b2").count("AND") == 2  # in lower case, a word


def test_search_finds_swedish_and_english_inflections(fresh_store):
    save(
        fresh_store,
        [
            call("A", title="Kommunernas arbete med skolor", summary="Stöd till kommunen."),
            call("B", title="Resilient cities", summary="A city adapts."),
        ],
    )
    db = fresh_store.db
    assert [r["uid"] for r in _search(db, "kommuner skola")] == ["A"]
    assert [r["uid"] for r in _search(db, "city")] == ["B"]
    assert [r["uid"] for r in _search(db, "cities adapting")] == ["B"]


def test_export_rows_carry_areas_best_first(fresh_store):
    save(fresh_store, [call("A")])
    fresh_store.db["matches"].insert_all(
        [
            {"item_id": "eu-portal:A", "area": "klimat-miljo", "score": 5.0, "phrases": "[]"},
            {
                "item_id": "eu-portal:A",
                "area": "stad-digitalisering",
                "score": 2.0,
                "phrases": "[]",
            },
        ]
    )
    (row,) = all_items(fresh_store.db)
    assert row["areas"] == ["klimat-miljo", "stad-digitalisering"]
    assert row["deadlines"] == ["2027-01-15"]


def test_areas_of_equal_score_by_name_and_lists_edited_by_hand_read_back(fresh_store):
    """The areas come from their index in its order (score, then name); a list column edited
    by hand (Datasette, sqlite3) with spaces around its values still reads as that list."""
    save(fresh_store, [call("A")])
    fresh_store.db["matches"].insert_all(
        {"item_id": "eu-portal:A", "area": area, "score": score, "phrases": "[]"}
        for area, score in (("valfard-halsa", 2.0), ("kultur", 2.0), ("utbildning", 4.0))
    )
    fresh_store.db.execute(
        """UPDATE items SET deadlines = ' [ "2027-01-15" ,"2027-03-01" ] ', tags = '' """
    )
    (row,) = search_items(fresh_store.db, "call", SearchFilters(), limit=5)
    assert row["areas"] == ["utbildning", "kultur", "valfard-halsa"]
    assert row["deadlines"] == ["2027-01-15", "2027-03-01"] and row["tags"] == []


def test_list_columns_are_stored_as_json_would_write_them(fresh_store):
    """Keywords with quotes, backslashes, non-ASCII letters and line separators are stored as
    the JSON arrays json.dumps writes (what Datasette and sqlite3 show) and read back as given."""
    keywords = ('Klimat "anpassning"', "back\\slash", "Återbruk\u2028rad", "tab\there")
    save(fresh_store, [call("A", keywords=keywords, deadlines=(date(2027, 1, 15),))])
    stored = fresh_store.db["items"].get("eu-portal:A")
    assert stored["keywords"] == json.dumps(list(keywords), ensure_ascii=False)
    assert json.loads(stored["keywords"]) == list(keywords)
    assert stored["deadlines"] == '["2027-01-15"]'


def test_a_failed_save_leaves_nothing_half_written(fresh_store):
    save(fresh_store, [call("A")])
    broken = call("B", title=None)  # NOT NULL title: the insert fails mid-transaction
    with pytest.raises(sqlite3.IntegrityError):
        save(fresh_store, [call("A", title="Changed"), broken])
    assert fresh_store.db["items"].get("eu-portal:A")["title"] == "Call A"
    assert fresh_store.db["item_changes"].count == 0
    assert fresh_store.db["fetch_log"].count == 1


def test_an_older_database_is_migrated_with_its_items_searchable_by_stem(db_path):
    old = version_4_with_one_call(db_path, summary="")
    old.conn.close()
    store = open_store(db_path)
    assert store.db["items"].count == 1
    assert [r["id"] for r in search_items(store.db, "kommuner", SearchFilters())] == ["eu-portal:A"]


def test_a_version_6_database_gets_the_call_details_and_searches_its_summaries(db_path):
    import sqlite_utils

    old = sqlite_utils.Database(db_path)
    for number, migration in enumerate(MIGRATIONS[:6], start=1):
        migration(old)
        old.execute(f"PRAGMA user_version = {number}")
    old["items"].insert(
        {
            "id": "eu-portal:B",
            "source": "eu-portal",
            "uid": "B",
            "kind": "call",
            "title": "Call B",
            "summary": "Vattenförsörjning för kommuner",
            "search_stems": "",
            "first_seen": "2026-01-01T00:00:00+00:00",
            "last_seen": "2026-01-01T00:00:00+00:00",
        }
    )
    old.conn.commit()  # migration 5's UPDATE left a transaction open
    old.conn.close()
    store = open_store(db_path)
    row = store.db["items"].get("eu-portal:B")
    assert row["description"] == "Vattenförsörjning för kommuner" and row["conditions"] == ""
    found = search_items(store.db, "vattenförsörjning", SearchFilters())
    assert [r["id"] for r in found] == ["eu-portal:B"]


def test_the_full_text_is_searched_and_exported_with_the_call_details(fresh_store):
    import io

    from monitor.cli.output import write_csv

    full = call(
        "LIFE-2026-X",
        summary="Short summary.",
        description="Short summary. Nature-based solutions for stormwater in towns.",
        conditions="Public bodies may apply.",
        types_of_action=("LIFE-SAP LIFE Standard Action Projects", "LIFE-PJG Project Grants"),
        expected_grants=3,
        max_contribution=2_500_000.0,
    )
    save(fresh_store, [full, call("LIFE-2026-Y", summary="Other text.")])
    assert [
        r["identifier"] for r in search_items(fresh_store.db, "stormwater", SearchFilters())
    ] == ["LIFE-2026-X"]
    rows = {r["identifier"]: r for r in all_items(fresh_store.db)}
    exported = rows["LIFE-2026-X"]
    assert exported["conditions"] == "Public bodies may apply."
    assert exported["types_of_action"] == list(full.types_of_action)
    assert (exported["expected_grants"], exported["max_contribution"]) == (3, 2_500_000.0)
    assert rows["LIFE-2026-Y"]["description"] == "Other text."  # the summary stands in
    out = io.StringIO()
    write_csv([exported], out)
    assert "LIFE-SAP LIFE Standard Action Projects; LIFE-PJG Project Grants" in out.getvalue()


def test_digests_sent_before_version_8_keep_what_they_announced_as_not_moved(db_path):
    import sqlite_utils

    from monitor.store.digest_reads import announced

    old = sqlite_utils.Database(db_path)
    for number, migration in enumerate(MIGRATIONS[:7], start=1):
        migration(old)
        old.execute(f"PRAGMA user_version = {number}")
    stamp = "2026-11-23T07:00:00+00:00"
    old["items"].insert(
        {
            "id": "eu-portal:C",
            "source": "eu-portal",
            "uid": "C",
            "kind": "call",
            "title": "C",
            "identifier": "C",
            "deadline": "2026-12-10",
            "first_seen": stamp,
            "last_seen": stamp,
        }
    )
    old["digests"].insert(
        {
            "id": 1,
            "created": stamp,
            "period_start": stamp,
            "period_end": stamp,
            "language": "sv",
            "mode": "bot",
            "sent_at": stamp,
        }
    )
    old["digest_items"].insert({"digest_id": 1, "item_id": "eu-portal:C", "section": "new"})
    old.conn.commit()
    old.conn.close()
    (row,) = announced(open_store(db_path).db)
    assert (row["identifier"], row["section"], row["deadline"]) == ("C", "new", "2026-12-10")

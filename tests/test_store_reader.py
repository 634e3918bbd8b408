"""The officials' questions read the database through a plain read-only sqlite3 connection
(monitor/store/reader.py): the same answers as through the store, and the store still opens
(and migrates) a database that cannot be read as it is."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from monitor.models import Item, SourceOutcome
from monitor.store import open_store
from monitor.store.item_details import item_details
from monitor.store.queries import (
    TABLE_COLUMNS,
    SearchFilters,
    all_items,
    search_items,
    upcoming_deadlines,
)
from monitor.store.reader import open_reader

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def path(tmp_path):
    """A database in use: two calls (one with deadlines and areas), a change, a news item."""
    path = tmp_path / "monitor.db"
    store = open_store(path)
    items = [
        Item(
            source="eu-portal", uid=f"LIFE-2027-{n}", kind="call", identifier=f"LIFE-2027-{n}",
            title=f"Climate adaptation call {n}", status="open", source_status="open",
            deadlines=(TODAY + timedelta(days=10 + n), TODAY + timedelta(days=90)),
            deadline=TODAY + timedelta(days=10 + n), programme_code="LIFE",
        )
        for n in range(2)
    ]  # fmt: skip
    news = Item(
        source="nyheter", uid="n1", kind="news", title="Nyhet om LIFE-2027-0",
        summary="Utlysningen LIFE-2027-0 är öppen.", published=date(2026, 11, 20),
    )  # fmt: skip
    for source, batch in (("eu-portal", items), ("nyheter", [news])):
        run = store.start_run(NOW)
        outcome = SourceOutcome(source=source, name=source)
        store.save_success(run, outcome, batch, started=NOW, finished=NOW)
    store.db.execute(
        "INSERT INTO matches (item_id, area, score, phrases) VALUES (?, 'klimat-miljo', 3, ?)",
        [items[0].id, '["climate adaptation"]'],
    )
    store.close()
    return path


def test_every_question_has_the_same_answer_as_through_the_store(path):
    store = open_store(path, read_only=True)
    plain = open_reader(path)
    assert plain is not None
    questions = [  # each answered the same both ways, row for row and key for key
        lambda db: search_items(db, "climate", SearchFilters()),
        lambda db: search_items(db, None, SearchFilters(area="klimat-miljo")),
        lambda db: upcoming_deadlines(db, TODAY, 60),
        lambda db: list(all_items(db)),
        lambda db: item_details(db, "LIFE-2027-0"),
    ]
    for question in questions:
        assert question(plain) == question(store.db)
    assert [r["identifier"] for r in search_items(plain, "climate", SearchFilters())] == [
        "LIFE-2027-0",
        "LIFE-2027-1",
    ]
    assert item_details(plain, "LIFE-2027-0").mentioned_in[0].title == "Nyhet om LIFE-2027-0"


def test_deadlines_for_the_table_are_the_whole_rows_cut_to_the_table_columns(path):
    plain = open_reader(path)
    assert plain is not None
    for area, count in ((None, 2), ("klimat-miljo", 1)):  # both calls, then the matched one
        whole = upcoming_deadlines(plain, TODAY, 60, area=area, everything=True)
        table = upcoming_deadlines(plain, TODAY, 60, area=area, everything=True, table=True)
        assert len(whole) == count
        assert table == [{c: row[c] for c in TABLE_COLUMNS} for row in whole]


def test_a_row_with_two_columns_of_one_name_has_the_same_keys_either_way(path):
    sql = "SELECT 1 AS id, 2 AS id, 3 AS id_2, 4 AS id"
    plain = open_reader(path)
    assert plain is not None
    assert list(plain.query(sql)) == list(open_store(path, read_only=True).db.query(sql))


def test_a_database_that_needs_a_write_is_left_to_the_store(path, tmp_path):
    assert open_reader(tmp_path / "missing.db") is None
    conn = sqlite3.connect(path)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute(f"PRAGMA user_version = {version - 1}")  # as an older program left it
    conn.close()
    assert open_reader(path) is None
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("PRAGMA journal_mode = DELETE")  # not in WAL: a reader would block a run
    conn.close()
    assert open_reader(path) is None
    open_store(path, read_only=True)  # the store puts it back in WAL mode
    assert open_reader(path) is not None

"""Storing items in bulk (a staging table and one INSERT ... SELECT) leaves the database exactly
as storing them row by row through sqlite-utils did: every table, the search index's own
tables and the change events included."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlite_utils

from helpers.paths import FIXTURES
from monitor.models import Item, SourceOutcome
from monitor.sources.eu_portal_parse import items_from_results
from monitor.store import items as store_items
from monitor.store import open_store
from monitor.store.queries import SearchFilters, search_items

NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)


def portal_calls() -> list[Item]:
    rows = []
    for page in sorted((FIXTURES / "eu_portal" / "open-calls").glob("page-*.json")):
        rows += json.loads(page.read_text(encoding="utf-8"))["results"]
    return items_from_results(rows, source="eu-portal", programmes={}, today=date(2026, 8, 22))


def news(uid: str, names: str) -> Item:
    return Item(source="nyheter", uid=uid, kind="news", title=f"Nytt om {names}", summary=names)


def row_by_row_insert(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    """The path before the bulk one: sqlite-utils' insert_all."""
    if rows:
        db.table("items").insert_all(rows)


def row_by_row_update(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        db.table("items").update(row["id"], row)


def three_runs(path, monkeypatch, *, bulk: bool) -> sqlite_utils.Database:
    """New calls and news; then some calls changed (title, deadline, text), some gone, some new;
    then the same again (nothing but last_seen moves)."""
    if not bulk:
        monkeypatch.setattr(store_items, "_insert", row_by_row_insert)
        monkeypatch.setattr(store_items, "_update", row_by_row_update)
    calls = portal_calls()
    first = [*calls[:300], news("n1", f"{calls[0].identifier} och {calls[1].identifier}")]
    changed = [
        dataclasses.replace(c, title=c.title + " (rev.)") if n % 7 == 0 else c
        for n, c in enumerate(calls[20:300])
    ]
    changed[1] = dataclasses.replace(
        changed[1], deadlines=(date(2027, 2, 1),), deadline=date(2027, 2, 1)
    )
    changed[2] = dataclasses.replace(changed[2], description="Helt ny text om klimatanpassning.")
    second = [*changed, *calls[300:], news("n2", calls[5].identifier)]
    store = open_store(path)
    for n, items in enumerate([first, second, second]):
        now = NOW + timedelta(days=n)
        run_id = store.start_run(now)
        for source in ("eu-portal", "nyheter"):
            outcome = SourceOutcome(source=source, name=source)
            mine = [i for i in items if i.source == source]
            store.save_success(run_id, outcome, mine, started=now, finished=now)
    return store.db


def contents(db: sqlite_utils.Database) -> dict[str, list[tuple]]:
    """Every table's rows in rowid order, the search index's shadow tables included.

    FTS5 writes its pending terms out at each statement, so row-by-row storing leaves more,
    smaller segments (and other segment numbers) of the same index: the index is compared by
    what it holds, every term of every row, column and position (fts5vocab), the totals that
    ranking reads (record 1) and each row's length (items_fts_docsize)."""
    db.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, items_fts, 'instance')")
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
    ]
    tables = {}
    for name in names:
        if name in ("items_fts_data", "items_fts_idx"):  # the segments' layout
            continue
        order = "rowid" if name != "items_fts_idx" else "segid, term"
        if name in ("items_fts_config",):
            order = "k"
        tables[name] = db.execute(f"SELECT * FROM [{name}] ORDER BY {order}").fetchall()
    tables["index totals"] = db.execute("SELECT block FROM items_fts_data WHERE id = 1").fetchall()
    tables["every term"] = db.execute("SELECT * FROM temp.terms").fetchall()
    tables["items_fts (read back)"] = db.execute(
        "SELECT rowid, * FROM items_fts ORDER BY rowid"
    ).fetchall()
    return tables


@pytest.fixture
def both(tmp_path, monkeypatch):
    bulk = contents(three_runs(tmp_path / "bulk.db", monkeypatch, bulk=True))
    with monkeypatch.context() as patch:
        by_row = contents(three_runs(tmp_path / "rows.db", patch, bulk=False))
    return bulk, by_row


def test_bulk_storing_leaves_every_table_as_row_by_row_storing_did(both):
    bulk, by_row = both
    assert bulk.keys() == by_row.keys()
    assert {"items", "item_changes", "mentions", "items_fts_docsize", "every term"} <= set(bulk)
    assert len(bulk["every term"]) > 50_000
    for name in bulk:
        assert bulk[name] == by_row[name], name
    assert len(bulk["item_changes"]) > 40  # titles and a deadline changed, recorded
    assert len(bulk["mentions"]) >= 3  # the news name calls, and calls other calls


def test_bulk_stored_items_are_found_by_search(tmp_path, monkeypatch):
    db = three_runs(tmp_path / "bulk.db", monkeypatch, bulk=True)
    assert db.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")
    found = search_items(db, "klimatanpassning", SearchFilters())
    assert any(row["description"] == "Helt ny text om klimatanpassning." for row in found)

"""Storing items: insert new ones, update changed ones with a change event per moved field.

An item fetched again unchanged only gets its `last_seen` moved. A change the source made to a
tracked field (its status, deadlines, opening date, title, budget) is recorded in item_changes
with the old and new value and counts the item as changed. Other fields (summary text, url,
keywords, and the full text, conditions and budget details of the portal's topic pages) are
kept up to date silently: a reworded description is not news. `deadline` (the
next cut-off) and `status` (closed once every deadline passed) follow from the source's data and
today, so time passing updates them without counting as a change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from monitor.identifiers import call_identifiers
from monitor.models import Item
from monitor.stemming import stems_of
from monitor.store.columns import ITEM_COLUMNS, ITEM_FIELDS, item_row

if TYPE_CHECKING:
    import sqlite_utils

# Column -> the field name a change event shows.
TRACKED_FIELDS = {
    "source_status": "status",
    "deadlines": "deadlines",
    "opening_date": "opening_date",
    "title": "title",
    "budget": "budget",
}
# An item's content: a change to any of them rewrites the row (and its search stems).
CONTENT_FIELDS = ITEM_FIELDS


@dataclass
class SaveCounts:
    seen: int = 0
    new: int = 0
    changed: int = 0
    new_ids: tuple[str, ...] = ()
    changed_ids: tuple[str, ...] = ()


def save_items(
    db: sqlite_utils.Database,
    items: Iterable[Item],
    *,
    run_id: int,
    now: datetime,
) -> SaveCounts:
    """Upsert one source's items; the caller holds the transaction."""
    rows = {row["id"]: row for row in map(item_row, items)}  # a source repeating an item: last wins
    stamp = now.isoformat(timespec="seconds")
    stored = _stored(db, list(rows))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    touched: list[str] = []
    changes: list[dict[str, Any]] = []
    changed_ids: list[str] = []
    for item_id, row in rows.items():
        old = stored.get(item_id)
        if old is None:
            inserts.append({**row, "first_seen": stamp, "last_seen": stamp})
            continue
        events = [
            {
                "item_id": item_id,
                "run_id": run_id,
                "field": shown,
                "old": _shown(name, old[name]),
                "new": _shown(name, row[name]),
                "changed_at": stamp,
            }
            for name, shown in TRACKED_FIELDS.items()
            if old[name] != row[name]
        ]
        if events:
            changes.extend(events)
            changed_ids.append(item_id)
        if any(old[name] != row[name] for name in CONTENT_FIELDS):
            updates.append({**row, "last_seen": stamp})
        else:
            touched.append(item_id)
    for row in [*inserts, *updates]:
        # The full text where there is one: it holds the summary, which is its first part.
        row["search_stems"] = stems_of(row["title"], row["description"])
    _insert(db, inserts)
    _update(db, updates)
    if touched:
        db.conn.executemany(
            "UPDATE items SET last_seen = ? WHERE id = ?", [(stamp, i) for i in touched]
        )
    if changes:
        db.table("item_changes").insert_all(changes)
    _save_mentions(db, [*inserts, *updates])
    return SaveCounts(
        seen=len(rows),
        new=len(inserts),
        changed=len(changed_ids),
        new_ids=tuple(r["id"] for r in inserts),
        changed_ids=tuple(changed_ids),
    )


# The columns a stored item's row is written with: its content and what the store adds.
_INSERTED = (*ITEM_COLUMNS, "first_seen", "last_seen", "search_stems")
_UPDATED = (*ITEM_COLUMNS, "last_seen", "search_stems")
# New items go through an untyped staging table (the items table's affinities then apply just
# as to a direct insert) and into items in one INSERT ... SELECT: SQLite runs the search
# index's trigger row after row without a round trip to Python or sqlite-utils' per-batch
# statement building, which was most of the storing time apart from the index itself.
_STAGING = "staged_items"


def _insert(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = ", ".join(_INSERTED)
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} ({columns})")
    db.execute(f"DELETE FROM temp.{_STAGING}")
    db.conn.executemany(
        f"INSERT INTO temp.{_STAGING} ({columns}) VALUES ({', '.join('?' * len(_INSERTED))})",
        [tuple(row[c] for c in _INSERTED) for row in rows],
    )
    # In staging order, so that rowids (the search index's keys) follow the source's order.
    db.execute(
        f"INSERT INTO items ({columns}) SELECT {columns} FROM temp.{_STAGING} ORDER BY rowid"
    )
    db.execute(f"DELETE FROM temp.{_STAGING}")


def _update(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    """Changed items rewritten in place, in the source's order (an UPDATE each: they are few)."""
    if not rows:
        return
    assigned = ", ".join(f"{c} = ?" for c in _UPDATED)
    db.conn.executemany(
        f"UPDATE items SET {assigned} WHERE id = ?",
        [(*(row[c] for c in _UPDATED), row["id"]) for row in rows],
    )


def _save_mentions(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    """The call identifiers each new or updated item names, other than its own."""
    if not rows:
        return
    db.conn.executemany("DELETE FROM mentions WHERE item_id = ?", [(r["id"],) for r in rows])
    mentions = [
        {"item_id": row["id"], "identifier": identifier}
        for row in rows
        for identifier in call_identifiers(f"{row['title']}\n{row['summary']}")
        if identifier not in (row["identifier"], row["call_identifier"])
    ]
    if mentions:
        db.table("mentions").insert_all(mentions)


def _stored(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows_by_ids(db, ITEM_COLUMNS, ids)}


def rows_by_ids(
    db: sqlite_utils.Database, columns: Iterable[str], ids: list[str]
) -> Iterator[dict[str, Any]]:
    """The items with these ids, in chunks that stay under SQLite's bound-parameter limit."""
    selected = ", ".join(columns)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        yield from db.query(f"SELECT {selected} FROM items WHERE id IN ({marks})", chunk)


def _shown(field: str, value: Any) -> str | None:
    """A field's value as a change event shows it: deadlines as '2026-09-30, 2027-01-15'."""
    if value is None:
        return None
    if field == "deadlines":
        return ", ".join(json.loads(value))
    if field == "budget":
        return f"{value:.0f}"
    return str(value)

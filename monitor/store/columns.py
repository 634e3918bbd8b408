"""The items table's columns, derived once from the `Item` model.

Every `Item` field is a column of the same name; `id` (source:uid) is the key. Lists are stored
as JSON arrays, dates and times as ISO 8601 text. The store adds columns of its own that no
source sets (first_seen, last_seen, relevant, relevance, score, matched_at, search_stems).
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from monitor.models import Item

# The columns an item's content fills, in the model's order.
ITEM_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Item))
# The columns holding a JSON array (the model's tuples).
JSON_COLUMNS: frozenset[str] = frozenset(
    {
        "deadlines",
        "keywords",
        "types_of_action",
        "programme_divisions",
        "tags",
        "cross_cutting_priorities",
        "deadline_times",
    }
)
# Every column an Item gives, with its key first.
ITEM_COLUMNS: tuple[str, ...] = ("id", *ITEM_FIELDS)


def _check() -> None:
    # The JSON columns are the model's tuple fields; a new tuple field must be named here.
    tuples = {f.name for f in fields(Item) if str(f.type).startswith("tuple")}
    if tuples != JSON_COLUMNS:
        raise AssertionError(f"JSON_COLUMNS {sorted(JSON_COLUMNS)} != Item's tuples {tuples}")


_check()


def item_row(item: Item) -> dict[str, Any]:
    """An Item as a row of the items table (dates as ISO 8601 text, lists as JSON)."""
    row: dict[str, Any] = {"id": item.id}
    for name in ITEM_FIELDS:
        value = getattr(item, name)
        if name in JSON_COLUMNS:
            row[name] = json.dumps([_iso(v) for v in value], ensure_ascii=False)
        else:
            row[name] = _iso(value)
    return row


def select_list(columns: tuple[str, ...] = ITEM_COLUMNS, table: str = "items") -> str:
    """`items.id, items.source, ...`: the columns as a select list."""
    return ", ".join(f"{table}.{c}" for c in columns)


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value

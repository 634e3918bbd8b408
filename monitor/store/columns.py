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

from monitor.models import DEFAULT_GROUP, Item

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
            # Most of an item's seven lists are empty: json.dumps' own "[]" without its cost.
            row[name] = _json_list([_iso(v) for v in value]) if value else "[]"
        elif isinstance(value, date):  # a datetime too; most values are text, kept as they are
            row[name] = _iso(value)
        else:
            row[name] = value
    return row


def _json_list(values: list[Any]) -> str:
    """json.dumps(values, ensure_ascii=False), written out for a list of strings, as the lists
    are: dumps builds an encoder per call for any argument other than its defaults, and that
    was most of item_row's time (three lists an item)."""
    if all(type(value) is str for value in values):
        return "[" + ", ".join(map(_json_string, values)) + "]"
    return _ENCODER.encode(values)


_ENCODER = json.JSONEncoder(ensure_ascii=False)
# What that encoder writes for a string (the C function itself, as json.encoder names it).
_json_string = json.encoder.encode_basestring


def select_list(columns: tuple[str, ...] = ITEM_COLUMNS, table: str = "items") -> str:
    """`items.id, items.source, ...`: the columns as a select list."""
    return ", ".join(f"{table}.{c}" for c in columns)


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


# The columns the store adds to an item's own; VERDICT_COLUMNS are one group's judgement.
STORE_COLUMNS: tuple[str, ...] = ("first_seen", "last_seen", "search_stems")
VERDICT_COLUMNS: tuple[str, ...] = ("relevant", "relevance", "score", "matched_at")


def items_of(group: str) -> str:
    """What a query reads `FROM` to see the items as `group` judged them, named `items`.

    The default group's verdicts are the items table's own columns, so its queries read
    `items` itself, unchanged since before groups. Another group's come from
    `group_verdicts` under the same column names (and the rowid, for the search index), and
    only the items judged for that group are there: a source that serves other groups only
    is not this group's."""
    if group == DEFAULT_GROUP:
        return "items"
    own = ", ".join(f"i.{c}" for c in (*ITEM_COLUMNS, *STORE_COLUMNS))
    verdict = ", ".join(f"v.{c}" for c in VERDICT_COLUMNS)
    return (
        f"(SELECT i.rowid AS rowid, {own}, {verdict} FROM group_verdicts AS v"
        f" JOIN items AS i ON i.id = v.item_id WHERE v.group_id = {quoted(group)}) AS items"
    )


def quoted(group: str) -> str:
    """A group id as an SQL string literal, for the fragments built once per query."""
    return "'" + group.replace("'", "''") + "'"

"""Everything stored about one item, for `monitor show`: its row (with one group's tier),
areas, changes and mentions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from monitor.models import DEFAULT_GROUP
from monitor.store.matches import StoredMatch, areas_of, verdict_of
from monitor.store.queries import find_item

if TYPE_CHECKING:
    from monitor.store.reader import Queryable


@dataclass(frozen=True)
class ItemChange:
    changed_at: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Mentioner:
    """An item (news) that names a call."""

    title: str
    url: str | None
    source: str


@dataclass
class ItemDetails:
    row: dict[str, Any]  # every column, as stored (JSON columns as text), the group's tier
    areas: list[StoredMatch]
    changes: list[ItemChange]
    mentioned_in: list[Mentioner]  # other items naming this one's identifiers
    names: list[str]  # the call identifiers this item names


def item_details(db: Queryable, key: str, *, group: str = DEFAULT_GROUP) -> ItemDetails:
    """The item with this id or call identifier (MonitorError when none), with its history,
    its tier and areas as `group` judged it (none when it has not)."""
    row = find_item(db, key)
    item_id = row["id"]
    if group != DEFAULT_GROUP:
        row.update(verdict_of(db, item_id, group))
    changes = [
        ItemChange(c["changed_at"], c["field"], c["old"], c["new"])
        for c in db.query("SELECT * FROM item_changes WHERE item_id = ? ORDER BY id", [item_id])
    ]
    keys = [k for k in (row["identifier"], row["call_identifier"]) if k]
    return ItemDetails(
        row=row,
        areas=areas_of(db, item_id, group=group),
        changes=changes,
        mentioned_in=_mentioned_in(db, keys, item_id) if keys else [],
        names=[
            m["identifier"]
            for m in db.query("SELECT identifier FROM mentions WHERE item_id = ?", [item_id])
        ],
    )


def _mentioned_in(db: Queryable, keys: list[str], item_id: str) -> list[Mentioner]:
    marks = ", ".join("?" * len(keys))
    rows = db.query(
        f"""SELECT DISTINCT items.title, items.url, items.source FROM mentions
            JOIN items ON items.id = mentions.item_id
            WHERE mentions.identifier IN ({marks}) AND items.id != ?""",
        [*keys, item_id],
    )
    return [Mentioner(r["title"], r["url"], r["source"]) for r in rows]

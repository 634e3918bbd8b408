"""The groups as the store knows them: what each has judged and tracked, and handing one
group's rows to another (`monitor groups rename`).

Every row of a group carries its id (`group_id`) in matches, tracking, tracking_changes,
feedback, digests and group_verdicts; the default group's verdicts are the items' own columns
(see store/columns.items_of). A deployment that adds [[groups]] keeps its history under
'default' until it renames it to one of its groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from monitor.errors import StoreError
from monitor.models import DEFAULT_GROUP
from monitor.store.busy import writing
from monitor.store.columns import VERDICT_COLUMNS, items_of

# The tables whose rows belong to one group, by their group_id.
GROUP_TABLES = ("matches", "tracking", "tracking_changes", "feedback", "digests")
# An item the default group has judged: any of its verdict columns is set.
_DEFAULT_JUDGED = "NOT (" + " AND ".join(f"{c} IS NULL" for c in VERDICT_COLUMNS) + ")"


@dataclass(frozen=True)
class GroupCounts:
    judged: int  # items the group's rules judged
    relevant: int  # of them in its digest's main list
    tracked: int  # calls one of its förvaltningar tracks


def group_counts(db: sqlite_utils.Database, group: str) -> GroupCounts:
    judged_where = _DEFAULT_JUDGED if group == DEFAULT_GROUP else "1"
    judged, relevant = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(relevant = 1), 0) FROM {items_of(group)}"
        f" WHERE {judged_where}"
    ).fetchone()
    tracked = db.execute(
        "SELECT COUNT(DISTINCT item_id) FROM tracking WHERE group_id = ?", [group]
    ).fetchone()[0]
    return GroupCounts(judged, relevant, tracked)


def stored_groups(db: sqlite_utils.Database) -> list[str]:
    """Every group that has rows in the store, sorted."""
    union = " UNION ".join(f"SELECT DISTINCT group_id FROM {t}" for t in GROUP_TABLES)
    found = {
        r[0] for r in db.execute(f"{union} UNION SELECT DISTINCT group_id FROM group_verdicts")
    }
    if db.execute(f"SELECT EXISTS (SELECT 1 FROM items WHERE {_DEFAULT_JUDGED})").fetchone()[0]:
        found.add(DEFAULT_GROUP)
    return sorted(found)


def rename_group(db: sqlite_utils.Database, old: str, new: str) -> dict[str, int]:
    """Move every row of group `old` to `new`, in one transaction; how many rows per table.

    Verdicts can be made again (`rules reapply`) and history cannot: where `new` has already
    judged an item its own verdict and matches stay and `old`'s are dropped, while tracking,
    its changes, feedback and digests are all kept. Both groups tracking one call for the same
    förvaltning is a StoreError, before anything is moved."""
    if old == new:
        raise StoreError(f"the group '{old}' is already called so")
    with writing(db):
        clash = db.execute(
            """SELECT COUNT(*) FROM tracking AS a JOIN tracking AS b
               ON a.item_id = b.item_id AND a.unit = b.unit
               WHERE a.group_id = ? AND b.group_id = ?""",
            [old, new],
        ).fetchone()[0]
        if clash:
            raise StoreError(
                f"cannot rename the group '{old}' to '{new}': both track {clash} of the same"
                " calls for the same förvaltning; move one group's tracking on first"
            )
        # Before the verdicts move: the items `new` itself judged.
        db.execute(
            f"DELETE FROM matches WHERE group_id = ? AND item_id IN ({_judged_ids(new)})",
            [old, *_judged_args(new)],
        )
        moved = {"verdicts": _move_verdicts(db, old, new)}
        for table in GROUP_TABLES:
            cursor = db.execute(f"UPDATE {table} SET group_id = ? WHERE group_id = ?", [new, old])
            moved[table] = cursor.rowcount
    return moved


def _judged_ids(group: str) -> str:
    """A subquery of the ids of the items `group` has judged (its argument: _judged_args)."""
    if group == DEFAULT_GROUP:
        return f"SELECT id FROM items WHERE {_DEFAULT_JUDGED}"
    return "SELECT item_id FROM group_verdicts WHERE group_id = ?"


def _judged_args(group: str) -> list[str]:
    return [] if group == DEFAULT_GROUP else [group]


def _move_verdicts(db: sqlite_utils.Database, old: str, new: str) -> int:
    """Move `old`'s verdicts to `new` where `new` has none: between the items' own columns
    (the default group) and group_verdicts (every other)."""
    columns = ", ".join(VERDICT_COLUMNS)
    if old == DEFAULT_GROUP:
        cursor = db.execute(
            f"""INSERT OR IGNORE INTO group_verdicts (group_id, item_id, {columns})
                SELECT ?, id, {columns} FROM items WHERE {_DEFAULT_JUDGED}""",
            [new],
        )
        moved = cursor.rowcount
        cleared = ", ".join(f"{c} = NULL" for c in VERDICT_COLUMNS)
        db.execute(f"UPDATE items SET {cleared} WHERE {_DEFAULT_JUDGED}")
        return moved
    if new == DEFAULT_GROUP:
        picked = ", ".join(f"v.{c}" for c in VERDICT_COLUMNS)
        cursor = db.execute(
            f"""UPDATE items SET ({columns}) = (SELECT {picked} FROM group_verdicts AS v
                    WHERE v.group_id = :old AND v.item_id = items.id)
                WHERE NOT ({_DEFAULT_JUDGED})
                  AND id IN (SELECT item_id FROM group_verdicts WHERE group_id = :old)""",
            {"old": old},
        )
    else:
        cursor = db.execute(
            "UPDATE OR IGNORE group_verdicts SET group_id = ? WHERE group_id = ?", [new, old]
        )
    moved = cursor.rowcount
    db.execute("DELETE FROM group_verdicts WHERE group_id = ?", [old])
    return moved

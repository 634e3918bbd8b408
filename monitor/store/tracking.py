"""Tracking and feedback: what the international group did with a call, per förvaltning (unit),
and what it judged of the call.

`tracking` holds each (item, group, unit)'s state now, `tracking_changes` every change (old and
new state, who, note, amount), `feedback` each relevant/not-relevant judgement; each row is one
group's (`group_id`): a call one kommun tracks is not tracked by another. States are codes
(monitor/tracking.py has their labels); times are ISO 8601 UTC as the rest of the store writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from monitor.models import DEFAULT_GROUP
from monitor.store.busy import writing

if TYPE_CHECKING:
    import sqlite_utils

    from monitor.store.reader import Queryable

Row = dict[str, Any]


@dataclass(frozen=True)
class Tracked:
    """The outcome of one `track`: the state before (None when first tracked) and after."""

    item_id: str
    unit: str
    old_state: str | None
    new_state: str
    amount: int | None  # what the (item, unit) shows now


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def track(
    db: sqlite_utils.Database,
    item_id: str,
    unit: str,
    state: str,
    *,
    now: datetime,
    amount: int | None = None,
    note: str | None = None,
    by: str | None = None,
    group: str = DEFAULT_GROUP,
) -> Tracked:
    """Record a change of an (item, unit)'s state, its history row and the state now, at once.

    An amount or note belongs to the state it was given with: kept when the same state is
    recorded again without one, dropped when the state moves on (an amount applied for is not
    an amount granted); the history keeps every one.
    """
    stamp = _stamp(now)
    with writing(db):
        rows = db.query(
            "SELECT state, amount, note FROM tracking"
            " WHERE item_id = ? AND group_id = ? AND unit = ?",
            [item_id, group, unit],
        )
        was = next(iter(rows), None)
        old_state = was["state"] if was else None
        kept = was if was and old_state == state else {"amount": None, "note": None}
        shown_amount = amount if amount is not None else kept["amount"]
        db.execute(
            """INSERT INTO tracking_changes (item_id, group_id, unit, old_state, new_state,
                   amount, note, changed_by, changed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [item_id, group, unit, old_state, state, amount, note, by, stamp],
        )
        db.execute(
            """INSERT INTO tracking (item_id, group_id, unit, state, amount, note, changed_by,
                   changed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (item_id, group_id, unit) DO UPDATE SET state = excluded.state,
                   amount = excluded.amount, note = excluded.note,
                   changed_by = excluded.changed_by, changed_at = excluded.changed_at""",
            [item_id, group, unit, state, shown_amount, note or kept["note"], by, stamp],
        )
    return Tracked(item_id, unit, old_state, state, shown_amount)


def units(db: sqlite_utils.Database, *, group: str = DEFAULT_GROUP) -> list[str]:
    """Every unit of `group` that has tracked a call, as first written."""
    rows = db.query("SELECT DISTINCT unit FROM tracking WHERE group_id = ? ORDER BY unit", [group])
    return [r["unit"] for r in rows]


def tracked_calls(
    db: Queryable,
    *,
    states: Sequence[str] = (),
    unit: str | None = None,
    group: str = DEFAULT_GROUP,
) -> list[Row]:
    """Each (item, unit) `group` tracks with the call's identifier, title, url and next
    deadline, soonest deadline first."""
    where, args = ["tracking.group_id = ?"], [group]
    if states:
        where.append(f"tracking.state IN ({', '.join('?' * len(states))})")
        args += list(states)
    if unit is not None:
        where.append("tracking.unit = ?")
        args.append(unit)
    condition = f" WHERE {' AND '.join(where)}"
    return list(
        db.query(
            f"""SELECT tracking.item_id, items.identifier, items.title, items.url,
                       items.deadline, items.status, tracking.unit, tracking.state,
                       tracking.amount, tracking.note, tracking.changed_by,
                       tracking.changed_at
                FROM tracking JOIN items ON items.id = tracking.item_id{condition}
                ORDER BY items.deadline IS NULL, items.deadline, items.identifier,
                         tracking.unit""",
            args,
        )
    )


def tracking_history(
    db: sqlite_utils.Database, *, group: str = DEFAULT_GROUP
) -> dict[tuple[str, str], list[Row]]:
    """(item id, unit) -> `group`'s changes, oldest first."""
    history: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in db.query("SELECT * FROM tracking_changes WHERE group_id = ? ORDER BY id", [group]):
        history[(row["item_id"], row["unit"])].append(row)
    return dict(history)


def add_feedback(
    db: sqlite_utils.Database,
    item_id: str,
    verdict: str,
    *,
    now: datetime,
    area: str | None = None,
    by: str | None = None,
    group: str = DEFAULT_GROUP,
) -> None:
    with writing(db):
        db.execute(
            "INSERT INTO feedback (item_id, group_id, verdict, area, given_by, given_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [item_id, group, verdict, area, by, _stamp(now)],
        )


def judgements(db: sqlite_utils.Database, *, group: str = DEFAULT_GROUP) -> list[Row]:
    """The group's judgements of calls, oldest first, with the call's row: each feedback
    (`verdict`, `area`) and each (item, unit)'s state now (`state`), both with their time."""
    rows = list(
        db.query(
            """SELECT items.*, 'feedback' AS judged_by, feedback.verdict, feedback.area,
                      NULL AS state, feedback.given_at AS judged_at
               FROM feedback JOIN items ON items.id = feedback.item_id
               WHERE feedback.group_id = :group
               UNION ALL
               SELECT items.*, 'tracking', NULL, NULL, tracking.state, tracking.changed_at
               FROM tracking JOIN items ON items.id = tracking.item_id
               WHERE tracking.group_id = :group
               ORDER BY judged_at""",
            {"group": group},
        )
    )
    return rows

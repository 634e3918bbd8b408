"""What the digest reads from the store: rows that may belong in a digest, and what was shown.

Rows are plain dicts of the items table (JSON columns as text) with `learned_score` (the
learned score, items.score; None when no scorer is trained), each with its `matches` (area,
score, phrases as a list), strongest first; digest/choose.py decides what goes in.

Each read is for one group: its verdicts (`columns.items_of`), its matches, its tracking and
the digests it was sent. The default group reads the items table itself, as before groups.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import sqlite_utils

from monitor.models import DEFAULT_GROUP
from monitor.store.columns import items_of, select_list

Row = dict[str, Any]
_ITEM = f"{select_list()}, items.first_seen, items.score AS learned_score"


# Calls (by identifier, or id without one) that every förvaltning of the group tracking them
# marked not-for-us. Every: while one unit still works on a call it matters to the group.
_NOT_FOR_US = """SELECT coalesce(items.identifier, items.id) FROM tracking
    JOIN items ON items.id = tracking.item_id WHERE tracking.group_id = :group
    GROUP BY coalesce(items.identifier, items.id) HAVING min(tracking.state = 'not-for-us')"""


def _relevant_closing(group: str) -> str:
    """The rowids of `group`'s relevant calls due in the window, by the index that finds them
    (the default group's `(relevant, deadline)` on items, another's its verdicts)."""
    if group == DEFAULT_GROUP:
        return (
            "SELECT rowid FROM items WHERE relevant = 1 AND deadline BETWEEN :today AND :window_end"
        )
    return """SELECT items.rowid FROM group_verdicts AS v JOIN items ON items.id = v.item_id
                        WHERE v.group_id = :group AND v.relevant = 1
                          AND items.deadline BETWEEN :today AND :window_end"""


def relevant_calls(
    db: sqlite_utils.Database,
    start: str,
    today: str,
    window_end: str,
    *,
    group: str = DEFAULT_GROUP,
) -> list[Row]:
    """Relevant calls first seen or changed after `start`, or open and closing in the window;
    not those the group said are not for it (closing soon or changed, they are noise to it)."""
    # Driven from the few rows each condition's index finds (new, changed, closing soon), not
    # from every relevant call: `+` keeps SQLite off the index on `relevant`. Rowid order is
    # the order the whole scan gave.
    rows = list(
        db.query(
            f"""SELECT {_ITEM} FROM {items_of(group)}
                WHERE items.rowid IN (
                    SELECT rowid FROM items WHERE first_seen > :start
                    UNION ALL
                    SELECT items.rowid FROM item_changes
                        JOIN items ON items.id = item_changes.item_id
                        WHERE item_changes.changed_at > :start
                    UNION ALL
                    {_relevant_closing(group)})
                  AND +kind = 'call' AND +relevant = 1 AND (
                    first_seen > :start
                    OR id IN (SELECT item_id FROM item_changes WHERE changed_at > :start)
                    OR (status = 'open' AND deadline BETWEEN :today AND :window_end))
                  AND coalesce(identifier, id) NOT IN ({_NOT_FOR_US})
                ORDER BY items.rowid""",
            {"start": start, "today": today, "window_end": window_end, "group": group},
        )
    )
    _attach_matches(db, rows, group)
    return rows


def maybe_calls(db: sqlite_utils.Database, start: str, *, group: str = DEFAULT_GROUP) -> list[Row]:
    """Calls of the `maybe` tier first seen after `start` and not closed, unless a record of the
    same call (its identifier) is in the main tier: that one is the call's verdict."""
    rows = list(
        db.query(
            f"""SELECT {_ITEM} FROM {items_of(group)}
                WHERE kind = 'call' AND relevance = 'maybe' AND first_seen > :start
                  AND coalesce(status, '') != 'closed'
                  AND NOT (identifier IS NOT NULL AND identifier IN (
                      SELECT identifier FROM {items_of(group)}
                      WHERE identifier IS NOT NULL AND kind = 'call' AND relevant = 1))""",
            {"start": start},
        )
    )
    _attach_matches(db, rows, group)
    return rows


def news_since(db: sqlite_utils.Database, start: str, *, group: str = DEFAULT_GROUP) -> list[Row]:
    """News first seen after `start`, each with its matches and the call identifiers it names."""
    rows = list(
        db.query(
            f"SELECT {_ITEM} FROM {items_of(group)} WHERE kind = 'news' AND first_seen > ?",
            [start],
        )
    )
    _attach_matches(db, rows, group)
    # One query for all the news, not one per item (2,400 in a first run of 800 feeds)
    named: dict[str, list[str]] = {}
    for item_id, identifier in db.execute(
        "SELECT item_id, identifier FROM mentions WHERE item_id IN"
        " (SELECT id FROM items WHERE kind = 'news' AND first_seen > ?)"
        " ORDER BY item_id, identifier",
        [start],
    ):
        named.setdefault(item_id, []).append(identifier)
    for row in rows:
        row["mentions"] = named.get(row["id"], [])
    return rows


# A change flips back when it restores a value its field had (before or after an earlier
# change) at most `runs` of the item's source's runs ago: fetch_log has a row per source per run.
_FLIPS_BACK = """EXISTS (
    SELECT 1 FROM item_changes AS earlier
    WHERE earlier.item_id = c.item_id AND earlier.field = c.field AND earlier.id < c.id
      AND (earlier.old IS c.new OR earlier.new IS c.new)
      AND earlier.run_id IS NOT NULL AND c.run_id IS NOT NULL
      AND (SELECT count(*) FROM fetch_log
           WHERE fetch_log.source = (SELECT source FROM items WHERE items.id = c.item_id)
             AND fetch_log.run_id > earlier.run_id AND fetch_log.run_id <= c.run_id) <= :runs)"""


def changes_since(db: sqlite_utils.Database, start: str, *, runs: int) -> dict[str, list[Row]]:
    """Item id -> its change events after `start`, in the order they were recorded, each with
    `flips_back`: it restores a value the field had within the source's last `runs` runs."""
    changes: dict[str, list[Row]] = defaultdict(list)
    for change in db.query(
        # `+c.id`: the period's few changes by their index on changed_at, then sorted, rather
        # than every change ever made walked in id order.
        f"""SELECT c.*, {_FLIPS_BACK} AS flips_back FROM item_changes AS c
            WHERE c.changed_at > :start ORDER BY +c.id""",
        {"start": start, "runs": runs},
    ):
        change["flips_back"] = bool(change["flips_back"])
        changes[change["item_id"]].append(change)
    return dict(changes)


def news_mentions(db: sqlite_utils.Database, *, group: str = DEFAULT_GROUP) -> dict[str, list[Row]]:
    """Call identifier -> the group's news items (title, url, source) that name it."""
    mentions: dict[str, list[Row]] = defaultdict(list)
    # CROSS JOIN: SQLite's way to keep the given order, from the mentions to their items;
    # left to itself it scanned every item. Sorted as that scan gave them.
    for row in db.query(
        f"""SELECT mentions.identifier, items.title, items.url, items.source FROM mentions
            CROSS JOIN {items_of(group)} ON items.id = mentions.item_id
            WHERE items.kind = 'news' ORDER BY items.rowid, mentions.identifier"""
    ):
        mentions[row["identifier"]].append(row)
    return dict(mentions)


def announced(db: sqlite_utils.Database, *, group: str = DEFAULT_GROUP) -> list[Row]:
    """What every digest sent to `group` announced: digest id, when it was built (`built`, its
    period end), item id, the item's call identifier, section, and the deadline it was shown
    with. Another group's digests announce nothing to this one."""
    return list(
        db.query(
            """SELECT digest_items.digest_id, digests.period_end AS built,
                      digest_items.item_id, items.identifier,
                      digest_items.section, digest_items.deadline
               FROM digest_items JOIN digests ON digests.id = digest_items.digest_id
               LEFT JOIN items ON items.id = digest_items.item_id
               WHERE digests.group_id = ? AND digests.sent_at IS NOT NULL
               ORDER BY digest_items.digest_id""",
            [group],
        )
    )


def source_states(db: sqlite_utils.Database) -> list[Row]:
    return list(db.query("SELECT * FROM source_state"))


def _attach_matches(db: sqlite_utils.Database, rows: list[Row], group: str) -> None:
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["matches"] = []
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for match in db.query(
            f"SELECT * FROM matches WHERE group_id = ? AND item_id IN ({marks}) "
            "ORDER BY score DESC, area",
            [group, *chunk],
        ):
            match["phrases"] = json.loads(match["phrases"])
            by_id[match["item_id"]]["matches"].append(match)

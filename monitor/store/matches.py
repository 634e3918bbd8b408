"""The rules' outcome per item and group: its areas in `matches` (by group_id); its tier
(`relevance`: relevant, maybe or no), the learned `score`, and `relevant` (the main tier: in
the digest). The default group's tier is in `items`' own columns, as before groups; every other
group's in `group_verdicts`."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from monitor.models import DEFAULT_GROUP
from monitor.store.busy import writing
from monitor.store.columns import ITEM_COLUMNS, VERDICT_COLUMNS, select_list

if TYPE_CHECKING:
    import sqlite_utils

    from monitor.store.reader import Queryable


@dataclass(frozen=True)
class StoredMatch:
    """One area an item matched, how strongly, and the phrases that hit."""

    area: str
    score: float
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemVerdict:
    """What the rules said of one item, as the store keeps it."""

    item_id: str
    relevant: bool
    areas: tuple[StoredMatch, ...] = ()
    tier: str = ""  # relevant, maybe or no
    score: float | None = None


def rows_to_match(
    db: sqlite_utils.Database,
    item_ids: Iterable[str] | None,
    *,
    not_sources: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The stored items with these ids (every item when None), as rows with JSON text;
    not those of `not_sources` (the sources that do not serve the group being matched)."""
    from monitor.store.items import rows_by_ids  # the writing side: not for `show`, `search`

    if item_ids is None:
        rows = list(db.query(f"SELECT {select_list()} FROM items"))
    else:
        rows = list(rows_by_ids(db, ITEM_COLUMNS, list(item_ids)))
    return [row for row in rows if row["source"] not in not_sources] if not_sources else rows


def save_verdicts(
    db: sqlite_utils.Database,
    verdicts: Iterable[ItemVerdict],
    stamp: str,
    *,
    group: str = DEFAULT_GROUP,
) -> None:
    """Replace each item's matches and relevance for `group`, all in one transaction; the
    other groups' verdicts of the same items stay as they are (an item given twice: its last
    verdict).

    Three statements for the whole batch, not three per item: sqlite-utils' `insert_all`
    looked up the table and built its statement again for every item, which made storing a
    verdict slower than finding it. 2,400 verdicts stored 24 at a time, as a run of 800 feeds
    does: 0.40 s before, 0.15 s now (most of it the commits)."""
    last = {verdict.item_id: verdict for verdict in verdicts}
    areas = [
        (item_id, group, m.area, m.score, json.dumps(list(m.phrases), ensure_ascii=False))
        for item_id, verdict in last.items()
        for m in verdict.areas
    ]
    tiers = [(int(v.relevant), v.tier, v.score, stamp, item_id) for item_id, v in last.items()]
    with writing(db):
        db.conn.executemany(
            "DELETE FROM matches WHERE item_id = ? AND group_id = ?",
            [(item_id, group) for item_id in last],
        )
        db.conn.executemany(
            "INSERT INTO matches (item_id, group_id, area, score, phrases) VALUES (?, ?, ?, ?, ?)",
            areas,
        )
        if group == DEFAULT_GROUP:
            db.conn.executemany(
                "UPDATE items SET relevant = ?, relevance = ?, score = ?, matched_at = ?"
                " WHERE id = ?",
                tiers,
            )
        else:
            db.conn.executemany(
                """INSERT INTO group_verdicts
                       (relevant, relevance, score, matched_at, item_id, group_id)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (group_id, item_id) DO UPDATE SET
                       relevant = excluded.relevant, relevance = excluded.relevance,
                       score = excluded.score, matched_at = excluded.matched_at""",
                [(*values, group) for values in tiers],
            )


def any_matches(db: Queryable, *, group: str = DEFAULT_GROUP) -> bool:
    """Whether the rules have matched anything for `group` yet."""
    row = db.execute("SELECT EXISTS (SELECT 1 FROM matches WHERE group_id = ?)", [group]).fetchone()
    return row[0] == 1


def areas_of(db: Queryable, item_id: str, *, group: str = DEFAULT_GROUP) -> list[StoredMatch]:
    """An item's areas for `group`, strongest first."""
    rows = db.query(
        "SELECT * FROM matches WHERE item_id = ? AND group_id = ? ORDER BY score DESC",
        [item_id, group],
    )
    return [StoredMatch(r["area"], r["score"], tuple(json.loads(r["phrases"]))) for r in rows]


def verdict_of(db: Queryable, item_id: str, group: str) -> dict[str, Any]:
    """The verdict columns (relevant, relevance, score, matched_at) of an item as `group`
    judged it; all None when it has not judged it."""
    columns = ", ".join(VERDICT_COLUMNS)
    if group == DEFAULT_GROUP:
        sql, args = f"SELECT {columns} FROM items WHERE id = ?", [item_id]
    else:
        sql = f"SELECT {columns} FROM group_verdicts WHERE item_id = ? AND group_id = ?"
        args = [item_id, group]
    row = next(iter(db.query(sql, args)), None)
    return row if row is not None else dict.fromkeys(VERDICT_COLUMNS)


def count_to_match(db: sqlite_utils.Database, *, not_sources: Collection[str] = ()) -> int:
    """How many stored items `rows_to_match(db, None, not_sources=...)` gives."""
    marks = ", ".join("?" * len(not_sources))
    where = f" WHERE source NOT IN ({marks})" if not_sources else ""
    return db.execute(f"SELECT COUNT(*) FROM items{where}", list(not_sources)).fetchone()[0]

"""The rules' outcome per item: its areas in `matches`; in `items` its tier (`relevance`:
relevant, maybe or no), the learned `score`, and `relevant` (the main tier: in the digest)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from monitor.models import DEFAULT_GROUP
from monitor.store.busy import writing
from monitor.store.columns import ITEM_COLUMNS, select_list
from monitor.store.items import rows_by_ids


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
    db: sqlite_utils.Database, item_ids: Iterable[str] | None
) -> list[dict[str, Any]]:
    """The stored items with these ids (every item when None), as rows with JSON text."""
    if item_ids is None:
        return list(db.query(f"SELECT {select_list()} FROM items"))
    return list(rows_by_ids(db, ITEM_COLUMNS, list(item_ids)))


def save_verdicts(db: sqlite_utils.Database, verdicts: Iterable[ItemVerdict], stamp: str) -> None:
    """Replace each item's matches and relevance, all in one transaction."""
    with writing(db):
        for verdict in verdicts:
            db.execute("DELETE FROM matches WHERE item_id = ?", [verdict.item_id])
            db.table("matches").insert_all(
                {
                    "item_id": verdict.item_id,
                    "area": m.area,
                    "score": m.score,
                    "phrases": json.dumps(list(m.phrases), ensure_ascii=False),
                }
                for m in verdict.areas
            )
            db.execute(
                "UPDATE items SET relevant = ?, relevance = ?, score = ?, matched_at = ?"
                " WHERE id = ?",
                [int(verdict.relevant), verdict.tier, verdict.score, stamp, verdict.item_id],
            )


def any_matches(db: sqlite_utils.Database) -> bool:
    """Whether the rules have matched anything yet."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM matches)").fetchone()[0] == 1


def areas_of(
    db: sqlite_utils.Database, item_id: str, *, group: str = DEFAULT_GROUP
) -> list[StoredMatch]:
    """An item's areas as `group` judged them, strongest first."""
    rows = db.query(
        "SELECT * FROM matches WHERE item_id = ? AND group_id = ? ORDER BY score DESC",
        [item_id, group],
    )
    return [StoredMatch(r["area"], r["score"], tuple(json.loads(r["phrases"]))) for r in rows]

"""Read from the store what may belong in a digest; choose.py decides what does."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlite_utils

from monitor.digest.choose import Candidates

_ITEM_COLUMNS = (
    "id, source, kind, identifier, call_identifier, title, url, programme, programme_code, "
    "status, deadline, budget, published, first_seen"
)


def gather(
    db: sqlite_utils.Database,
    *,
    since: datetime,
    today: date,
    closing_soon_days: int,
    source_names: dict[str, str],
) -> Candidates:
    start = since.isoformat(timespec="seconds")
    window_end = (today + timedelta(days=closing_soon_days)).isoformat()
    calls = list(
        db.query(
            f"""SELECT {_ITEM_COLUMNS} FROM items
                WHERE kind = 'call' AND relevant = 1 AND (
                    first_seen > :start
                    OR id IN (SELECT item_id FROM item_changes WHERE changed_at > :start)
                    OR (status = 'open' AND deadline BETWEEN :today AND :window_end))""",
            {"start": start, "today": today.isoformat(), "window_end": window_end},
        )
    )
    news = list(
        db.query(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE kind = 'news' AND first_seen > ?", [start]
        )
    )
    _attach_matches(db, [*calls, *news])
    for row in news:
        row["mentions"] = [
            m["identifier"]
            for m in db.query("SELECT identifier FROM mentions WHERE item_id = ?", [row["id"]])
        ]
    changes: dict[str, list[dict]] = defaultdict(list)
    for change in db.query("SELECT * FROM item_changes WHERE changed_at > ? ORDER BY id", [start]):
        changes[change["item_id"]].append(change)
    mentions: dict[str, list[dict]] = defaultdict(list)
    for row in db.query(
        """SELECT mentions.identifier, items.title, items.url, items.source FROM mentions
           JOIN items ON items.id = mentions.item_id WHERE items.kind = 'news'"""
    ):
        mentions[row["identifier"]].append(row)
    shown_closing = {
        r["item_id"]
        for r in db.query(
            """SELECT item_id FROM digest_items JOIN digests ON digests.id = digest_items.digest_id
               WHERE section = 'closing_soon' AND digests.sent_at IS NOT NULL"""
        )
    }
    return Candidates(
        calls=calls,
        news=news,
        changes=dict(changes),
        mentions=dict(mentions),
        shown_closing=shown_closing,
        sources=list(db.query("SELECT * FROM source_state")),
        source_names=source_names,
    )


def _attach_matches(db: sqlite_utils.Database, rows: list[dict]) -> None:
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["matches"] = []
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for match in db.query(
            f"SELECT * FROM matches WHERE item_id IN ({marks}) ORDER BY score DESC, area", chunk
        ):
            match["phrases"] = json.loads(match["phrases"])
            by_id[match["item_id"]]["matches"].append(match)

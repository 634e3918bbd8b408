"""Digests as records: made before sending, each part marked when Slack has it.

A digest counts as sent only when every part is posted. Until then it is the one to resume:
its parts are posted from what was recorded, so a rerun sends the same messages, in the same
thread, and never a part twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlite_utils

from monitor.digest.model import Part


@dataclass
class StoredPart:
    id: int
    seq: int
    part: Part
    ts: str | None


@dataclass
class StoredDigest:
    id: int
    period_start: str
    period_end: str
    mode: str
    parts: list[StoredPart]

    @property
    def missing(self) -> list[StoredPart]:
        return [p for p in self.parts if p.ts is None]


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def last_sent_period_end(db: sqlite_utils.Database) -> datetime | None:
    row = db.execute(
        "SELECT period_end FROM digests WHERE sent_at IS NOT NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def unsent_digest(db: sqlite_utils.Database) -> StoredDigest | None:
    rows = list(db.query("SELECT * FROM digests WHERE sent_at IS NULL ORDER BY id DESC LIMIT 1"))
    if not rows:
        return None
    digest = rows[0]
    parts = [
        StoredPart(
            row["id"],
            row["seq"],
            Part(
                key=row["key"],
                channel=row["channel"],
                text=row["text"],
                blocks=json.loads(row["blocks"]),
                parent=_parent_key(db, digest["id"], row["parent_seq"]),
            ),
            row["ts"],
        )
        for row in db.query(
            "SELECT * FROM digest_parts WHERE digest_id = ? ORDER BY seq", [digest["id"]]
        )
    ]
    return StoredDigest(
        digest["id"], digest["period_start"], digest["period_end"], digest["mode"], parts
    )


def record_digest(
    db: sqlite_utils.Database,
    now: datetime,
    *,
    period_start: datetime,
    period_end: datetime,
    language: str,
    mode: str,
    parts: list[Part],
    item_ids: dict[str, list[str]],
    deadlines: Mapping[str, str | None] | None = None,
) -> int:
    """Keep a digest and its parts, made `now`, before the first part is sent, with the items
    it announces by section and the deadline each was shown with (`deadlines`, by item id)."""
    deadlines = deadlines or {}
    seq_of = {part.key: seq for seq, part in enumerate(parts)}
    with db.atomic():
        digest_id = (
            db.table("digests")
            .insert(
                {
                    "created": _stamp(now),
                    "period_start": period_start.isoformat(timespec="seconds"),
                    "period_end": period_end.isoformat(timespec="seconds"),
                    "language": language,
                    "mode": mode,
                }
            )
            .last_pk
        )
        db.table("digest_parts").insert_all(
            {
                "digest_id": digest_id,
                "seq": seq,
                "key": part.key,
                "channel": part.channel,
                "parent_seq": seq_of[part.parent] if part.parent else None,
                "text": part.text,
                "blocks": json.dumps(part.blocks, ensure_ascii=False),
            }
            for seq, part in enumerate(parts)
        )
        db.table("digest_items").insert_all(
            {
                "digest_id": digest_id,
                "item_id": item_id,
                "section": section,
                "deadline": deadlines.get(item_id),
            }
            for section, ids in item_ids.items()
            for item_id in ids
        )
    # sqlite-utils types last_pk as Any; for the INTEGER PRIMARY KEY of digests it is an int.
    return cast(int, digest_id)


def mark_posted(db: sqlite_utils.Database, part_id: int, ts: str, now: datetime) -> None:
    with db.atomic():
        db.table("digest_parts").update(part_id, {"ts": ts, "posted_at": _stamp(now)})


def mark_sent(db: sqlite_utils.Database, digest_id: int, now: datetime) -> None:
    with db.atomic():
        db.table("digests").update(digest_id, {"sent_at": _stamp(now)})


def _parent_key(db: sqlite_utils.Database, digest_id: int, parent_seq: Any) -> str | None:
    if parent_seq is None:
        return None
    row = db.execute(
        "SELECT key FROM digest_parts WHERE digest_id = ? AND seq = ?", [digest_id, parent_seq]
    ).fetchone()
    return row[0] if row else None

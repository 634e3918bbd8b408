"""Digests as records: made before sending, each message marked when its notifier has sent it.

A digest is recorded with the messages of every notifier it goes to (Slack, Teams, e-mail).
A notifier is done with a digest when each of its messages is sent; the digest counts as sent
when every notifier is done (or was dropped from `[notify] send`). Until then it is the one to
resume: its messages are sent from what was recorded, so a rerun sends the same messages, in
the same thread, and never one twice.

A message whose destination refused it for good (a Slack area channel the bot is not in) is
marked with the receipt `skipped:<error>` rather than a new column: it is then done like a sent
one for every reader (resume, the notifier done), old code included, and the error it was
skipped for stays readable in the table.

A message is marked in flight before it is sent (`posted_at` set, no receipt yet: an existing
column, so no migration) and its mark cleared if the send surely failed. One found in flight on
resuming was sent by a send killed before its answer was kept. A notifier that cannot look it
up (a webhook) has it marked `uncertain:<why>`, done like a skipped one, until an admin resends
it; reading the receipt column alone, old code takes it as sent, as it should.

Each group (kommun) has its own digests (`digests.group_id`): what it was sent, its last
period, the one it has half sent. A database without groups has only the default group's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlite_utils

from monitor.models import DEFAULT_GROUP
from monitor.notify.base import Message
from monitor.store.busy import writing

SKIPPED = "skipped:"  # the receipt's prefix for a message given up: "skipped:not_in_channel"
UNCERTAIN = "uncertain:"  # sent, its answer lost: "uncertain:ReadTimeout"


def skipped_receipt(error: str) -> str:
    return SKIPPED + error


def uncertain_receipt(why: str) -> str:
    return UNCERTAIN + why


@dataclass(frozen=True)
class StoredMessage:
    id: int
    notifier: str
    message: Message
    receipt: str | None  # what the notifier answered (a Slack ts); None: not sent yet
    in_flight: bool = False  # a send of it began and kept no receipt (killed, answer lost)

    @property
    def skipped(self) -> bool:
        return self.receipt is not None and self.receipt.startswith(SKIPPED)

    @property
    def uncertain(self) -> bool:
        return self.receipt is not None and self.receipt.startswith(UNCERTAIN)


@dataclass(frozen=True)
class NotifierState:
    name: str
    mode: str
    done: bool  # sent, or dropped from [notify] send


@dataclass(frozen=True)
class StoredDigest:
    id: int
    period_start: str
    period_end: str
    notifiers: list[NotifierState]
    messages: list[StoredMessage]
    sent: bool = False
    group: str = DEFAULT_GROUP  # the group ([[groups]] id) it was made for

    def of(self, notifier: str) -> list[StoredMessage]:
        return [m for m in self.messages if m.notifier == notifier]

    def missing(self, notifier: str) -> list[StoredMessage]:
        return [m for m in self.of(notifier) if m.receipt is None]

    def pending(self) -> list[NotifierState]:
        return [n for n in self.notifiers if not n.done]


@dataclass(frozen=True)
class Recorded:
    """One notifier's messages for a new digest, in the order they are sent."""

    notifier: str
    mode: str
    messages: list[Message]


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def last_sent_period_end(
    db: sqlite_utils.Database, *, group: str = DEFAULT_GROUP
) -> datetime | None:
    row = db.execute(
        "SELECT period_end FROM digests WHERE group_id = ? AND sent_at IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        [group],
    ).fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def unsent_digest(db: sqlite_utils.Database, *, group: str = DEFAULT_GROUP) -> StoredDigest | None:
    """The group's digest recorded but not yet sent by every notifier, if any."""
    return _digest(db, "group_id = ? AND sent_at IS NULL ORDER BY id DESC LIMIT 1", [group])


def digest_by_id(db: sqlite_utils.Database, digest_id: int) -> StoredDigest | None:
    """A recorded digest, sent or not (for resending a message of it)."""
    return _digest(db, "id = ?", [digest_id])


def _digest(db: sqlite_utils.Database, where: str, params: list[Any]) -> StoredDigest | None:
    row = db.execute(
        "SELECT id, period_start, period_end, created, sent_at, group_id FROM digests "
        f"WHERE {where}",
        params,
    ).fetchone()
    if row is None:
        return None
    digest_id, period_start, period_end, created, sent_at, group = row
    notifiers = [
        NotifierState(name, mode, sent is not None or dropped is not None)
        for name, mode, sent, dropped in db.execute(
            "SELECT notifier, mode, sent_at, dropped_at FROM digest_notifiers "
            "WHERE digest_id = ? ORDER BY rowid",
            [digest_id],
        ).fetchall()
    ]
    rows = db.execute(
        "SELECT id, seq, notifier, key, target, parent_seq, text, payload, receipt, posted_at "
        "FROM digest_parts WHERE digest_id = ? ORDER BY seq",
        [digest_id],
    ).fetchall()
    key_of = {seq: key for _, seq, _, key, *_ in rows}
    messages = [
        StoredMessage(
            part_id,
            notifier,
            Message(
                key=key,
                text=text,
                payload=json.loads(payload),
                parent=key_of.get(parent_seq) if parent_seq is not None else None,
                target=target,
                # the digest's id and its making: unique even across databases made afresh
                ref=f"{digest_id}@{created}/{key}",
            ),
            receipt,
            in_flight=receipt is None and posted_at is not None,
        )
        for part_id, _, notifier, key, target, parent_seq, text, payload, receipt, posted_at in rows
    ]
    return StoredDigest(
        digest_id,
        period_start,
        period_end,
        notifiers,
        messages,
        sent=sent_at is not None,
        group=group,
    )


def record_digest(
    db: sqlite_utils.Database,
    now: datetime,
    *,
    period_start: datetime,
    period_end: datetime,
    language: str,
    notifiers: list[Recorded],
    item_ids: dict[str, list[str]],
    deadlines: Mapping[str, str | None] | None = None,
    group: str = DEFAULT_GROUP,
) -> int:
    """Keep a digest of `group` and every notifier's messages, made `now`, before the first
    is sent, with the items it announces by section and the deadline each was shown with (by
    item id)."""
    deadlines = deadlines or {}
    rows: list[dict[str, Any]] = []
    for recorded in notifiers:
        seq_of = {m.key: len(rows) + n for n, m in enumerate(recorded.messages)}
        for message in recorded.messages:
            rows.append(
                {
                    "seq": len(rows),
                    "notifier": recorded.notifier,
                    "key": message.key,
                    "target": message.target,
                    "parent_seq": seq_of[message.parent] if message.parent else None,
                    "text": message.text,
                    "payload": json.dumps(message.payload, ensure_ascii=False),
                }
            )
    with writing(db):
        digest_id = (
            db.table("digests")
            .insert(
                {
                    "created": _stamp(now),
                    "group_id": group,
                    "period_start": period_start.isoformat(timespec="seconds"),
                    "period_end": period_end.isoformat(timespec="seconds"),
                    "language": language,
                    # what it went to, for a reader of the table ("slack:bot,email:smtp")
                    "mode": ",".join(f"{r.notifier}:{r.mode}" for r in notifiers),
                }
            )
            .last_pk
        )
        db.table("digest_notifiers").insert_all(
            {"digest_id": digest_id, "notifier": r.notifier, "mode": r.mode} for r in notifiers
        )
        db.table("digest_parts").insert_all({"digest_id": digest_id, **row} for row in rows)
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


def mark_posted(db: sqlite_utils.Database, message_id: int, receipt: str, now: datetime) -> None:
    """One message sent: kept at once, so that a send killed after it never sends it again."""
    with writing(db):
        db.table("digest_parts").update(message_id, {"receipt": receipt, "posted_at": _stamp(now)})


def mark_in_flight(db: sqlite_utils.Database, message_id: int, now: datetime) -> None:
    """A message about to be sent: kept first, so that a send killed before its answer leaves
    the mark that it may have arrived."""
    with writing(db):
        db.execute(
            "UPDATE digest_parts SET posted_at = ? WHERE id = ? AND receipt IS NULL",
            [_stamp(now), message_id],
        )


def clear_in_flight(db: sqlite_utils.Database, message_id: int) -> None:
    """The send surely failed (refused, never connected): the message did not arrive."""
    with writing(db):
        db.execute(
            "UPDATE digest_parts SET posted_at = NULL WHERE id = ? AND receipt IS NULL",
            [message_id],
        )


def mark_notifier_done(
    db: sqlite_utils.Database, digest_id: int, notifier: str, now: datetime, *, dropped: bool
) -> bool:
    """A notifier has sent all of the digest (or was dropped from it); the digest is sent when
    no notifier is left. Returns whether it now is."""
    column = "dropped_at" if dropped else "sent_at"
    with writing(db):
        db.execute(
            f"UPDATE digest_notifiers SET {column} = ? WHERE digest_id = ? AND notifier = ?",
            [_stamp(now), digest_id, notifier],
        )
        left = db.execute(
            "SELECT COUNT(*) FROM digest_notifiers WHERE digest_id = ? "
            "AND sent_at IS NULL AND dropped_at IS NULL",
            [digest_id],
        ).fetchone()[0]
        if not left:
            db.table("digests").update(digest_id, {"sent_at": _stamp(now)})
    return not left

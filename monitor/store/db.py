"""The Store: one SQLite file, opened and migrated, with the writes a run makes.

Everything one source brings in a run (its items, change events, fetch-log row and state) is
written in one transaction, so a run killed half-way leaves each source either fully stored or
untouched.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor.errors import StoreError
from monitor.models import Item, SourceOutcome
from monitor.store.items import SaveCounts, save_items
from monitor.store.schema import MIGRATIONS, migrate


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


class Store:
    def __init__(self, db: sqlite_utils.Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path

    # -- runs and sources ---------------------------------------------------------------

    def start_run(self, now: datetime) -> int:
        with self.db.atomic():
            return self.db["runs"].insert({"started": _stamp(now)}).last_pk

    def finish_run(self, run_id: int, now: datetime, ok: int, failed: int) -> None:
        with self.db.atomic():
            self.db["runs"].update(
                run_id, {"finished": _stamp(now), "sources_ok": ok, "sources_failed": failed}
            )

    def save_success(
        self,
        run_id: int,
        outcome: SourceOutcome,
        items: Iterable[Item],
        *,
        started: datetime,
        finished: datetime,
    ) -> SaveCounts:
        """Store a source's items, its fetch-log row and its state, all or nothing."""
        with self.db.atomic():
            counts = save_items(self.db, items, run_id=run_id, now=finished)
            outcome.items_seen = counts.seen
            outcome.items_new, outcome.new_ids = counts.new, counts.new_ids
            outcome.items_changed, outcome.changed_ids = counts.changed, counts.changed_ids
            self._log(run_id, outcome, started, finished)
            self.db.execute(
                """INSERT INTO source_state (source, consecutive_failures, last_success,
                       last_item_count, last_error)
                   VALUES (?, 0, ?, ?, NULL)
                   ON CONFLICT(source) DO UPDATE SET consecutive_failures = 0,
                       last_success = excluded.last_success,
                       last_item_count = excluded.last_item_count, last_error = NULL""",
                [outcome.source, _stamp(finished), counts.seen],
            )
        return counts

    def save_failure(
        self, run_id: int, outcome: SourceOutcome, *, started: datetime, finished: datetime
    ) -> None:
        """Record a failed fetch; the source's stored items stay as they were."""
        with self.db.atomic():
            self._log(run_id, outcome, started, finished)
            self.db.execute(
                """INSERT INTO source_state (source, consecutive_failures, last_failure, last_error)
                   VALUES (?, 1, ?, ?)
                   ON CONFLICT(source) DO UPDATE SET
                       consecutive_failures = consecutive_failures + 1,
                       last_failure = excluded.last_failure, last_error = excluded.last_error""",
                [outcome.source, _stamp(finished), outcome.error],
            )

    def _log(self, run_id: int, outcome: SourceOutcome, started: datetime, finished: datetime):
        self.db["fetch_log"].insert(
            {
                "run_id": run_id,
                "source": outcome.source,
                "started": _stamp(started),
                "finished": _stamp(finished),
                "outcome": "ok" if outcome.ok else "error",
                "http_status": outcome.http_status,
                "items_seen": outcome.items_seen,
                "items_new": outcome.items_new,
                "items_changed": outcome.items_changed,
                "error": outcome.error,
                "warnings": "\n".join(outcome.warnings) or None,
            }
        )

    # -- the cache sources keep between runs -----------------------------------------------

    def get(self, name: str) -> tuple[Any, datetime] | None:
        rows = list(self.db.query("SELECT value, updated FROM cache WHERE name = ?", [name]))
        if not rows:
            return None
        return json.loads(rows[0]["value"]), datetime.fromisoformat(rows[0]["updated"])

    def put(self, name: str, value: Any, now: datetime | None = None) -> None:
        stamp = _stamp(now or datetime.now(UTC))
        with self.db.atomic():
            self.db["cache"].upsert(
                {"name": name, "value": json.dumps(value, ensure_ascii=False), "updated": stamp},
                pk="name",
            )


def open_store(path: Path) -> Store:
    """Open (creating if needed) and migrate the database; any failure is one StoreError."""
    if path.exists() and path.is_dir():
        raise StoreError(f"the database path {path} is a directory, not a file")
    if not path.parent.exists():
        raise StoreError(f"the folder {path.parent} for the database {path.name} does not exist")
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA foreign_keys = ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the database {path} was made by a newer version of EU-bevakning "
                f"(schema {version}, this version knows {len(MIGRATIONS)}); upgrade the program"
            )
        if db.journal_mode != "wal":
            # WAL lets officials search while a run writes.
            db.enable_wal()
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot use the database {path}: {exc}") from exc
    return Store(db, path)

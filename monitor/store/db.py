"""The Store: one SQLite file, opened and migrated, with the writes a run makes.

Everything one source brings in a run (its items, change events, fetch-log row and state) is
written in one transaction, so a run killed half-way leaves each source either fully stored or
untouched.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from monitor.errors import StoreError
from monitor.health import after_failure, after_success
from monitor.models import Item, SourceOutcome, Validators
from monitor.store.busy import DatabaseBusy, is_busy, set_busy_timeout, writing
from monitor.store.items import SaveCounts, save_items
from monitor.store.reader import current_read_only
from monitor.store.schema import MIGRATIONS, migrate

# sqlite-utils imports numpy and pandas whenever they are installed (numpy comes with the
# `learn` extra's scikit-learn), only to know their number types, which we never store: about
# 0.3 s of every command that writes. Hidden while sqlite-utils loads, they stay importable
# afterwards. This is the only module that imports sqlite-utils at run time (the others name
# its Database in type hints only), so the hiding holds wherever the store is opened.
_hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
for _name in _hidden:
    sys.modules[_name] = None  # type: ignore[assignment]  # None: `import numpy` raises ImportError
try:
    import sqlite_utils
finally:
    for _name in _hidden:
        del sys.modules[_name]


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _outcome_word(outcome: SourceOutcome) -> str:
    if not outcome.ok:
        return "error"
    return "not_modified" if outcome.not_modified else "ok"


class Store:
    def __init__(self, db: sqlite_utils.Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path

    def close(self) -> None:
        self.db.conn.close()

    # -- runs and sources ---------------------------------------------------------------

    def start_run(self, now: datetime) -> int:
        with writing(self.db):
            # sqlite-utils types last_pk as Any; for the INTEGER PRIMARY KEY of runs it is an int.
            return cast(int, self.db.table("runs").insert({"started": _stamp(now)}).last_pk)

    def finish_run(self, run_id: int, now: datetime, ok: int, failed: int) -> None:
        with writing(self.db):
            self.db.table("runs").update(
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
        validators: Validators | None = None,
        request: str | None = None,
    ) -> SaveCounts:
        """Store a source's items, its fetch-log row, state and health, all or nothing.

        `validators` are stored with `request`, the fingerprint of the request that got them
        (`sources/conditional.request_key`); without new ones the stored ones are kept only
        while they belong to that same request."""
        with writing(self.db):
            previous = self.source_state(outcome.source) or {}
            if outcome.not_modified:
                counts = SaveCounts()
                outcome.items_seen = previous.get("last_item_count") or 0
            else:
                counts = save_items(self.db, items, run_id=run_id, now=finished)
                outcome.items_seen = counts.seen
                outcome.items_new, outcome.new_ids = counts.new, counts.new_ids
                outcome.items_changed, outcome.changed_ids = counts.changed, counts.changed_ids
            previous_count = previous.get("last_item_count")
            health = after_success(previous_count, counts.seen, outcome.not_modified)
            keep_count = outcome.not_modified or not health.healthy
            if validators is None:
                same = previous.get("validators_for") == request
                kept = (previous.get("etag"), previous.get("last_modified")) if same else ()
                validators = Validators(*kept)
            self._log(run_id, outcome, started, finished)
            self._set_state(
                outcome.source,
                etag=validators.etag,
                last_modified=validators.last_modified,
                validators_for=request,
                consecutive_failures=0,
                last_success=_stamp(finished),
                last_run=_stamp(finished),
                last_item_count=previous_count if keep_count else counts.seen,
                last_error=None,
                healthy=health.healthy,
                health_reason=health.reason,
            )
        return counts

    def save_failure(
        self,
        run_id: int,
        outcome: SourceOutcome,
        *,
        started: datetime,
        finished: datetime,
        unhealthy_after: int,
    ) -> None:
        """Record a failed fetch; the source's stored items stay as they were."""
        with writing(self.db):
            previous = self.source_state(outcome.source) or {}
            failures = (previous.get("consecutive_failures") or 0) + 1
            health = after_failure(failures, unhealthy_after, outcome.error or "unknown error")
            self._log(run_id, outcome, started, finished)
            self._set_state(
                outcome.source,
                consecutive_failures=failures,
                last_failure=_stamp(finished),
                last_run=_stamp(finished),
                last_error=outcome.error,
                healthy=health.healthy,
                health_reason=health.reason,
            )

    def source_state(self, source_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM source_state WHERE source = ?", [source_id]))
        return rows[0] if rows else None

    def stored_item(self, item_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM items WHERE id = ?", [item_id]))
        return rows[0] if rows else None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction for several sources' saves (each still whole or not at all): a run
        of thousands of sources commits, and waits for the disk, once per batch."""
        with writing(self.db):
            yield

    # Plain statements rather than sqlite-utils' upsert and insert, which read the table's
    # columns again on every call: these run once per source, thousands of times a run.
    def _set_state(self, source_id: str, **values: Any) -> None:
        names = ", ".join(["source", *values])
        marks = ", ".join("?" * (len(values) + 1))
        updates = ", ".join(f"{name} = excluded.{name}" for name in values)
        self.db.execute(
            f"INSERT INTO source_state ({names}) VALUES ({marks}) "
            f"ON CONFLICT(source) DO UPDATE SET {updates}",
            [source_id, *values.values()],
        )

    def _log(self, run_id: int, outcome: SourceOutcome, started: datetime, finished: datetime):
        _insert(
            self.db,
            "fetch_log",
            {
                "run_id": run_id,
                "source": outcome.source,
                "started": _stamp(started),
                "finished": _stamp(finished),
                "outcome": _outcome_word(outcome),
                "http_status": outcome.http_status,
                "items_seen": outcome.items_seen,
                "items_new": outcome.items_new,
                "items_changed": outcome.items_changed,
                "error": outcome.error,
                "warnings": "\n".join(outcome.warnings) or None,
            },
        )

    # -- the cache sources keep between runs -----------------------------------------------

    def get(self, name: str) -> tuple[Any, datetime] | None:
        rows = list(self.db.query("SELECT value, updated FROM cache WHERE name = ?", [name]))
        if not rows:
            return None
        return json.loads(rows[0]["value"]), datetime.fromisoformat(rows[0]["updated"])

    def put(self, name: str, value: Any, now: datetime) -> None:
        stamp = _stamp(now)
        with writing(self.db):
            self.db.table("cache").upsert(
                {"name": name, "value": json.dumps(value, ensure_ascii=False), "updated": stamp},
                pk="name",
            )


def _database(target: Path | sqlite3.Connection) -> sqlite_utils.Database:
    # No sqlite-utils plugins: the program uses none, and looking for them scans every
    # installed package's entry points at each start (tens of milliseconds a command).
    return sqlite_utils.Database(target, execute_plugins=False)


def _insert(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> None:
    marks = ", ".join("?" * len(row))
    db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})", list(row.values()))


def open_store(path: Path, *, read_only: bool = False) -> Store:
    """Open (creating if needed) and migrate the database; any failure is one StoreError.

    `read_only`, for the commands that only read (search, show, deadlines, export, tracked,
    report, a digest preview): a database already in the current schema and in WAL mode is
    opened read-only, so a read-only file system does not stop a search. (A held write lock
    never stops a reader in WAL mode.) One that is missing, older or not yet in WAL is opened
    to write, and migrated, as for every other command: what a query reads must be in the
    schema it knows, and migrating is the one write such a command may have to make.
    """
    if path.exists() and path.is_dir():
        raise StoreError(f"the database path {path} is a directory, not a file")
    if not path.parent.exists():
        raise StoreError(f"the folder {path.parent} for the database {path.name} does not exist")
    if read_only and path.exists():
        reader = current_read_only(path)
        if reader is not None:
            return Store(_database(reader), path)
    try:
        db = _database(path)
        set_busy_timeout(db)
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
        if version < len(MIGRATIONS):
            with writing(db):  # waits for another program's write, as every write does
                migrate(db)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and is_busy(exc):
            raise DatabaseBusy(f"cannot open the database {path}: {exc}") from exc
        raise StoreError(f"cannot use the database {path}: {exc}") from exc
    return Store(db, path)

"""Writing while another program may hold the database: an admin's `sqlite3` shell in a
transaction, `monitor rules reapply`, a second `monitor` started by hand.

Every write transaction of the program begins IMMEDIATE: it takes the write lock first, where
SQLite's busy_timeout makes it wait, rather than reading first and then finding (WAL's
SQLITE_BUSY_SNAPSHOT) that it cannot write, an error no busy_timeout retries. SQLite waits
ATTEMPT seconds at a time; between attempts we say once why we wait, and after BUSY_WAIT in
all the write fails with one line (DatabaseBusy) before anything of it is written.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from monitor.errors import StoreError

if TYPE_CHECKING:
    import sqlite_utils

BUSY_WAIT = 120.0  # seconds a write waits in all for another program's transaction to end
ATTEMPT = 2.0  # seconds SQLite waits at a time (PRAGMA busy_timeout) before we try again


class DatabaseBusy(StoreError):
    """Another program held the database's write lock for longer than BUSY_WAIT."""


def set_busy_timeout(db: sqlite_utils.Database) -> None:
    db.execute(f"PRAGMA busy_timeout = {int(ATTEMPT * 1000)}")


@contextmanager
def writing(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction (a savepoint inside one already open), committed at the end of
    the block and rolled back on any exception."""
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    _begin_immediate(db)
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _begin_immediate(db: sqlite_utils.Database) -> None:
    started = time.monotonic()
    told = False
    while True:
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            if time.monotonic() - started >= BUSY_WAIT:
                raise DatabaseBusy(busy_message(db)) from exc
            if not told:
                import logging  # here: the read commands import this module and log nothing

                told = True
                logging.getLogger(__name__).warning(
                    "databasen %s används av ett annat program; väntar i upp till %g s",
                    _file(db),
                    BUSY_WAIT,
                )


def busy_message(db: sqlite_utils.Database) -> str:
    return (
        f"databasen har använts av ett annat program i mer än {BUSY_WAIT:g} s: "
        f"{_file(db)}; avsluta det andra programmets transaktion (ett öppet sqlite3-skal, en "
        "`monitor rules reapply`) och kör igen; inget av det som skulle skrivas sparades"
    )


def _file(db: sqlite_utils.Database) -> str:
    for row in db.conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return str(row[2])
    return "databasen"

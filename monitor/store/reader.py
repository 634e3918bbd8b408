"""Reading the database without sqlite-utils: a plain read-only `sqlite3` connection for the
commands that only ask questions (search, show, deadlines, export).

sqlite-utils costs a read command about a third of its start-up (its import pulls in dateutil,
pluggy and its table machinery) and wraps every query in a savepoint; the read queries use
only `query` and `execute`, which `ReadOnly` gives them the same way. The read functions of
this package take a `Queryable`: either this or sqlite-utils' `Database` (what a writing
command holds).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from monitor.store.busy import ATTEMPT
from monitor.store.schema import MIGRATIONS

Parameters = Sequence[Any] | dict[str, Any] | None


class Queryable(Protocol):
    """What the read queries call: sqlite-utils' `Database` and `ReadOnly` both have it."""

    @property
    def conn(self) -> sqlite3.Connection: ...

    def execute(self, sql: str, parameters: Parameters = None, /) -> sqlite3.Cursor: ...

    def query(self, sql: str, params: Parameters = None, /) -> Iterable[dict[str, Any]]: ...


class ReadOnly:
    """A read-only connection answering `query` (rows as dicts) and `execute` (a cursor)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Parameters = None, /) -> sqlite3.Cursor:
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def query(self, sql: str, params: Parameters = None, /) -> Iterator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        keys = _unique([d[0] for d in cursor.description or ()])
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    def close(self) -> None:
        self.conn.close()


def _unique(keys: list[str]) -> list[str]:
    """Column names made unique as sqlite-utils makes them (`id`, `id_2`), so that a row read
    either way has the same keys."""
    if len(set(keys)) == len(keys):
        return keys
    taken: set[str] = set(keys)
    seen: set[str] = set()
    unique = []
    for key in keys:
        if key in seen:
            name, suffix = key, 2
            while name in seen or name in taken:
                name = f"{key}_{suffix}"
                suffix += 1
            key = name
        seen.add(key)
        unique.append(key)
    return unique


def open_reader(path: Path) -> ReadOnly | None:
    """`path` opened read-only if it can be read as it is (see current_read_only), else None:
    then the caller opens it as the store (`open_store`), which migrates it."""
    if not path.is_file():
        return None
    conn = current_read_only(path)
    return ReadOnly(conn) if conn is not None else None


def current_read_only(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to `path` if it needs no write to be read (in the current schema,
    in WAL mode), else None."""
    uri = path.resolve().as_uri()
    wal = path.with_name(path.name + "-wal")
    # mode=ro still writes WAL's shared-memory file; on a read-only file system there is no
    # writer either, so once the last writer has folded its WAL back (none is left),
    # immutable=1 reads the file as it is, with no locks.
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        if "immutable" in query and wal.exists() and wal.stat().st_size:
            return None
        try:
            conn = sqlite3.connect(uri + query, uri=True)
        except sqlite3.DatabaseError:
            continue
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(ATTEMPT * 1000)}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        except sqlite3.DatabaseError:
            conn.close()
            continue
        if version == len(MIGRATIONS) and (journal == "wal" or "immutable" in query):
            return conn
        conn.close()
        return None
    return None

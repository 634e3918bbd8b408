"""The SQLite store: schema and migrations, item upserts with change events, queries.

All SQL lives in this package. Code outside it calls the Store's methods and the read
functions of its modules, and passes `Store.db` (a `Database`) through without using it.

`Store`, `open_store` and `Database` are imported when first asked for (PEP 562): a read
command imports `monitor.store.queries` and reads through `monitor.store.reader`, without
sqlite-utils (see monitor/store/db.py for the one place that imports it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

    from monitor.store.db import Store, open_store


def __getattr__(name: str) -> Any:
    if name in ("Store", "open_store", "Database"):
        from monitor.store import db

        return db.sqlite_utils.Database if name == "Database" else getattr(db, name)
    raise AttributeError(f"module 'monitor.store' has no attribute {name!r}")


__all__ = ["Database", "Store", "open_store"]

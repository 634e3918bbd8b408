"""The SQLite store: schema and migrations, item upserts with change events, queries.

All SQL lives in this package. Code outside it calls the Store's methods and the read
functions of its modules, and passes `Store.db` (a `Database`) through without using it.
"""

from sqlite_utils import Database

from monitor.store.db import Store, open_store

__all__ = ["Database", "Store", "open_store"]

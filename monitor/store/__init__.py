"""The SQLite store: schema and migrations, item upserts with change events, queries."""

from monitor.store.db import Store, open_store

__all__ = ["Store", "open_store"]

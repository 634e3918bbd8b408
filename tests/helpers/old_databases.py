"""Databases as an older release left them, for migration tests."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from monitor.store.schema import MIGRATIONS


def version_4_with_one_call(path: Path, summary: str) -> sqlite_utils.Database:
    """A database at schema version 4 (before search stems) holding one portal call."""
    old = sqlite_utils.Database(path)
    for number, migration in enumerate(MIGRATIONS[:4], start=1):
        migration(old)
        old.execute(f"PRAGMA user_version = {number}")
    old["items"].insert(
        {
            "id": "eu-portal:A",
            "source": "eu-portal",
            "uid": "A",
            "kind": "call",
            "title": "Kommunernas klimatanpassning",
            "summary": summary,
            "first_seen": "2026-01-01T00:00:00+00:00",
            "last_seen": "2026-01-01T00:00:00+00:00",
        }
    )
    return old

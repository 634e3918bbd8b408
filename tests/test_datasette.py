"""Datasette's search box on `items`: it finds the FTS index by its own detection, and filters."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from datasette.app import Datasette
from datasette.utils import detect_fts

from helpers.old_databases import version_4_with_one_call
from monitor.models import Item, SourceOutcome
from monitor.store import open_store

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def stored(path: Path) -> None:
    store = open_store(path)
    items = [
        Item(source="eu-portal", uid=uid, kind="call", title=title, identifier=uid)
        for uid, title in (("A", "Climate adaptation in cities"), ("B", "Youth exchanges"))
    ]
    run = store.start_run(NOW)
    store.save_success(run, SourceOutcome("eu-portal", "Portal"), items, started=NOW, finished=NOW)
    store.db.conn.close()


def search(path: Path, words: str) -> list[str]:
    """What Datasette's search box on the items table shows."""

    async def get() -> list[str]:
        datasette = Datasette([str(path)])
        response = await datasette.client.get(
            f"/{path.stem}/items.json?_search={words}&_shape=objects&_col=title"
        )
        assert response.status_code == 200, response.text
        return [row["title"] for row in response.json()["rows"]]

    return asyncio.run(get())


def test_datasette_detects_the_search_index_and_filters(tmp_path):
    path = tmp_path / "monitor.db"
    stored(path)
    with sqlite3.connect(path) as conn:
        assert detect_fts(conn, "items") == "items_fts"
    assert search(path, "climate") == ["Climate adaptation in cities"]
    assert search(path, "youth") == ["Youth exchanges"]


def test_an_existing_database_is_migrated_to_the_detected_index(tmp_path):
    path = tmp_path / "monitor.db"
    version_4_with_one_call(path, "Stöd till kommuner.").conn.close()
    with sqlite3.connect(path) as conn:
        assert detect_fts(conn, "items") is None  # `content=items` unquoted: not found
    open_store(path).db.conn.close()
    with sqlite3.connect(path) as conn:
        assert detect_fts(conn, "items") == "items_fts"
    assert search(path, "klimatanpassning") == ["Kommunernas klimatanpassning"]
    assert search(path, "nothing") == []

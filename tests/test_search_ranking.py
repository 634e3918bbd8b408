"""Search ranks by bm25 over every match up to a bound (queries.RANKED), and beyond it over the
most recently stored matches that pass the filters: a word as common as "climate" in a
database kept for years must not cost a ranking of every call that ever named it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.models import Item, SourceOutcome
from monitor.store import open_store, queries
from monitor.store.queries import SearchFilters, search_items

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def call(n: int, title: str, status: str = "open") -> Item:
    return Item(
        source="eu-portal", uid=f"C-{n}", kind="call", title=title, identifier=f"C-{n}",
        status=status, source_status=status,
    )  # fmt: skip


@pytest.fixture
def db(tmp_path):
    """Ten calls stored one after the other: the odd ones name climate once, the even ones
    three times (they rank higher), calls 8 and 9 closed."""
    store = open_store(tmp_path / "monitor.db")
    for n in range(10):
        words = "climate climate climate" if n % 2 == 0 else "climate"
        run = store.start_run(NOW)
        item = call(n, f"{words} call {n}", "closed" if n >= 8 else "open")
        outcome = SourceOutcome(source="eu-portal", name="Portal")
        store.save_success(run, outcome, [item], started=NOW, finished=NOW)
    return store.db


def ids(rows):
    return [row["identifier"] for row in rows]


def test_under_the_bound_every_match_is_ranked_best_first(db):
    found = ids(search_items(db, "climate", SearchFilters(), limit=4))
    assert found[:4] == ["C-0", "C-2", "C-4", "C-6"]  # equal ranks: first stored first
    assert ids(search_items(db, "climate", SearchFilters(), limit=None))[-1] == "C-9"


def test_over_the_bound_the_newest_matches_are_ranked(db, monkeypatch):
    monkeypatch.setattr(queries, "RANKED", 3)
    # The newest three are 7, 8 and 9; of them 8 ranks highest.
    assert ids(search_items(db, "climate", SearchFilters(), limit=2)) == ["C-8", "C-7"]
    # The filters choose the candidates: the newest three open ones are 5, 6 and 7.
    open_ = ids(search_items(db, "climate", SearchFilters(status="open"), limit=2))
    assert open_ == ["C-6", "C-5"]


def test_a_limit_above_the_bound_ranks_as_many_as_asked_for(db, monkeypatch):
    monkeypatch.setattr(queries, "RANKED", 3)
    assert ids(search_items(db, "climate", SearchFilters(), limit=6)) == [
        "C-4", "C-6", "C-8", "C-5", "C-7", "C-9",
    ]  # fmt: skip
    assert len(search_items(db, "climate", SearchFilters(), limit=None)) == 10

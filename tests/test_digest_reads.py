"""What the digest reads is the same whichever way SQLite is steered through it: the reads
driven from the small side (new, changed and closing rows; the mentions; the period's
changes) give exactly the rows, in the order, that the earlier whole-table queries gave, on a
database with every kind of row the digest looks at."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest

from monitor.store import digest_reads as reads
from monitor.store import open_store

START = "2026-11-17T06:00:00+00:00"
TODAY = date(2026, 11, 24)
WINDOW_END = (TODAY + timedelta(days=14)).isoformat()

# The queries as they were before they were steered (the reference).
OLD_RELEVANT = f"""SELECT {reads._ITEM} FROM items
    WHERE kind = 'call' AND relevant = 1 AND (
        first_seen > :start
        OR id IN (SELECT item_id FROM item_changes WHERE changed_at > :start)
        OR (status = 'open' AND deadline BETWEEN :today AND :window_end))
      AND coalesce(identifier, id) NOT IN ({reads._NOT_FOR_US})
    ORDER BY items.rowid"""  # the order of the index on `relevant` alone, which it walked
OLD_CHANGES = f"""SELECT c.*, {reads._FLIPS_BACK} AS flips_back FROM item_changes AS c
    WHERE c.changed_at > :start ORDER BY c.id"""
OLD_MENTIONS = """SELECT mentions.identifier, items.title, items.url, items.source
    FROM items JOIN mentions ON items.id = mentions.item_id WHERE items.kind = 'news'
    ORDER BY items.rowid, mentions.identifier"""


def stamp(day: int, hour: int = 6) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:00:00+00:00"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Calls of every tier, status and age, news naming them, changes that flip back, calls
    some förvaltningar (or all of them) marked not for us, fetch runs and a sent digest."""
    rng = random.Random(19)
    store = open_store(tmp_path_factory.mktemp("reads") / "monitor.db")
    db = store.db
    runs = [{"id": n, "started": stamp(1 + n)} for n in range(1, 25)]
    db.table("runs").insert_all(runs)
    items, matches, changes, mentions, tracking = [], [], [], [], []
    for n in range(600):
        kind = "news" if n % 9 == 0 else "call"
        source = "nyheter" if kind == "news" else rng.choice(["eu-portal", "vinnova"])
        identifier = None if n % 13 == 0 else f"CALL-{n % 250}"  # some calls in two sources
        deadline = (TODAY + timedelta(days=rng.randint(-40, 40))).isoformat()
        tier = rng.choice(["relevant", "relevant", "maybe", "no", None])
        item_id = f"{source}:{n}"
        items.append(
            {
                "id": item_id,
                "source": source,
                "uid": str(n),
                "kind": kind,
                "identifier": identifier,
                "title": f"Item {n}",
                "url": f"https://example.org/{n}",
                "status": rng.choice(["open", "open", "forthcoming", "closed", None]),
                "deadline": deadline,
                "deadlines": json.dumps([deadline]),
                "first_seen": stamp(rng.randint(1, 24), rng.randint(0, 23)),
                "last_seen": stamp(24),
                "relevance": tier,
                "relevant": None if tier is None else int(tier == "relevant"),
                "score": rng.random() if tier else None,
            }
        )
        if tier:
            for area in rng.sample(["klimat", "kultur", "skola"], rng.randint(1, 2)):
                matches.append({"item_id": item_id, "area": area, "score": rng.randint(1, 9)})
        for _ in range(rng.choice([0, 0, 1, 3])):
            old, new = rng.sample(["2026-12-01", "2026-12-15", "2027-01-10"], 2)
            run = rng.randint(1, 24)
            changes.append(
                {
                    "item_id": item_id,
                    "run_id": run,
                    "field": rng.choice(["deadlines", "status"]),
                    "old": old,
                    "new": new,
                    "changed_at": stamp(run),
                }
            )
        if kind == "news":
            for named in {f"CALL-{rng.randint(0, 260)}" for _ in range(rng.randint(0, 3))}:
                mentions.append({"item_id": item_id, "identifier": named})
        if kind == "call" and n % 7 == 0:
            for unit in rng.sample(["miljo", "skola", "kultur"], rng.randint(1, 2)):
                state = rng.choice(["not-for-us", "not-for-us", "watching"])
                tracking.append(
                    {"item_id": item_id, "unit": unit, "state": state, "changed_at": stamp(20)}
                )
    db.table("items").insert_all(items)
    db.table("matches").insert_all(matches)
    db.table("item_changes").insert_all(sorted(changes, key=lambda c: c["changed_at"]))
    db.table("mentions").insert_all(mentions)
    db.table("tracking").insert_all(tracking)
    db.table("fetch_log").insert_all(
        {"run_id": run["id"], "source": source, "started": run["started"]}
        | {"finished": run["started"], "outcome": "ok"}
        for run in runs
        for source in ("eu-portal", "vinnova", "nyheter")
        if rng.random() < 0.8
    )
    db.execute("ANALYZE")
    return db


def test_relevant_calls_are_the_rows_the_whole_scan_gave(db):
    args = {
        "start": START,
        "today": TODAY.isoformat(),
        "window_end": WINDOW_END,
        "group": "default",
    }
    expected = list(db.query(OLD_RELEVANT, args))
    found = reads.relevant_calls(db, START, TODAY.isoformat(), WINDOW_END)
    assert len(expected) > 50  # new, changed and closing calls, and some not for us left out
    assert [{k: row[k] for k in expected[0]} for row in found] == expected
    assert all(row["matches"] for row in found)


def test_the_period_changes_are_those_of_the_walk_in_id_order(db):
    expected = list(db.query(OLD_CHANGES, {"start": START, "runs": 3}))
    found = [c for rows in reads.changes_since(db, START, runs=3).values() for c in rows]
    assert len(expected) > 50
    assert any(c["flips_back"] for c in expected) and not all(c["flips_back"] for c in expected)
    by_id = sorted(found, key=lambda c: c["id"])
    assert [{**c, "flips_back": int(c["flips_back"])} for c in by_id] == expected


def test_news_mentions_are_those_the_scan_of_items_gave_in_its_order(db):
    expected: dict[str, list[dict]] = {}
    for row in db.query(OLD_MENTIONS):
        expected.setdefault(row["identifier"], []).append(row)
    assert sum(map(len, expected.values())) > 40
    assert any(len(rows) > 1 for rows in expected.values())  # a call named by several news
    assert reads.news_mentions(db) == expected


def test_news_since_gives_each_news_item_the_calls_it_names(db):
    """One query for every news item's mentions gives what one query per item gave."""
    found = reads.news_since(db, START)
    assert len(found) > 5
    named = 0
    for row in found:
        expected = [
            m["identifier"]
            for m in db.query(
                "SELECT identifier FROM mentions WHERE item_id = ? ORDER BY identifier",
                [row["id"]],
            )
        ]
        assert row["mentions"] == expected
        named += bool(expected)
    assert 0 < named < len(found)  # some news name calls, some none


def test_each_read_is_driven_from_the_small_side(db):
    """The plans: no read of the digest walks the whole items or item_changes table."""
    queries = [
        (reads.relevant_calls, (db, START, TODAY.isoformat(), WINDOW_END)),
        (reads.changes_since, (db, START)),
        (reads.news_mentions, (db,)),
    ]
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        for function, args in queries:
            function(*args, **({"runs": 3} if function is reads.changes_since else {}))
    finally:
        db.conn.set_trace_callback(None)
    plans = []
    for sql in seen:
        if sql.lstrip().startswith("SELECT"):  # as run: the arguments written in
            plans += [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql)]
    assert plans
    assert not [p for p in plans if p.startswith("SCAN items") or p.startswith("SCAN c")]

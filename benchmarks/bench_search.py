"""Benchmark: `monitor search` and `monitor deadlines` on large databases.

    .venv/bin/python benchmarks/bench_search.py [--sizes 100000,1000000] [--repeat 30]
                                                 [--keep FOLDER]

For each size a database of synthetic calls is built once in a temporary folder (titles and
text from the 341 real portal calls, with new identifiers, deadlines spread over fifteen years
back and one ahead, areas and relevance set), then:
- in-process: the median and 95th percentile of `search_items` for several queries, and of the
  deadlines query for the exports (every column) and for the table (`monitor deadlines` as
  typed: the columns it shows); targets: p95 under 50 ms at 1,000,000 items;
- the whole command: the wall time of `monitor search ... --format json` and `monitor
  deadlines` (as JSON, and as the table), beside `sqlite3` running the very same SQL (target:
  within 2x of sqlite3), with the commands' bytecode cached as installed
  (PYTHONDONTWRITEBYTECODE dropped, one run before timing); `--before SRC` times an earlier
  source tree's commands too (`git archive COMMIT` unpacked in SRC, put first on PYTHONPATH);
  `--whole-only` skips the in-process part.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.stemming import stems_of  # noqa: E402
from monitor.store import open_store, queries  # noqa: E402
from monitor.store.queries import (  # noqa: E402
    SearchFilters,
    search_items,
    search_sql,
    upcoming_deadlines,
)
from monitor.vocabulary_cache import search_vocabulary  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "eu_portal" / "open-calls"
AREAS = ["klimat-miljo", "utbildning", "stad-digitalisering", "valfard-halsa", "kultur"]
QUERIES = ["climate adaptation", "adapt*", "school OR skola", "CERV-2026", "energy renovation"]
TODAY = date(2026, 11, 24)


def real_texts() -> list[tuple[str, str, str]]:
    texts = []
    for page in sorted(PAGES.glob("page-*.json")):
        for row in json.loads(page.read_text(encoding="utf-8"))["results"]:
            meta = row["metadata"]
            summary = " ".join(meta.get("descriptionByte") or [])[:400]
            texts.append((meta["identifier"][0], meta["title"][0], summary))
    return texts


def build(path: Path, size: int) -> None:
    store = open_store(path)
    db = store.db
    texts = real_texts()
    rng = random.Random(7)
    stamp = "2026-01-01T00:00:00+00:00"
    batch_rows, batch_matches = [], []
    for n in range(size):
        identifier, title, summary = texts[n % len(texts)]
        item_id = f"eu-portal:{identifier}-{n}"
        # Fifteen years of history and a year ahead: as a database kept for years looks, where
        # most calls have closed and a few thousand are open at a time.
        deadline = (TODAY + timedelta(days=rng.randint(-15 * 365, 365))).isoformat()
        batch_rows.append(
            (
                item_id,
                "eu-portal",
                f"{identifier}-{n}",
                "call",
                f"{identifier}-{n}",
                title,
                summary,
                summary,
                "Horizon Europe (HORIZON)",
                "HORIZON",
                "open" if deadline >= TODAY.isoformat() else "closed",
                deadline,
                json.dumps([deadline]),
                stamp,
                stamp,
                stems_of(title, summary),
                int(rng.random() < 0.2),
            )
        )
        batch_matches.append((item_id, AREAS[n % len(AREAS)], 5.0, "[]"))
        if len(batch_rows) == 20_000 or n == size - 1:
            with db.atomic():
                db.conn.executemany(
                    """INSERT INTO items (id, source, uid, kind, identifier, title, summary,
                       description, programme, programme_code, status, deadline, deadlines,
                       first_seen, last_seen, search_stems, relevant)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    batch_rows,
                )
                db.conn.executemany(
                    "INSERT INTO matches (item_id, area, score, phrases) VALUES (?, ?, ?, ?)",
                    batch_matches,
                )
            batch_rows, batch_matches = [], []
    db.execute("ANALYZE")
    store.close()


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def sqlite3_literal(sql: str, args: list) -> str:
    for arg in args:
        value = (
            str(arg) if isinstance(arg, int | float) else "'" + str(arg).replace("'", "''") + "'"
        )
        sql = sql.replace("?", value, 1)
    return sql


def wall(command: list[str], repeat: int = 9, source: Path | None = None) -> float:
    # The command's today is the database's, as the sqlite3 query's dates are; its bytecode
    # cached, as an installed program's is; `source`: another tree of the program to run.
    env = {**os.environ, "MONITOR_TODAY": TODAY.isoformat()}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    subprocess.run(command, check=True, capture_output=True, env=env)  # bytecode, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench(
    size: int, repeat: int, folder: Path, before: Path | None = None, whole_only: bool = False
) -> None:
    path = folder / f"bench-{size}.db"
    started = time.perf_counter()
    if not path.exists():  # --keep: built once, then reused
        build(path, size)
    print(f"\n{size:,} items (database ready in {time.perf_counter() - started:.0f} s)")
    if not whole_only:
        in_process(path, repeat)
    whole_commands(path, folder, before)


def in_process(path: Path, repeat: int) -> None:
    store = open_store(path)
    deadlines = SearchFilters(
        kind="call",
        deadline_after=TODAY,
        deadline_before=TODAY + timedelta(days=60),
        not_closed=True,
        relevant_only=True,
    )
    print(f"  {'query':<28} {'median ms':>10} {'p95 ms':>8}   anchor: {'p95 ms':>8} {'ratio':>6}")
    cases = [(q, lambda q=q: search_items(store.db, q, SearchFilters(), 50)) for q in QUERIES]
    # As the command runs it: every upcoming deadline (no limit), relevant ones once matched;
    # every column for --format json/csv, the table's columns for the table (the default).
    cases.append(("deadlines --within 60", lambda: upcoming_deadlines(store.db, TODAY, 60)))
    cases.append(("deadlines, table", lambda: upcoming_deadlines(store.db, TODAY, 60, table=True)))
    sql, args = search_sql(None, deadlines, None)
    old_plan = sql.replace("FROM items WHERE", "FROM items INDEXED BY items_deadline WHERE", 1)
    for label, query in cases:
        median, p95 = timed(query, repeat)
        # The anchor, in the same run: a search ranking every match (as before queries.RANKED);
        # the deadlines query by the index on deadline alone (the plan before the
        # (relevant, deadline) index).
        if label in QUERIES:
            queries.RANKED, ranked = 10**9, queries.RANKED
            _, anchor = timed(
                lambda q=label: search_items(store.db, q, SearchFilters(), 50), repeat
            )
            queries.RANKED = ranked
        else:
            _, anchor = timed(lambda: store.db.execute(old_plan, args).fetchall(), repeat)
        print(f"  {label:<28} {median:10.1f} {p95:8.1f}   {anchor:15.1f} {p95 / anchor:6.2f}")
    store.close()


def whole_commands(path: Path, folder: Path, before: Path | None) -> None:
    deadlines = SearchFilters(
        kind="call",
        deadline_after=TODAY,
        deadline_before=TODAY + timedelta(days=60),
        not_closed=True,
        relevant_only=True,
    )
    monitor = str(Path(sys.executable).parent / "monitor")
    config = folder / "sources.toml"
    config.write_text('[settings]\ndatabase = "unused.db"\nrules = "none"\n')
    os.environ["XDG_CACHE_HOME"] = str(folder / "cache")  # the vocabulary kept, not in ~
    shown = f" {'before ms':>10} {'ratio':>6}" if before else ""
    print(f"\n  {'whole command':<28} {'monitor ms':>10} {'sqlite3 ms':>10} {'ratio':>6}{shown}")
    # The search as the command runs it: its words with their equivalents (the shipped
    # vocabulary; the config names no rules), so sqlite3 runs the SQL the command runs.
    terms = search_vocabulary(folder / "none", None).terms("climate adaptation")
    commands = [
        (
            "search climate adaptation",
            ["search", "climate adaptation", "--format", "json"],
            search_sql("climate adaptation", SearchFilters(), 50, terms),
        ),
        (
            "deadlines --within 60",
            ["deadlines", "--within", "60", "--format", "json"],
            search_sql(None, deadlines, None),
        ),
        (
            "deadlines, table",
            ["deadlines", "--within", "60"],
            search_sql(None, deadlines, None, table=True),
        ),
    ]
    one = "eu-portal:" + real_texts()[0][0] + "-0"
    commands.append(("show ID", ["show", one], ("SELECT * FROM items WHERE id = ?", [one])))
    for label, args, (sql, sql_args) in commands:
        command = [monitor, "--config", str(config), "--db", str(path), *args]
        ours = wall(command)
        theirs = wall(["sqlite3", "-json", str(path), sqlite3_literal(sql, sql_args)])
        line = f"  {label:<28} {ours:10.0f} {theirs:10.0f} {ours / theirs:6.1f}x"
        if before:
            earlier = wall(command, source=before)
            line += f" {earlier:10.0f} {earlier / theirs:6.1f}x"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--keep", type=Path, metavar="FOLDER", help="build the databases here once and reuse them"
    )
    parser.add_argument(
        "--before", type=Path, metavar="SRC", help="also time the commands of this source tree"
    )
    parser.add_argument("--whole-only", action="store_true", help="only the whole commands")
    options = parser.parse_args()
    if shutil.which("sqlite3") is None:
        sys.exit(
            "sqlite3 (the command-line shell) is needed for the comparison: apt-get install sqlite3"
        )
    if options.keep:
        options.keep.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in options.sizes.split(",")):
            bench(size, options.repeat, options.keep, options.before, options.whole_only)
        return
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in options.sizes.split(",")):
            bench(size, options.repeat, Path(folder), options.before, options.whole_only)


if __name__ == "__main__":
    main()

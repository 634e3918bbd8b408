"""Benchmark: portal pages with 10,000 calls parsed and stored, against a naive store.

    .venv/bin/python benchmarks/bench_ingest.py [--calls 10000] [--store-only]

The calls are the 341 real portal rows of the fixtures, copied with new identifiers, served in
pages of 100 by the portal emulator through httpx.MockTransport (no network). Measured, each in
a fresh child process so that its peak memory is its own:
- `monitor run` end to end: fetch, parse, store (upsert, change detection, search index) and
  items per second, peak resident memory (target: at least 4,500 items/s, under 300 MB); the
  search pages only (`details = false`: no topic details request per call, see write_config);
- a second run of the same pages: everything unchanged;
- the naive baseline: the same parsed items stored one at a time, each a SELECT then an INSERT
  in its own transaction, as a first attempt without batching would;
- storing alone (the parsed items saved as one source's, new and then unchanged): the bulk path
  (staging table, one INSERT ... SELECT) against the row-by-row path it replaced (sqlite-utils'
  insert_all), alternating in the same run, and the naive loop's storing time.
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def emulator(calls: int):
    from helpers.portal_emulator import PortalEmulator

    portal = PortalEmulator()
    base = portal.rows
    rows = []
    for n in range(calls):
        row = copy.deepcopy(base[n % len(base)])
        meta = row["metadata"]
        identifier = f"{meta['identifier'][0]}-X{n:05d}"
        meta["identifier"] = [identifier]
        row["reference"] = f"{n}TOPICSen"
        row["url"] = row["url"].rsplit("/", 1)[0] + "/" + identifier
        rows.append(row)
    portal.rows = rows
    return portal


def write_config(folder: Path) -> Path:
    """The run's config. `allow_private`: the emulator answers in-process and has no address,
    but the address guard would still look each request's host name up by DNS (0.2 s a failed
    lookup offline, 53 s for 300 calls with their topic details), which is not ingest.
    `details = false`: the figure is the search pages' ingest, as before topic details existed
    (and as the naive baseline parses): one request per 100 calls, not one more per call."""
    path = folder / "sources.toml"
    path.write_text(
        '[settings]\ndatabase = "monitor.db"\nretries = 0\nhost_delay = 0\n'
        'allow_private = true\nrules = "none"\n\n'
        '[[sources]]\nid = "eu-portal"\nkind = "eu_portal"\ndetails = false\n'
        'url = "http://portal.test/rest/search"\nfacet_url = "http://portal.test/rest/facet"\n'
    )
    return path


def measure_run(calls: int, folder: str, runs: int, queue) -> None:
    from datetime import date

    from monitor.clock import Clock
    from monitor.config import load_config
    from monitor.pipeline import chosen_sources, run_once
    from monitor.sources.kinds import KINDS
    from monitor.store import open_store

    portal = emulator(calls)
    config = load_config(write_config(Path(folder)), kinds=KINDS)
    store = open_store(config.settings.database)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        summary = run_once(
            config,
            store,
            chosen_sources(config),
            transport=portal.transport(),
            clock=Clock(date(2026, 8, 22)),
        )
        times.append(time.perf_counter() - started)
        assert not summary.failed, summary.failed[0].error
    seen = summary.outcomes[0].items_seen
    queue.put((times, seen, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def measure_naive(calls: int, folder: str, queue) -> None:
    """Parse the same pages, then store each item alone: SELECT, INSERT, COMMIT."""
    import sqlite3
    from datetime import date

    import sqlite_utils

    from monitor.sources.eu_portal_parse import items_from_results, page_results
    from monitor.store.items import item_row
    from monitor.store.schema import migrate

    portal = emulator(calls)
    started = time.perf_counter()
    rows = []
    for page in range(1, calls // 100 + 2):
        _, results = page_results(
            {"results": portal.rows[(page - 1) * 100 : page * 100], "totalResults": calls}
        )
        rows += results
    items = items_from_results(rows, source="eu-portal", programmes={}, today=date(2026, 8, 22))
    db_path = Path(folder) / "naive.db"
    migrate(sqlite_utils.Database(db_path))
    conn = sqlite3.connect(db_path)
    storing = time.perf_counter()
    for item in items:
        row = item_row(item)
        found = conn.execute("SELECT id FROM items WHERE id = ?", [row["id"]]).fetchone()
        if found is None:
            row.update(
                first_seen="2026-08-22T00:00:00+00:00", last_seen="2026-08-22T00:00:00+00:00"
            )
            columns = ", ".join(row)
            conn.execute(
                f"INSERT INTO items ({columns}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
            conn.commit()
    end = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(([end - started, end - storing], len(items), rss))


def parsed_items(calls: int) -> list:
    from datetime import date

    from monitor.sources.eu_portal_parse import items_from_results, page_results

    portal = emulator(calls)
    rows = []
    for page in range(1, calls // 100 + 2):
        _, results = page_results(
            {"results": portal.rows[(page - 1) * 100 : page * 100], "totalResults": calls}
        )
        rows += results
    return items_from_results(rows, source="eu-portal", programmes={}, today=date(2026, 8, 22))


def measure_store(calls: int, folder: str, row_by_row: bool, queue) -> None:
    """Only the storing of a run (parsed items saved as one source): new, then unchanged.
    `row_by_row`: new rows through sqlite-utils' insert_all and update, the path before the
    staging table, as the anchor measured in the same run."""
    from datetime import UTC, datetime

    from monitor.models import SourceOutcome
    from monitor.store import items as store_items
    from monitor.store import open_store

    if row_by_row:
        store_items._insert = lambda db, rows: db.table("items").insert_all(rows) if rows else None
        store_items._update = lambda db, rows: [db.table("items").update(r["id"], r) for r in rows]
    items = parsed_items(calls)
    store = open_store(Path(folder) / ("rows.db" if row_by_row else "bulk.db"))
    now = datetime(2026, 8, 22, 6, tzinfo=UTC)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        outcome = SourceOutcome(source="eu-portal", name="portal")
        store.save_success(store.start_run(now), outcome, items, started=now, finished=now)
        times.append(time.perf_counter() - started)
    queue.put((times, len(items), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def in_child(target, *args):
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def print_runs(first, again, seen, memory, naive_time, naive_seen, naive_memory) -> None:
    print(f"  {'run':<40} {'seconds':>8} {'items/s':>9} {'peak MB':>8}")
    label = "monitor run (fetch, parse, store)"
    print(f"  {label:<40} {first:8.2f} {seen / first:9,.0f} {memory:8.0f}")
    print(f"  {'monitor run again (all unchanged)':<40} {again:8.2f} {seen / again:9,.0f}")
    print(
        f"  {'naive: parse, then one item at a time':<40} {naive_time:8.2f} "
        f"{naive_seen / naive_time:9,.0f} {naive_memory:8.0f}"
    )
    print(
        f"  monitor run vs naive: {naive_time / first:.1f}x (targets: >= 4,500 items/s, < 300 MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--store-only", action="store_true", help="skip the fetching runs")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as ours, tempfile.TemporaryDirectory() as naive:
        if options.store_only:
            first = again = memory = float("nan")
            seen = options.calls
        else:
            (first, again), seen, memory = in_child(measure_run, options.calls, ours, 2)
        (naive_time, naive_store), naive_seen, naive_memory = in_child(
            measure_naive, options.calls, naive
        )
        # Storing alone, bulk and row by row alternating, each twice: the machine's load moves.
        stored: dict[bool, list[list[float]]] = {True: [], False: []}
        for _ in range(2):
            for row_by_row in (False, True):
                with tempfile.TemporaryDirectory() as folder:
                    times, _, _ = in_child(measure_store, options.calls, folder, row_by_row)
                stored[row_by_row].append(times)
    assert seen == naive_seen == options.calls, (seen, naive_seen)
    print(f"{options.calls:,} portal calls in {options.calls // 100} pages")
    if not options.store_only:
        print_runs(first, again, seen, memory, naive_time, naive_seen, naive_memory)
    bulk, rows = (min(t[0] for t in stored[k]) for k in (False, True))
    unchanged = min(t[1] for t in stored[False])
    print(f"\n  {'storing only (best of two)':<40} {'seconds':>8} {'items/s':>9}")
    print(f"  {'bulk: staging table, INSERT ... SELECT':<40} {bulk:8.2f} {seen / bulk:9,.0f}")
    print(f"  {'row by row: sqlite-utils insert_all':<40} {rows:8.2f} {seen / rows:9,.0f}")
    print(
        f"  {'the same again, all unchanged (bulk)':<40} {unchanged:8.2f} {seen / unchanged:9,.0f}"
    )
    print(
        f"  {'naive: one item per transaction':<40} {naive_store:8.2f} {seen / naive_store:9,.0f}"
    )
    print(f"  bulk vs row by row: {rows / bulk:.2f}x; bulk vs naive: {naive_store / bulk:.1f}x")


if __name__ == "__main__":
    main()

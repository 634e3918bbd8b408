"""Benchmark: `monitor run` over 200 local sources that answer after 250 ms each.

    .venv/bin/python benchmarks/bench_fetch.py [--sources 200] [--delay 0.25]

The sources are RSS feeds (a real Eurocities feed from the fixtures) served by 20 loopback
hosts (127.0.0.1 to 127.0.0.20), ten feeds each, each answer after `--delay` seconds, with an
ETag. Three runs, each on a fresh database except the last:
- sequential: `concurrency = 1` (the naive baseline, measured in the same run);
- concurrent: the default limits (20 in flight, 2 per host, 0.25 s between starts per host);
- unchanged: the concurrent run again on the same database: conditional GET, every answer a 304.
Targets: concurrent at least 15x faster than sequential; the unchanged run parses nothing and
moves under 5% of the bytes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers.fault_server import FaultServer, Request, respond  # noqa: E402
from monitor.config import load_config  # noqa: E402
from monitor.pipeline import chosen_sources, run_once  # noqa: E402
from monitor.store import open_store  # noqa: E402

FEED = (ROOT / "tests" / "fixtures" / "rss" / "eurocities_feed.xml").read_bytes()


def feed(delay: float):
    def handler(request: Request, conn) -> None:
        time.sleep(delay)
        headers = {"Content-Type": "application/rss+xml; charset=UTF-8", "ETag": '"v1"'}
        if request.headers.get("if-none-match") == '"v1"':
            respond(conn, 304, b"", headers, reason="Not Modified")
        else:
            respond(conn, 200, FEED, headers)

    return handler


def config(folder: Path, urls: list[str], settings: str) -> Path:
    lines = [f'[settings]\ndatabase = "monitor.db"\nretries = 0\n{settings}\n']
    for n, url in enumerate(urls):
        lines.append(f'[[sources]]\nid = "feed-{n}"\nkind = "rss"\nurl = "{url}"\n')
    path = folder / "sources.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def timed_run(path: Path):
    cfg = load_config(path)
    store = open_store(cfg.settings.database)
    started = time.perf_counter()
    summary = run_once(cfg, store, chosen_sources(cfg))
    elapsed = time.perf_counter() - started
    assert not summary.failed, summary.failed[0].error
    parsed = sum(o.items_seen for o in summary.outcomes if not o.not_modified)
    return elapsed, summary, parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.25)
    options = parser.parse_args()
    servers = [FaultServer(host=f"127.0.0.{n}").__enter__() for n in range(1, 21)]
    per_host = -(-options.sources // len(servers))
    urls = []
    for server in servers:
        for n in range(per_host):
            server.route(f"/feed-{n}")(feed(options.delay))
            urls.append(server.url(f"/feed-{n}"))
    urls = urls[: options.sources]
    try:
        with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
            sequential, seq_summary, _ = timed_run(config(Path(one), urls, "concurrency = 1"))
            path = config(Path(two), urls, "")
            concurrent, first, parsed_first = timed_run(path)
            unchanged, second, parsed_second = timed_run(path)
    finally:
        for server in servers:
            server.__exit__(None, None, None)
    print(f"{options.sources} sources on {len(servers)} hosts, {options.delay * 1000:.0f} ms each")
    print(f"  {'run':<34} {'seconds':>8} {'in flight':>10} {'bytes':>10} {'parsed':>7}")
    rows = [
        ("sequential (concurrency = 1)", sequential, seq_summary, "-"),
        ("concurrent (defaults)", concurrent, first, parsed_first),
        ("unchanged (conditional GET)", unchanged, second, parsed_second),
    ]
    for label, seconds, summary, parsed in rows:
        print(
            f"  {label:<34} {seconds:8.2f} {summary.peak_in_flight:10d} "
            f"{summary.bytes_received:10,d} {parsed!s:>7}"
        )
    share = second.bytes_received / first.bytes_received if first.bytes_received else 0
    print(f"  concurrent vs sequential: {sequential / concurrent:.1f}x faster (target >= 15x)")
    print(
        f"  unchanged run: {share:.1%} of the bytes, {parsed_second} items parsed (target < 5%, 0)"
    )


if __name__ == "__main__":
    main()

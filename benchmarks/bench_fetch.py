"""Benchmark: `monitor run` at the politeness floor, against urlwatch, over loopback feed hosts.

    .venv/bin/python benchmarks/bench_fetch.py [--repeat 3] [--delay 0.25] [--sizes 200,800,3200]

Each size is that many RSS feeds, ten on each loopback host (20, 80 and 320 hosts), every
answer after `--delay` seconds (benchmarks/feed_hosts.py, in a process of its own, HTTP/1.1
keep-alive, an ETag and 304s). `monitor run` runs as a command (its bytecode cached, as
installed) with the default politeness (2 requests per host in flight, 0.25 s between starts to
a host), the repository's rules and a fresh database; then again on the same database (every
answer a 304).

The anchor is the polite floor, what those limits allow at best: ten feeds on a host, two at a
time, starts 0.25 s apart, each answer 250 ms, cannot all be answered in under 2.5 s. Each run
prints its time as a ratio to the floor, and splits it: start-up (until the first request
arrives), the fetch (first request to last answer) and the tail (last answer to exit: storing
what came last, matching, the digest). For 200 feeds, urlwatch (the `bench` extra) runs over
the same hosts in the same run, if installed. Targets: 200 feeds at least 1.9x urlwatch and
within 1.25x of the floor; 800 within 1.25x of theirs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FEEDS_PER_HOST = 10
PER_HOST, HOST_DELAY = 2, 0.25  # the default politeness (monitor/config.py's Settings)


def polite_floor(feeds: int, delay: float, per_host: int = PER_HOST, spacing: float = HOST_DELAY):
    """The soonest `feeds` answers of `delay` s from one host can all be in, when at most
    `per_host` are in flight and starts are `spacing` s apart."""
    starts: list[float] = []
    for k in range(feeds):
        start = starts[-1] + spacing if starts else 0.0
        if k >= per_host:
            start = max(start, starts[k - per_host] + delay)
        starts.append(start)
    return starts[-1] + delay


@dataclass
class Timed:
    seconds: float
    startup: float  # until the first request reached a host
    fetch: float  # first request to last answer
    tail: float  # last answer to the end of the command
    answers: int
    not_modified: int
    connections: int


class Hosts:
    """feed_hosts.py in its own process."""

    def __init__(self, hosts: int, delay: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks/feed_hosts.py"), "--hosts", str(hosts),
             "--feeds", str(FEEDS_PER_HOST), "--delay", str(delay)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        started = json.loads(self.process.stdout.readline())
        self.urls: list[str] = started["urls"]
        self.stats_url: str = started["stats"]

    def stats(self) -> dict:
        with urllib.request.urlopen(self.stats_url, timeout=10) as answer:
            return json.load(answer)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def timed(hosts: Hosts, command: list[str], cwd: Path) -> Timed:
    hosts.stats()  # count afresh
    env = {**os.environ, "MONITOR_TODAY": "2026-11-24", "NO_COLOR": "1"}
    # Bytecode cached, as an installed program's is: not the compiling of every changed module
    # at every start (a shell that sets PYTHONDONTWRITEBYTECODE; the first run writes it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for secret in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "TEAMS_WEBHOOK_URL"):
        env.pop(secret, None)  # the digest is printed, as on an admin's first try
    began = time.time()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    ended = time.time()
    if done.returncode != 0:
        failed = [line for line in done.stdout.splitlines() if "FAILED" in line][:5]
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {failed} {done.stderr[-2000:]}")
    s = hosts.stats()
    first, last = s["first_request"] or began, s["last_answer"] or ended
    return Timed(
        ended - began, first - began, last - first, ended - last,
        s["answers"], s["not_modified"], s["connections"],
    )  # fmt: skip


def monitor_config(folder: Path, urls: list[str]) -> Path:
    rules = shutil.copytree(ROOT / "rules", folder / "rules")
    lines = [
        "[settings]",
        'database = "monitor.db"',
        f'rules = "{rules.name}"',
        "allow_private = true  # the hosts are loopback addresses",
        "retries = 0",
        "",
    ]
    for n, url in enumerate(urls):
        lines += ["[[sources]]", f'id = "feed-{n}"', 'kind = "rss"', f'url = "{url}"', ""]
    path = folder / "sources.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def monitor_pair(hosts: Hosts) -> tuple[Timed, Timed]:
    """A first run on a fresh database, then the same again (every answer a 304)."""
    with tempfile.TemporaryDirectory() as folder:
        path = monitor_config(Path(folder), hosts.urls)
        command = [str(BIN / "monitor"), "--config", str(path), "run"]
        first = timed(hosts, command, Path(folder))
        assert first.answers == len(hosts.urls) and first.not_modified == 0, first
        again = timed(hosts, command, Path(folder))
        assert again.not_modified == len(hosts.urls), again
        return first, again


def urlwatch_pair(hosts: Hosts) -> tuple[Timed, Timed] | None:
    """urlwatch's first run and its rerun (it sends the ETag back too), or None when the
    `bench` extra is not installed."""
    program = shutil.which("urlwatch", path=str(BIN)) or shutil.which("urlwatch")
    if program is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        jobs = "\n---\n".join(f"name: feed-{n}\nurl: {url}" for n, url in enumerate(hosts.urls))
        (where / "urls.yaml").write_text(jobs + "\n", encoding="utf-8")
        (where / "urlwatch.yaml").write_text(
            "report:\n  stdout:\n    enabled: true\n    color: false\n", encoding="utf-8"
        )
        command = [
            program,
            "--urls", str(where / "urls.yaml"),
            "--config", str(where / "urlwatch.yaml"),
            "--cache", str(where / "cache.db"),
            "--hooks", str(where / "hooks.py"),
        ]  # fmt: skip
        first = timed(hosts, command, where)
        again = timed(hosts, command, where)
        return first, again


def median(runs: list[Timed]) -> Timed:
    """The run of median wall time (its split is that run's own)."""
    return sorted(runs, key=lambda t: t.seconds)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.25)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median)")
    parser.add_argument("--sizes", default="200,800,3200")
    options = parser.parse_args()
    floor = polite_floor(FEEDS_PER_HOST, options.delay)
    print(
        f"feeds answering after {options.delay * 1000:.0f} ms, {FEEDS_PER_HOST} per host; "
        f"polite floor {floor:.2f} s ({PER_HOST} per host in flight, {HOST_DELAY} s between "
        f"starts); median of {options.repeat}"
    )
    print(
        f"  {'run':<36} {'seconds':>7} {'x floor':>7} {'start-up':>8} {'fetch':>6} "
        f"{'tail':>6} {'conns':>6}"
    )

    def row(label: str, t: Timed) -> None:
        print(
            f"  {label:<36} {t.seconds:7.2f} {t.seconds / floor:6.2f}x {t.startup:8.2f} "
            f"{t.fetch:6.2f} {t.tail:6.2f} {t.connections:6d}"
        )

    for size in (int(s) for s in options.sizes.split(",")):
        hosts = Hosts(-(-size // FEEDS_PER_HOST), options.delay)
        try:
            pairs = [monitor_pair(hosts) for _ in range(options.repeat)]
            first, again = median([p[0] for p in pairs]), median([p[1] for p in pairs])
            row(f"monitor run, {size} feeds", first)
            row(f"monitor run, {size} feeds, all 304", again)
            if size == 200:
                watched = [urlwatch_pair(hosts) for _ in range(options.repeat)]
                if None in watched:
                    print("  urlwatch: not installed (pip install -e '.[bench]'); column skipped")
                else:
                    w_first = median([p[0] for p in watched if p])
                    w_again = median([p[1] for p in watched if p])
                    row("urlwatch 2.29, 200 feeds", w_first)
                    row("urlwatch 2.29, 200 feeds, all 304", w_again)
                    print(
                        f"  monitor vs urlwatch: {w_first.seconds / first.seconds:.2f}x faster "
                        f"(target >= 1.9x); all 304: {w_again.seconds / again.seconds:.2f}x"
                    )
            target = " (target <= 1.25x)" if size <= 800 else ""
            print(f"  {size} feeds: {first.seconds / floor:.2f}x the polite floor{target}")
        finally:
            hosts.close()


if __name__ == "__main__":
    main()

"""Benchmark: how long a command takes to start, against the interpreter alone.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 15]

Whole commands as a user runs them (`monitor --help`; `monitor search x`, `deadlines` and
`show` on an empty database, with an RSS source configured), each timed from start to exit,
interleaved with `python -c pass` (the anchor, measured in the same run), medians of
`--repeat`. Target: `--help` and `search` within 4x of `python -c pass`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
CONFIG = """[settings]
database = "monitor.db"

[[sources]]
id = "nyheter"
kind = "rss"
url = "https://www.example.se/nyheter.xml"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    monitor = str(BIN / "monitor")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "monitor --help": [monitor, "--help"],
        "monitor search x": [monitor, "search", "x"],
        "monitor deadlines": [monitor, "deadlines"],
        "monitor show x": [monitor, "show", "rss:x"],
    }
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "sources.toml").write_text(CONFIG, encoding="utf-8")
        subprocess.run([monitor, "search", "x"], cwd=folder, capture_output=True)  # the db
        env = {**os.environ, "MONITOR_TODAY": "2026-11-24"}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(options.repeat):
            for name, command in commands.items():
                started = time.perf_counter()
                subprocess.run(command, cwd=folder, env=env, capture_output=True)
                times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    anchor = medians["python -c pass"]
    print(f"whole commands, median of {options.repeat}, interleaved")
    print(f"  {'command':<20} {'ms':>7} {'x python -c pass':>17}")
    for name, value in medians.items():
        print(f"  {name:<20} {value * 1000:7.1f} {value / anchor:16.1f}x")
    print("  target: --help and search within 4x of python -c pass")


if __name__ == "__main__":
    main()

"""Benchmark: how long a command takes to start, against the interpreter alone.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 15]

Whole commands as a user runs them (`monitor --help`; `monitor search x`, `deadlines` and
`show` on an empty database, with an RSS source configured), each timed from start to exit,
interleaved with `python -c pass` (the anchor, measured in the same run), medians of
`--repeat`. Target: `--help` and `search` within 4x of `python -c pass`.

The commands run with their modules' bytecode cached, as an installed program does (pip
compiles it; a first run writes it): PYTHONDONTWRITEBYTECODE is dropped from their
environment and each command runs once before timing. `--no-bytecode` keeps the variable and
clears the project's cached bytecode first, so every run compiles the project's modules again.
`--before SRC` times an earlier source tree's commands too, interleaved with the others
(`git archive COMMIT | tar -x -C SRC`; run with SRC first on PYTHONPATH).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
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
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="compile the project's modules at every start (PYTHONDONTWRITEBYTECODE=1)",
    )
    parser.add_argument(
        "--before", type=Path, metavar="SRC", help="also time the commands of this source tree"
    )
    options = parser.parse_args()
    monitor = str(BIN / "monitor")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "monitor --help": [monitor, "--help"],
        "monitor search x": [monitor, "search", "x"],
        "monitor deadlines": [monitor, "deadlines"],
        "monitor show x": [monitor, "show", "rss:x"],
    }
    if options.before:  # the same commands from the earlier tree (PYTHONPATH, set below)
        commands |= {f"before: {n}": c for n, c in list(commands.items())[1:]}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "sources.toml").write_text(CONFIG, encoding="utf-8")
        env = {**os.environ, "MONITOR_TODAY": "2026-11-24", "XDG_CACHE_HOME": folder}
        if options.no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            for cached in (ROOT / "monitor").rglob("__pycache__"):
                shutil.rmtree(cached)
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        before = {**env, "PYTHONPATH": str(options.before)} if options.before else env
        # The empty database a first run leaves (a read command no longer makes one).
        make = "import pathlib, monitor.store as s; s.open_store(pathlib.Path('monitor.db'))"
        subprocess.run([sys.executable, "-c", make], cwd=folder, env=env, check=True)
        for name, command in commands.items():  # the database, the bytecode, the vocabulary
            subprocess.run(command, cwd=folder, env=_env(name, env, before), capture_output=True)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(options.repeat):
            for name, command in commands.items():
                started = time.perf_counter()
                own = _env(name, env, before)
                subprocess.run(command, cwd=folder, env=own, capture_output=True)
                times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    anchor = medians["python -c pass"]
    cached = "compiled at every start" if options.no_bytecode else "bytecode cached"
    print(f"whole commands, median of {options.repeat}, interleaved ({cached})")
    print(f"  {'command':<28} {'ms':>7} {'x python -c pass':>17}")
    for name, value in medians.items():
        print(f"  {name:<28} {value * 1000:7.1f} {value / anchor:16.1f}x")
    print("  target: --help and search within 4x of python -c pass")


def _env(name: str, env: dict[str, str], before: dict[str, str]) -> dict[str, str]:
    return before if name.startswith("before: ") else env


if __name__ == "__main__":
    main()

"""Benchmark: reading sources.toml of 200, 800 and 3,200 sources (linear, 3,200 under 1 s).

    .venv/bin/python benchmarks/bench_config.py [--repeat 5]

Each file is RSS sources on 320 hosts, five lines each, as an admin writes them; the time is
`load_config` (TOML, validation, every source's header line found for its messages), the
median of `--repeat`, after one warm-up load that imports the kind. The anchor is the time per
source at 200: linear means the same per source at 800 and 3,200 (ratio 1.0; the old reader,
which searched the file again for each source's header, was quadratic).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import load_config  # noqa: E402
from monitor.sources.kinds import KINDS  # noqa: E402


def write(folder: Path, count: int) -> Path:
    blocks = [
        f'[[sources]]\nid = "feed-{n}"\nkind = "rss"\n'
        f'url = "https://www{n % 320}.example.se/nyheter/{n}.xml"\nevery = "6h"\n'
        for n in range(count)
    ]
    path = folder / f"sources-{count}.toml"
    path.write_text('[settings]\ndatabase = "monitor.db"\n\n' + "\n".join(blocks), "utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = {count: write(Path(folder), count) for count in (200, 800, 3200)}
        load_config(paths[200], kinds=KINDS)  # imports the rss kind once
        seconds = {}
        for count, path in paths.items():
            times = []
            for _ in range(options.repeat):
                started = time.perf_counter()
                config = load_config(path, kinds=KINDS)
                times.append(time.perf_counter() - started)
            assert len(config.sources) == count
            seconds[count] = statistics.median(times)
    anchor = seconds[200] / 200
    print(f"load_config, median of {options.repeat}")
    print(f"  {'sources':>8} {'seconds':>8} {'ms/source':>10} {'per source vs 200':>18}")
    for count, value in seconds.items():
        per = value / count
        print(f"  {count:8,d} {value:8.3f} {per * 1000:10.3f} {per / anchor:17.2f}x")
    print(f"  3,200 sources: {seconds[3200]:.2f} s (target < 1 s); linear: ratio near 1.0x")


if __name__ == "__main__":
    main()

"""The one clock: a pinned day keeps the real time of day, and nothing else reads the time."""

from __future__ import annotations

import re
from datetime import UTC, date
from pathlib import Path

from monitor.clock import Clock

PACKAGE = Path(__file__).resolve().parent.parent / "monitor"
SYSTEM_CLOCK = re.compile(r"\b(datetime\.(now|utcnow|today)|date\.today|time\.time)\(")


def test_a_pinned_day_is_today_everywhere_and_runs_stay_ordered():
    clock = Clock(date(2031, 2, 3))
    first, second = clock.now(), clock.now()
    assert first.date() == date(2031, 2, 3) and first.tzinfo == UTC
    assert first <= second
    for zone in ("Europe/Stockholm", "Pacific/Kiritimati", "America/Adak"):
        assert clock.today(zone) == date(2031, 2, 3)


def test_no_module_but_the_clock_reads_the_system_clock():
    readers = [
        f"{path.relative_to(PACKAGE.parent)}:{n}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "clock.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SYSTEM_CLOCK.search(line)
    ]
    assert readers == []

"""Addresses that name a day relative to today: `{today}` and `{today-730d}`.

Vinnova's open data answers what changed since the date in its address, so a fixed date
silently loses every round last edited before it as the years pass; `{today-730d}` keeps the
window two years wide. The day is the run's today (from the clock the source context carries),
never the machine's.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from monitor.options import OptionError

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_TODAY = re.compile(r"today(?:-(\d{1,5})d)?")


def check_placeholders(url: str, key: str = "url") -> None:
    """For an options dataclass: only `{today}` and `{today-Nd}` may stand in braces."""
    for found in _PLACEHOLDER.finditer(url):
        if _TODAY.fullmatch(found.group(1)) is None:
            raise OptionError(
                f"{found.group(0)!r} is not a date this address can name; "
                "write {today} or {today-730d} (days back from the run's day)",
                key,
            )


def dated_url(url: str, today: date) -> str:
    """`url` with each placeholder replaced by its ISO date, counted back from `today`."""

    def day(found: re.Match[str]) -> str:
        match = _TODAY.fullmatch(found.group(1))
        if match is None:  # config checked it: left as written
            return found.group(0)
        return (today - timedelta(days=int(match.group(1) or 0))).isoformat()

    return _PLACEHOLDER.sub(day, url)

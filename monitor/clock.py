"""The one clock. Every "now" and "today" in the program comes from a Clock made at the edge
(the CLI, `monitor serve`) and passed down; no other module reads the system clock.

A clock can be pinned to a day (MONITOR_TODAY, read by config): it then tells that date with
the real time of day, so consecutive runs on a pinned day still stamp in order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


class Clock:
    """The system's time, or `day` at the real time of day (UTC) when pinned."""

    def __init__(self, day: date | None = None) -> None:
        self.day = day

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        real = datetime.now(UTC)
        return real if self.day is None else datetime.combine(self.day, real.timetz())

    def today(self, timezone: str | ZoneInfo) -> date:
        """Today's date in `timezone`; a pinned day is that date in every time zone, so a
        digest or a deadline list made on it never depends on the hour it was made."""
        if self.day is not None:
            return self.day
        zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
        return self.now().astimezone(zone).date()

    @staticmethod
    def machine_now() -> datetime:
        """The machine's real time, never pinned: for what runs on it, like APScheduler's
        triggers and a server's Retry-After date."""
        return datetime.now(UTC)

"""What a yearly report says, as plain data: gather.py fills it, document.py words it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from monitor.health import Status
from monitor.report.applications import Applications


@dataclass(frozen=True)
class ProgrammeCount:
    code: str | None  # the abbreviation (LIFE), when the source gives one
    name: str | None
    seen: int
    matched: int


@dataclass(frozen=True)
class ClosedCall:
    """A call whose last deadline fell in the year and has passed (or the source closed it)."""

    id: str
    title: str
    identifier: str | None
    programme: str | None
    deadline: str  # ISO date
    url: str | None
    areas: tuple[str, ...]  # area ids, best score first


@dataclass(frozen=True)
class SourceYear:
    """One source over the year: its runs from fetch_log, and for the current year its state."""

    source: str
    name: str
    runs: int
    failed: int
    new_items: int
    first_fetch: date | None  # the day of the first fetch ever, local time
    new_in_year: bool
    last_error: str | None
    last_error_at: date | None
    health_now: Status | None = None  # None: not asked (a past year)


@dataclass
class ReportData:
    year: int
    period_start: date
    period_end: date
    made: date
    ongoing: bool  # the report's year is the current year
    area_names: dict[str, str]  # id -> name, in the rules' order; ids alone without rules
    seen_by_month: dict[int, int] = field(default_factory=dict)
    matched_by_month: dict[int, int] = field(default_factory=dict)
    unjudged: int = 0  # calls the rules never looked at (relevant IS NULL)
    matched_by_area: dict[str, int] = field(default_factory=dict)
    matched_by_area_month: dict[str, dict[int, int]] = field(default_factory=dict)
    programmes: list[ProgrammeCount] = field(default_factory=list)
    closed: int = 0  # every call that closed in the year
    closed_matched: list[ClosedCall] = field(default_factory=list)  # the relevant ones
    sources: list[SourceYear] = field(default_factory=list)
    applications: Applications = field(default_factory=Applications)  # the förvaltningar's

    @property
    def months(self) -> range:
        """The months the report covers: all twelve, or up to this month in the current year."""
        return range(1, self.period_end.month + 1)

    @property
    def seen(self) -> int:
        return sum(self.seen_by_month.values())

    @property
    def matched(self) -> int:
        return sum(self.matched_by_month.values())

    @property
    def watched(self) -> list[SourceYear]:
        return [s for s in self.sources if s.runs]

    @property
    def new_sources(self) -> list[SourceYear]:
        return [s for s in self.sources if s.new_in_year]

    @property
    def is_empty(self) -> bool:
        return not (self.seen or self.closed or self.watched)

    def area_name(self, area: str) -> str:
        return self.area_names.get(area, area)

    def areas_ranked(self) -> list[str]:
        """Every area (the rules' and any found only in matches), most matched calls first."""
        ids = list(dict.fromkeys([*self.area_names, *self.matched_by_area]))
        return sorted(ids, key=lambda a: (-self.matched_by_area.get(a, 0), self.area_name(a)))

    def closed_matched_by_area(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for call in self.closed_matched:
            for area in call.areas:
                counts[area] = counts.get(area, 0) + 1
        return counts

"""What a digest holds, chosen and not yet worded (compose.py words it as the document)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from monitor.config import DEFAULT_TIMEZONE
from monitor.digest.eligibility import Applicants


@dataclass(frozen=True)
class Change:
    field: str  # status, deadlines, opening_date, title, budget
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Mention:
    """A news item that names a call, or the call a news item names."""

    title: str
    url: str | None
    source: str


@dataclass(frozen=True)
class DigestItem:
    id: str
    kind: str  # call | news
    title: str
    url: str | None
    source: str  # the source's name
    identifier: str | None = None
    programme: str | None = None
    status: str | None = None
    deadline: date | None = None
    budget: float | None = None
    published: datetime | None = None
    areas: tuple[str, ...] = ()  # best first
    score: float = 0.0  # the best area's score
    learned_score: float | None = None  # the learned score (0..1); None with no trained scorer
    phrases: tuple[str, ...] = ()  # what matched in the best area, strongest first
    changes: tuple[Change, ...] = ()
    mentions: tuple[Mention, ...] = ()  # for a call: news naming it; for news: the call named
    # The card's facts, where the source states them (the portal's topic details mostly).
    summary: str = ""  # one or two sentences
    types_of_action: tuple[str, ...] = ()
    opening_date: date | None = None
    deadline_time: str | None = None  # "17:00", Brussels time, when the source gives one
    min_contribution: float | None = None  # per grant, in euro
    max_contribution: float | None = None
    expected_grants: int | None = None
    applicants: Applicants = field(default_factory=Applicants)  # as the conditions say
    cofinancing: int | None = None  # the EU co-financing rate, percent

    @property
    def area(self) -> str | None:
        return self.areas[0] if self.areas else None


@dataclass(frozen=True)
class Reminder:
    """A tracked call some förvaltning works on (interested, applying) whose deadline is near."""

    id: str  # the stored item
    title: str
    url: str | None
    identifier: str | None
    deadline: date
    units: tuple[tuple[str, str], ...]  # (förvaltning, state code), in the units' order


@dataclass(frozen=True)
class SourceProblem:
    """A source tried in the period that failed its last run or is unhealthy (health.status)."""

    source: str
    name: str
    reason: str
    last_success: str | None
    failures: int = 0  # failed runs in a row; 0: unhealthy for another reason (no items)
    error: str | None = None  # the last run's error, when it failed
    usual_items: int | None = None  # what it used to return, for a source that returned none


@dataclass
class Digest:
    period_start: datetime
    period_end: datetime
    today: date
    area_names: dict[str, str]  # area id -> name, in the rules' order
    timezone: str = DEFAULT_TIMEZONE  # for the week number and the dates shown
    new_by_area: dict[str, list[DigestItem]] = field(default_factory=dict)
    closing_soon: list[DigestItem] = field(default_factory=list)
    changed: list[DigestItem] = field(default_factory=list)
    news: list[DigestItem] = field(default_factory=list)
    maybe: list[DigestItem] = field(default_factory=list)  # new calls of the maybe tier
    reminders: list[Reminder] = field(default_factory=list)  # tracked calls due soon
    unhealthy: list[SourceProblem] = field(default_factory=list)  # failing or unhealthy
    all_sources_failed: bool = False  # every source tried in the period failed its last run

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.timezone))

    @property
    def week(self) -> int:
        return self.local(self.period_end).isocalendar().week

    @property
    def new_count(self) -> int:
        return sum(len(items) for items in self.new_by_area.values())

    @property
    def is_empty(self) -> bool:
        return not (
            self.new_count
            or self.closing_soon
            or self.changed
            or self.news
            or self.maybe
            or self.reminders
            or self.unhealthy
        )

    def item_ids(self) -> dict[str, list[str]]:
        """Section -> the ids shown there (kept so that nothing is announced twice)."""
        return {
            "new": [i.id for items in self.new_by_area.values() for i in items],
            "closing_soon": [i.id for i in self.closing_soon],
            "changed": [i.id for i in self.changed],
            "news": [i.id for i in self.news],
            "maybe": [i.id for i in self.maybe],
        }

    def deadlines(self) -> dict[str, str | None]:
        """Item id -> the deadline it is shown with (kept so a moved deadline can be told)."""
        items = [*self.closing_soon, *self.changed, *self.news, *self.maybe]
        items += [i for section in self.new_by_area.values() for i in section]
        return {i.id: i.deadline.isoformat() if i.deadline else None for i in items}

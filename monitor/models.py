"""The records that flow through the pipeline: items parsed from sources, and run outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

ItemKind = Literal["call", "news"]
CallStatus = Literal["open", "forthcoming", "closed"]


# The one group of a config without [[groups]]; what was stored before groups belongs to it.
DEFAULT_GROUP = "default"


@dataclass(frozen=True)
class Item:
    """One call or news item as a source describes it, before it is stored.

    `uid` is the source's own identity for the item (the portal's topic identifier, a feed's guid);
    together with the source id it gives the stable `id` the store keys on.
    """

    source: str
    uid: str
    kind: ItemKind
    title: str
    url: str | None = None
    summary: str = ""
    identifier: str | None = None
    call_identifier: str | None = None
    call_title: str | None = None
    programme: str | None = None
    programme_code: str | None = None
    status: CallStatus | None = None
    # What the source itself says; `status` may differ when every deadline has passed.
    source_status: CallStatus | None = None
    opening_date: date | None = None
    deadlines: tuple[date, ...] = ()
    deadline: date | None = None
    budget: float | None = None
    published: datetime | None = None
    keywords: tuple[str, ...] = ()
    language: str | None = None
    # The call's full text, where the source has one (the portal's topic details); an item
    # without it carries its summary here, so `description` is always the fullest text known.
    description: str = ""
    conditions: str = ""  # who may apply and how: eligibility, admissibility, award
    types_of_action: tuple[str, ...] = ()
    programme_divisions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    cross_cutting_priorities: tuple[str, ...] = ()
    expected_grants: int | None = None
    min_contribution: float | None = None  # per grant, in euro
    max_contribution: float | None = None
    deadline_model: str | None = None  # "single-stage", "two-stage"
    details_url: str | None = None  # where the full text was read; None when it was not
    # "2027-04-08T17:00": the deadlines whose time of day the source states (Brussels wall
    # clock on the portal); a deadline without one is not listed.
    deadline_times: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.description and self.summary:
            object.__setattr__(self, "description", self.summary)

    @property
    def id(self) -> str:
        return f"{self.source}:{self.uid}"


@dataclass
class SourceOutcome:
    """What one source did in one run: counts on success, the error text on failure."""

    source: str
    name: str
    ok: bool = True
    not_modified: bool = False  # the server answered 304: stored items stand, nothing parsed
    http_status: int | None = None
    items_seen: int = 0
    items_new: int = 0
    items_changed: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    new_ids: tuple[str, ...] = ()
    changed_ids: tuple[str, ...] = ()


@dataclass
class RunSummary:
    """The outcome of one `monitor run`: one entry per source, in config order."""

    run_id: int
    outcomes: list[SourceOutcome]
    bytes_received: int = 0
    peak_in_flight: int = 0  # the most requests that were in flight at once

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def new_or_changed_ids(self) -> list[str]:
        return [i for o in self.outcomes for i in (*o.new_ids, *o.changed_ids)]

    @property
    def items_seen(self) -> int:
        return sum(o.items_seen for o in self.outcomes)

    @property
    def items_new(self) -> int:
        return sum(o.items_new for o in self.outcomes)

    @property
    def items_changed(self) -> int:
        return sum(o.items_changed for o in self.outcomes)


@dataclass(frozen=True)
class Validators:
    """What a server said to let us ask "has it changed?" next time."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Politeness:
    # requests in flight at once, all hosts together; None: no such limit, only per_host's
    concurrency: int | None = None
    per_host: int = 2
    host_delay: float = 0.25  # seconds between request starts to one host
    max_bytes: int = 20_000_000
    timeout: float = 90.0  # seconds for one whole exchange: connect, headers and body
    allow_private: bool = False  # loopback, link-local and private addresses may be fetched

"""What every source kind receives and returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from monitor.config import DEFAULT_TIMEZONE
from monitor.models import Item, Validators

if TYPE_CHECKING:  # kept out of start-up: commands that only read the store need no HTTP
    from monitor.clock import Clock
    from monitor.fetch import Fetched, Fetcher
    from monitor.parsing import ParsePool
    from monitor.sources.document import Document, ParseContext, Parser


class Cache(Protocol):
    """Small named values a kind keeps between runs (the portal's programme names)."""

    def get(self, name: str) -> tuple[Any, datetime] | None: ...

    def put(self, name: str, value: Any, now: datetime) -> None: ...


@dataclass
class SourceContext:
    """Everything a kind may use: its id and options, the shared fetcher, a cache, today's date
    (the run's, in settings.timezone), the clock (for the cache's ages), the validators of its
    last answer, what is already stored of it, and the time zone."""

    source_id: str
    options: Any
    fetcher: Fetcher
    cache: Cache
    today: date
    clock: Clock
    validators: Validators = field(default_factory=Validators)
    stored: Callable[[str], Mapping[str, Any] | None] = lambda item_id: None
    timezone: str = DEFAULT_TIMEZONE  # settings.timezone: where local dates and times are read
    # A check keeps every answer here, to read the page's platform and feeds afterwards.
    answers: list[Fetched] | None = None
    # Where documents are parsed when a run has many (monitor/parsing.py); else right here.
    parse_pool: ParsePool | None = None

    async def parse(self, parse: Parser, document: Document, context: ParseContext) -> list[Item]:
        if self.parse_pool is None:
            return parse(document, context)
        return await self.parse_pool.parse(parse, document, context)

    async def request(self, method: str, url: str, **kwargs: Any) -> Fetched:
        answer = await self.fetcher.request(method, url, **kwargs)
        if self.answers is not None:
            self.answers.append(answer)
        return answer


@dataclass
class Collected:
    """A kind's result: the items it found, the last HTTP status, and anything worth a warning.

    `not_modified` means the server answered 304: nothing was parsed and the stored items stand.
    """

    items: list[Item]
    http_status: int | None = None
    warnings: list[str] = field(default_factory=list)
    validators: Validators | None = None
    not_modified: bool = False


Collector = Callable[[SourceContext], Awaitable[Collected]]


@dataclass(frozen=True)
class SourceKind:
    name: str
    options: type
    collect: Collector
    description: str = ""

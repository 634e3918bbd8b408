"""What every source kind receives and returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

import httpx

from monitor.fetch import RetryPolicy, request
from monitor.models import Item


class Cache(Protocol):
    """Small named values a kind keeps between runs (the portal's programme names)."""

    def get(self, name: str) -> tuple[Any, datetime] | None: ...

    def put(self, name: str, value: Any) -> None: ...


@dataclass
class SourceContext:
    """Everything a kind may use: its id and options, the shared client, a cache, today's date."""

    source_id: str
    options: Any
    client: httpx.AsyncClient
    policy: RetryPolicy
    cache: Cache
    today: date

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return await request(self.client, method, url, policy=self.policy, **kwargs)


@dataclass
class Collected:
    """A kind's result: the items it found, the last HTTP status, and anything worth a warning."""

    items: list[Item]
    http_status: int | None = None
    warnings: list[str] = field(default_factory=list)


Collector = Callable[[SourceContext], Awaitable[Collected]]


@dataclass(frozen=True)
class SourceKind:
    name: str
    options: type
    collect: Collector
    description: str = ""

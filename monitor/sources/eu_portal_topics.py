"""Fetching the portal's topic details: each new or changed call's full text, once.

Politeness comes from the shared Fetcher (per-host slot, spacing, retries, size cap). What was
read is kept: a call whose search row is unchanged and whose details are stored is not asked
for again; a changed one is asked with the ETag/Last-Modified of the last answer, and a 304
keeps the stored details. A 404 means the topic has no public details: remembered until the
search row changes. Any failure keeps what is stored, or else the search API's text, and is a
warning on the source's run, never a failed run. The bookkeeping (search-row fingerprint,
validators) lives in the kind's cache, one entry per source; it is trusted only while the
stored item still holds the text it describes, so a run that stopped before storing its items
fetches again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from monitor.errors import FetchError
from monitor.models import Item, Validators
from monitor.sources.base import SourceContext
from monitor.sources.eu_portal_details import (
    BudgetOverview,
    TopicDetails,
    parse_topic_details,
    with_details,
)
from monitor.sources.eu_portal_parse import has_topic_details

DETAILS_URL = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/{identifier}.json"
)
MAX_WARNINGS = 5  # per run; the rest are counted in one line
_MISSING = (404, 410)


def details_url(template: str, identifier: str) -> str:
    """The portal serves topic details under the lower-cased identifier only (upper: 404).
    Quoted: a few identifiers hold slashes (EuropeAid/172802/ID/ACT/RS)."""
    return template.replace("{identifier}", quote(identifier.lower(), safe=""))


async def with_topic_details(
    ctx: SourceContext, items: list[Item], template: str, warnings: list[str]
) -> list[Item]:
    """`items` with their topic details where the portal has them."""
    cache_name = f"eu_portal:details:{ctx.source_id}"
    cached = ctx.cache.get(cache_name)
    known: Mapping[str, Any] = cached[0] if cached and isinstance(cached[0], dict) else {}
    remembered: dict[str, dict[str, Any]] = {}
    problems: list[str] = []

    async def one(item: Item) -> Item:
        if not has_topic_details(item) or item.identifier is None:
            return item
        url = details_url(template, item.identifier)
        fingerprint = _fingerprint(item)
        stored = ctx.stored(item.id)
        kept = stored_details(stored) if stored else None
        entry = known.get(item.uid)
        entry = entry if isinstance(entry, dict) else {}
        trusted = kept is not None and entry.get("text") == _text_key(stored or {})
        if entry.get("fingerprint") == fingerprint and (trusted or entry.get("missing")):
            remembered[item.uid] = entry
            return with_details(item, kept, url) if trusted and kept else item
        headers = Validators(entry.get("etag"), entry.get("last_modified")).headers()
        try:
            answer = await ctx.request("GET", url, headers=headers if trusted else {})
            if answer.not_modified and kept is not None:
                details = kept
            else:
                details = parse_topic_details(_json(answer.content), item.identifier)
        except FetchError as exc:
            if exc.status in _MISSING and kept is None:
                remembered[item.uid] = {"fingerprint": fingerprint, "missing": True}
            problems.append(f"{item.identifier}: {exc}")
            return with_details(item, kept, url) if kept else item
        # Only a new call takes its budget from the details: for one stored before, a budget
        # learnt now would show as a changed call (see with_details).
        done = with_details(item, details, url, fill_budget=stored is None)
        validators = answer.validators
        remembered[item.uid] = {
            "fingerprint": fingerprint,
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "text": _text_key({"description": done.description, "conditions": done.conditions}),
        }
        return done

    completed = list(await asyncio.gather(*(one(item) for item in items)))
    # Only the calls seen now: those gone from the portal drop out of the cache.
    ctx.cache.put(cache_name, remembered, ctx.clock.now())
    for problem in sorted(problems)[:MAX_WARNINGS]:
        warnings.append(f"topic details not read, the search text is kept: {problem}")
    if len(problems) > MAX_WARNINGS:
        warnings.append(f"topic details not read for {len(problems) - MAX_WARNINGS} more calls")
    return completed


def stored_details(row: Mapping[str, Any]) -> TopicDetails | None:
    """The topic details an item was stored with, or None when none were read."""
    if not row.get("details_url"):
        return None
    return TopicDetails(
        description=row.get("description") or "",
        conditions=row.get("conditions") or "",
        types_of_action=_list(row.get("types_of_action")),
        programme_divisions=_list(row.get("programme_divisions")),
        tags=_list(row.get("tags")),
        cross_cutting_priorities=_list(row.get("cross_cutting_priorities")),
        budget=BudgetOverview(
            total=row.get("budget"),
            expected_grants=row.get("expected_grants"),
            min_contribution=row.get("min_contribution"),
            max_contribution=row.get("max_contribution"),
            deadline_model=row.get("deadline_model"),
        ),
    )


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError("svaret är inte JSON; portalens format kan ha ändrats") from exc


def _fingerprint(item: Item) -> str:
    """What the search row said, without what follows from today (status, next deadline)."""
    facts = dataclasses.asdict(item)
    for derived in ("status", "deadline"):
        facts.pop(derived)
    return _digest(json.dumps(facts, sort_keys=True, default=str))


def _text_key(row: Mapping[str, Any]) -> str:
    return _digest(f"{row.get('description') or ''}\0{row.get('conditions') or ''}")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _list(value: object) -> tuple[str, ...]:
    if isinstance(value, str) and value.startswith("["):
        return tuple(str(v) for v in json.loads(value))
    return ()

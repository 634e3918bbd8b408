"""Source kind `eu_portal`: open and forthcoming calls from the EU Funding & Tenders Portal.

Calls the public search API the way shared/fixtures/eu_portal/API-NOTES.md describes: a POST
whose body is multipart with JSON file parts `query`, `languages` and `sort`, and `apiKey`,
`text`, `pageSize`, `pageNumber` in the query string; pages of 100 until `totalResults`.
Pages are spaced by the fetcher's per-host delay (`settings.host_delay`), as other clients of
the API wait between pages. Each new or changed call's full text then comes from its topic
details (`details_url`; see eu_portal_topics.py), unless `details = false`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from monitor.errors import FetchError
from monitor.fetch import Fetched
from monitor.options import OptionError
from monitor.sources.base import Collected, SourceContext
from monitor.sources.eu_portal_parse import (
    STATUS_BY_NAME,
    TYPE_CODES,
    items_from_results,
    page_results,
    programme_abbreviation,
    programme_names,
)
from monitor.sources.eu_portal_topics import DETAILS_URL, with_topic_details

log = logging.getLogger(__name__)

SEARCH_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
FACET_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/facet"
PAGE_SIZE = 100  # the API caps pageSize at 100 whatever is asked
MAX_PAGES = 100  # the API serves at most 10,000 results per query
PROGRAMMES_CACHE = "eu_portal:programmes"
PROGRAMMES_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class EuPortalOptions:
    url: str = SEARCH_URL
    facet_url: str = FACET_URL
    statuses: tuple[str, ...] = field(
        default=("open", "forthcoming"), metadata={"choices": tuple(STATUS_BY_NAME)}
    )
    types: tuple[str, ...] = field(
        default=("grant", "call_for_proposals", "cascade"), metadata={"choices": tuple(TYPE_CODES)}
    )
    programmes: tuple[str, ...] = ()  # abbreviations such as "LIFE", "CERV"; empty = all
    text: str = "***"  # the portal's free-text search; *** matches everything
    details: bool = True  # read each new or changed call's topic details (its full text)
    details_url: str = DETAILS_URL

    def __post_init__(self) -> None:
        if "{identifier}" not in self.details_url:
            raise OptionError(
                "must contain {identifier}, where the call's identifier goes", "details_url"
            )


def build_query(
    statuses: tuple[str, ...], types: tuple[str, ...], programme_codes: list[str]
) -> dict[str, Any]:
    must: list[dict[str, Any]] = [
        {"terms": {"type": [TYPE_CODES[t] for t in types]}},
        {"terms": {"status": [STATUS_BY_NAME[s] for s in statuses]}},
    ]
    if programme_codes:
        must.append({"terms": {"frameworkProgramme": programme_codes}})
    return {"bool": {"must": must}}


def multipart_body(query: dict[str, Any]) -> dict[str, tuple[str, bytes, str]]:
    """The body parts as httpx `files`: each a JSON file part named 'blob', as the API requires."""
    parts = {
        "query": query,
        "languages": ["en"],
        # Sorting by identifier keeps the totals stable between pages (REFERENCE drops rows).
        "sort": {"field": "identifier", "order": "ASC"},
    }
    return {
        name: ("blob", json.dumps(value).encode(), "application/json")
        for name, value in parts.items()
    }


async def collect(ctx: SourceContext) -> Collected:
    """EU Funding & Tenders Portal search API: open and forthcoming calls."""
    options: EuPortalOptions = ctx.options
    warnings: list[str] = []
    programmes = await _programmes(ctx, warnings, refresh=False)
    codes = _programme_codes(options.programmes, programmes)
    query = build_query(options.statuses, options.types, codes)
    rows: list[dict[str, Any]] = []
    status = None
    for page in range(1, MAX_PAGES + 1):
        params = {
            "apiKey": "SEDIA",
            "text": options.text,
            "pageSize": PAGE_SIZE,
            "pageNumber": page,
        }
        response = await ctx.request(
            "POST", options.url, params=params, files=multipart_body(query)
        )
        status = response.status
        total, results = page_results(_json(response, "search"))
        rows.extend(results)
        if not results or len(results) < PAGE_SIZE or page * PAGE_SIZE >= total:
            break
    unknown = {_code(r) for r in rows} - set(programmes) - {None}
    if unknown:
        # A programme we have no name for: the cached names are older than it. Ask once.
        programmes = await _programmes(ctx, warnings, refresh=True)
    items = items_from_results(rows, source=ctx.source_id, programmes=programmes, today=ctx.today)
    if options.details:
        items = await with_topic_details(ctx, items, options.details_url, warnings)
    return Collected(items=items, http_status=status, warnings=warnings)


async def _programmes(ctx: SourceContext, warnings: list[str], *, refresh: bool) -> dict[str, str]:
    """Programme code -> name, from the facet API, cached in the database for a week."""
    cached = ctx.cache.get(PROGRAMMES_CACHE)
    fresh = cached is not None and ctx.clock.now() - cached[1] < PROGRAMMES_MAX_AGE
    if cached is not None and fresh and not refresh:
        return dict(cached[0])
    options: EuPortalOptions = ctx.options
    body = multipart_body(build_query(("open", "forthcoming", "closed"), options.types, []))
    params = {"apiKey": "SEDIA", "text": "***"}
    try:
        response = await ctx.request("POST", options.facet_url, params=params, files=body)
        names = programme_names(_json(response, "facet"))
    except FetchError as exc:
        if cached is None:
            warnings.append(f"programme names unavailable ({exc}); identifiers' prefixes are used")
            return {}
        warnings.append(f"programme names could not be refreshed ({exc}); kept the stored ones")
        return dict(cached[0])
    merged = {**(cached[0] if cached else {}), **names}
    ctx.cache.put(PROGRAMMES_CACHE, merged, ctx.clock.now())
    return merged


def _programme_codes(abbreviations: tuple[str, ...], programmes: dict[str, str]) -> list[str]:
    if not abbreviations:
        return []
    by_abbreviation = {
        (programme_abbreviation(name) or "").upper(): code for code, name in programmes.items()
    }
    unknown = [a for a in abbreviations if a.upper() not in by_abbreviation]
    if unknown:
        known = (
            ", ".join(sorted(a for a in by_abbreviation if a)) or "none (the portal did not say)"
        )
        raise FetchError(f"unknown programme '{unknown[0]}' in 'programmes' (known: {known})")
    return [by_abbreviation[a.upper()] for a in abbreviations]


def _code(row: dict[str, Any]) -> str | None:
    values = (row.get("metadata") or {}).get("frameworkProgramme")
    return values[0] if isinstance(values, list) and values else None


def _json(response: Fetched, what: str) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        kind = response.content_type or "unknown type"
        raise FetchError(
            f"the portal's {what} answer is not JSON ({kind}); the API may have changed",
            status=response.status,
        ) from exc

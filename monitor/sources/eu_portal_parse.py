"""Pure parsing of the EU Funding & Tenders Portal search API (SEDIA) into Items.

The traps handled here are those in shared/fixtures/eu_portal/API-NOTES.md: every metadata value
is an array of strings; one topic can come back as several rows (translations, a legacy
SEDIA_PRD_CENTRICITY row with a dead .json link, empty stubs); cascade calls share their parent's
identifier; "open" topics can have deadlines that passed long ago; `actions` and `budgetOverview`
are JSON inside strings; descriptions are HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from monitor.calls import effective_status, next_deadline
from monitor.errors import FetchError
from monitor.models import CallStatus, Item
from monitor.sources.eu_portal_details import budget_overview, labels, types_of_action
from monitor.text import clean_text

STATUS_CODES: dict[str, CallStatus] = {
    "31094501": "forthcoming",
    "31094502": "open",
    "31094503": "closed",
}
# Keyed by str: the options read status names from sources.toml as text (checked as choices).
STATUS_BY_NAME: dict[str, str] = {name: code for code, name in STATUS_CODES.items()}
TYPE_CODES = {"grant": "1", "call_for_proposals": "2", "cascade": "8"}
TOPIC_PAGE = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/"
)
# The portal's calls close in Brussels time.
_BRUSSELS = ZoneInfo("Europe/Brussels")
_STATUS_RANK: dict[CallStatus, int] = {"open": 0, "forthcoming": 1, "closed": 2}
_ABBREVIATION = re.compile(r"\(([^()]+)\)\s*$")
_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def page_results(data: object) -> tuple[int, list[dict[str, Any]]]:
    """(totalResults, results) of one search page; a changed layout is a clear FetchError."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise FetchError("portalens svar har ingen 'results'-lista; formatet kan ha ändrats")
    total = data.get("totalResults")
    if not isinstance(total, int):
        raise FetchError("portalens svar har inget 'totalResults'; formatet kan ha ändrats")
    return total, [r for r in data["results"] if isinstance(r, dict)]


def programme_names(facet_data: object) -> dict[str, str]:
    """Facet API answer -> {programme code: human name}, e.g. '43252405' -> 'Programme for the
    Environment and Climate Action (LIFE)'."""
    names: dict[str, str] = {}
    facets = facet_data.get("facets") if isinstance(facet_data, dict) else None
    for facet in facets if isinstance(facets, list) else []:
        if not isinstance(facet, dict) or facet.get("name") != "frameworkProgramme":
            continue
        for value in facet.get("values") or []:
            if isinstance(value, dict) and value.get("rawValue") and value.get("value"):
                names[str(value["rawValue"])] = tidy_programme_name(str(value["value"]))
    if not names:
        raise FetchError("portalens facettsvar listar inga program; formatet kan ha ändrats")
    return names


def tidy_programme_name(raw: str) -> str:
    """'Erasmus  (ERASMUS )' -> 'Erasmus (ERASMUS)'; 'Coal %26 Steel' -> 'Coal & Steel'."""
    name = " ".join(unquote(raw).split())
    return re.sub(r"\(\s*([^()]*?)\s*\)", r"(\1)", name)


def programme_abbreviation(name: str) -> str | None:
    """'Horizon Europe (HORIZON)' -> 'HORIZON'; '... (H2020 - 2014-2020)' -> 'H2020'."""
    found = _ABBREVIATION.search(name)
    return found.group(1).split(" - ")[0].strip() if found else None


def items_from_results(
    rows: Iterable[Mapping[str, Any]],
    *,
    source: str,
    programmes: Mapping[str, str],
    today: date,
) -> list[Item]:
    """Search rows -> one Item per call, duplicates folded into the best row.

    A stale legacy row (not `DATASOURCE=SEDIA`) whose URL names no call number is a copy of the
    call a SEDIA row of the same identifier already gives; for a cascade call the copy would
    get another uid (no number to take from its URL), so it is dropped rather than ranked."""
    parsed = [
        (_is_sedia(row), row, item)
        for row in rows
        if (item := item_from_result(row, source=source, programmes=programmes, today=today))
    ]
    sedia = {item.identifier for is_sedia, _, item in parsed if is_sedia}
    best: dict[str, tuple[tuple, Item]] = {}
    for is_sedia, row, item in parsed:
        stale = not is_sedia and _call_number(item.url or "") is None
        if stale and item.identifier in sedia:
            continue
        rank = _row_rank(is_sedia, row, item)
        if item.uid not in best or rank > best[item.uid][0]:
            best[item.uid] = (rank, item)
    return [item for _, item in best.values()]


def item_from_result(
    row: Mapping[str, Any], *, source: str, programmes: Mapping[str, str], today: date
) -> Item | None:
    """One search row -> Item, or None for an empty stub row without identifier or title."""
    meta = _metadata(row)
    identifier = _first(meta, "identifier")
    title = clean_text(_first(meta, "title") or _str(row.get("summary")))
    if not identifier or not title:
        return None
    url = _str(row.get("url")) or _first(meta, "url")
    if not url or url.endswith(".json"):
        # Legacy rows link to topicDetails JSON files that are gone; the topic page lives on.
        url = TOPIC_PAGE + identifier
    actions = _json_values(meta.get("actions"))
    deadlines = _deadlines(meta, actions)
    reported = _reported_status(meta, actions)
    code = _first(meta, "frameworkProgramme")
    programme = programmes.get(code) if code else None
    budget = budget_overview(_json_values(meta.get("budgetOverview")), identifier)
    return Item(
        source=source,
        uid=_uid(identifier, _first(meta, "type"), url, _str(row.get("reference"))),
        kind="call",
        title=title,
        url=url,
        summary=clean_text(_first(meta, "descriptionByte") or _str(row.get("content"))),
        identifier=identifier,
        call_identifier=_first(meta, "callIdentifier"),
        call_title=clean_text(_first(meta, "callTitle")) or None,
        programme=programme or _identifier_prefix(identifier),
        programme_code=(programme_abbreviation(programme) if programme else None)
        or _identifier_prefix(identifier),
        status=effective_status(reported, deadlines, today),
        source_status=reported,
        opening_date=_opening(meta, actions),
        deadlines=deadlines,
        deadline=next_deadline(deadlines, today),
        budget=budget.total,
        keywords=_keywords(meta, identifier),
        language=_str(row.get("language")) or _first(meta, "language"),
        types_of_action=types_of_action(actions) or labels(_all(meta, "typesOfAction")),
        tags=labels(_all(meta, "tags")),
        cross_cutting_priorities=labels(_all(meta, "crossCuttingPriorities")),
        expected_grants=budget.expected_grants,
        min_contribution=budget.min_contribution,
        max_contribution=budget.max_contribution,
        deadline_model=budget.deadline_model or _first(meta, "deadlineModel"),
        deadline_times=_deadline_times(meta),
    )


def has_topic_details(item: Item) -> bool:
    """Whether the portal keeps topic details for the call: cascade calls have none (their
    uid is '<parent identifier>/<number>', see `_uid`)."""
    return item.identifier is not None and item.uid == item.identifier


def parse_date(value: object) -> date | None:
    """'2027-04-08T17:00:00.000+0000', '2027-04-08' or epoch milliseconds -> date.

    The search metadata writes Brussels wall-clock times with a +0000 label (the usual
    "17:00 Brussels time" deadline appears as T17:00:00.000+0000), so the date is taken as
    written. Epoch milliseconds are true instants and are read in Brussels time.
    """
    text = _str(value)
    if not text:
        return None
    if text.isdigit() and len(text) >= 11:
        try:
            return datetime.fromtimestamp(int(text) / 1000, UTC).astimezone(_BRUSSELS).date()
        except (OverflowError, OSError, ValueError):  # past year 9999: not a date
            return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _uid(identifier: str, type_code: str | None, url: str, reference: str | None) -> str:
    if type_code == TYPE_CODES["cascade"]:
        # Cascade calls reuse their parent project's identifier; the URL holds the call's number.
        tail = url.rstrip("/").rsplit("/", 1)[-1]
        return f"{identifier}/{_call_number(url) or reference or tail}"
    return identifier


def _metadata(row: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = row.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _call_number(url: str) -> str | None:
    """The call's number at the end of a URL (a cascade call's `competitive-calls-cs/<n>`)."""
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return tail if tail.isdigit() else None


def _is_sedia(row: Mapping[str, Any]) -> bool:
    return _first(_metadata(row), "DATASOURCE") == "SEDIA"


def _row_rank(is_sedia: bool, row: Mapping[str, Any], item: Item) -> tuple:
    return (
        is_sedia,
        (_str(row.get("language")) or "en") == "en",
        bool(item.deadlines),
        len(item.summary),
    )


def _reported_status(meta: Mapping[str, Any], actions: list[Any]) -> CallStatus | None:
    """The portal's own status: the actions' (per topic) before the metadata's; open wins."""
    found: list[CallStatus] = []
    for action in actions:
        status = action.get("status") if isinstance(action, dict) else None
        if isinstance(status, dict):
            name = STATUS_CODES.get(str(status.get("id")))
            if name:
                found.append(name)
    if not found:
        found = [STATUS_CODES[c] for c in _all(meta, "status") if c in STATUS_CODES]
    if not found:
        return None
    return min(found, key=_STATUS_RANK.__getitem__)


def _deadlines(meta: Mapping[str, Any], actions: list[Any]) -> tuple[date, ...]:
    values: list[object] = list(_all(meta, "deadlineDate"))
    for action in actions:
        if isinstance(action, dict) and isinstance(action.get("deadlineDates"), list):
            values.extend(action["deadlineDates"])
    return tuple(sorted({d for d in map(parse_date, values) if d is not None}))


_WALL_TIME_RE = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})")


def _deadline_times(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """'2027-04-08T17:00' for each search-metadata deadline with a time of day: the portal
    writes Brussels wall-clock times labelled +0000, and midnight means "no time given"."""
    found = set()
    for value in _all(meta, "deadlineDate"):
        match = _WALL_TIME_RE.match(value)
        if match and match.group(2) != "00:00":
            found.add(f"{match.group(1)}T{match.group(2)}")
    return tuple(sorted(found))


def _opening(meta: Mapping[str, Any], actions: list[Any]) -> date | None:
    opening = parse_date(_first(meta, "startDate"))
    if opening is None:
        planned = [parse_date(a.get("plannedOpeningDate")) for a in actions if isinstance(a, dict)]
        opening = min((d for d in planned if d), default=None)
    return opening


def _keywords(meta: Mapping[str, Any], identifier: str) -> tuple[str, ...]:
    words: list[str] = []
    for value in [*_all(meta, "keywords"), *_all(meta, "tags")]:
        # Seen in the wild: a single string holding a JSON array.
        if value.startswith("["):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                words.extend(str(p) for p in parsed)
                continue
        words.append(value)
    seen = {identifier.lower()}
    result = []
    for word in (w.strip() for w in words):
        if word and word.lower() not in seen:
            seen.add(word.lower())
            result.append(word)
    return tuple(result)


def _identifier_prefix(identifier: str) -> str | None:
    found = _PREFIX.match(identifier)
    return found.group(0).upper() if found else None


def _json_values(values: object) -> list[Any]:
    """JSON stored as strings in metadata arrays -> the decoded lists' elements."""
    decoded: list[Any] = []
    for value in values if isinstance(values, list) else [values]:
        if not isinstance(value, str) or not value.strip():
            continue
        try:
            parsed = json.loads(value)
        except ValueError:
            continue
        decoded.extend(parsed if isinstance(parsed, list) else [parsed])
    return decoded


def _all(meta: Mapping[str, Any], key: str) -> list[str]:
    value = meta.get(key)
    if value is None:  # a row lacks most of the eight keys asked for
        return []
    return [s for s in map(_str, value if isinstance(value, list) else (value,)) if s]


def _first(meta: Mapping[str, Any], key: str) -> str | None:
    # _all's first, without building the rest: a row is asked for some fifteen first values.
    value = meta.get(key)
    for candidate in value if isinstance(value, list) else (value,):
        text = _str(candidate)
        if text:
            return text
    return None


def _str(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None

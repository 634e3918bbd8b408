"""Topic details answers for the portal emulator, in the exact format of the real one.

`topic-details-raw.json` (tests/fixtures/eu_portal/) is a real `topicDetails/<id>.json` answer;
it is served as it is for its own identifier. For the recorded calls of open-calls/ the answer
is that same document with the call's own values put in (identifier, titles, programme and
divisions by name, status, types of action, dates as epoch-millisecond strings, tags, budget
overview) and the call's description as its `description`: every key, nesting and value type
stays the real one's.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from helpers import paths

REAL_TOPIC = paths.FIXTURES / "eu_portal" / "topic-details-raw.json"
_STATUS = {
    "31094501": ("Forthcoming", "Forthcoming"),
    "31094502": ("Open", "Open for submission"),
    "31094503": ("Closed", "Closed"),
}


@cache
def real_topic_details() -> dict[str, Any]:
    return json.loads(REAL_TOPIC.read_text(encoding="utf-8"))


@lru_cache(maxsize=1024)
def topic_details_body(row_json: str, facet_json: str) -> bytes:
    """The answer's bytes, built once per state of a row: tests run the 341 calls often."""
    answer = topic_details_of(json.loads(row_json), json.loads(facet_json))
    return json.dumps(answer, ensure_ascii=False, indent=2).encode()


def topic_details_of(row: dict[str, Any], facet: dict[str, Any]) -> dict[str, Any]:
    """The topicDetails answer for one search row of the emulator."""
    answer = copy.deepcopy(real_topic_details())
    topic = answer["TopicDetails"]
    meta = row["metadata"]
    names = _names_of(json.dumps(facet, sort_keys=True))
    identifier = _first(meta, "identifier")
    status = _first(meta, "status") or "31094502"
    programme = _first(meta, "frameworkProgramme") or ""
    programme_name = names.get(("frameworkProgramme", programme), "")
    topic.update(
        type=int(_first(meta, "type") or 1),
        ccm2Id=int(_first(meta, "ccm2Id") or 0),
        identifier=identifier,
        title=_first(meta, "title"),
        publicationDateLong=_epoch(_first(meta, "startDate")),
        callIdentifier=_first(meta, "callIdentifier"),
        callTitle=_first(meta, "callTitle"),
        callccm2Id=int(_first(meta, "callccm2Id") or 0),
        frameworkProgramme={
            "id": int(programme or 0),
            "abbreviation": _abbreviation(programme_name),
            "description": programme_name,
        },
        programmeDivision=[
            {"id": int(code), "abbreviation": name, "description": name}
            for code in meta.get("programmeDivision", [])
            if (name := names.get(("programmeDivision", code)))
        ],
        topicMGAs=[],
        keywords=list(meta.get("keywords", [])),
        tags=list(meta.get("tags", [])),
        actions=[
            {
                "status": {
                    "id": int(status),
                    "abbreviation": _STATUS[status][0],
                    "description": _STATUS[status][1],
                },
                "types": [
                    {"typeOfAction": kind, "typeOfMGA": []}
                    for kind in meta.get("typesOfAction", [])
                ],
                "plannedOpeningDate": str(_epoch(_first(meta, "startDate"))),
                "submissionProcedure": {},
                "deadlineDates": [str(_epoch(d)) for d in meta.get("deadlineDate", [])],
            }
        ],
        latestInfos=[],
        budgetOverviewJSONItem=_budget_overview(meta),
        description=_first(meta, "descriptionByte") or "",
        conditions=topic["conditions"].replace(
            "smp-cosme-2024-cluster", (_first(meta, "callIdentifier") or "").lower()
        ),
        links=[],
        callDetailsJSONItem={
            "latestInfos": [],
            "hasForthcomingTopics": status == "31094501",
            "hasOpenTopics": status == "31094502",
            "allClosedTopics": status == "31094503",
        },
    )
    return answer


def _budget_overview(meta: dict[str, Any]) -> dict[str, Any]:
    for value in meta.get("budgetOverview", []):
        overview = json.loads(value)
        return {
            "budgetTopicActionMap": overview.get("budgetTopicActionMap", {}),
            "budgetYearsColumns": overview.get("budgetYearsColumns", []),
        }
    return {"budgetTopicActionMap": {}, "budgetYearsColumns": []}


@cache
def _names_of(facet_text: str) -> dict[tuple[str, str], str]:
    return {
        (f["name"], v["rawValue"]): v["value"]
        for f in json.loads(facet_text)["facets"]
        for v in f["values"]
    }


def _abbreviation(name: str) -> str:
    return name.rsplit("(", 1)[-1].rstrip(") ") if "(" in name else name


def _epoch(value: str | None) -> int:
    if not value:
        return 0
    when = datetime.fromisoformat(value[:19]).replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def _first(meta: dict[str, Any], key: str) -> str | None:
    values = meta.get(key) or []
    return values[0] if values else None

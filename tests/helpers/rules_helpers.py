"""Test helpers for the rules: portal fixture rows -> the fields mapping the matcher reads.

`row_fields` stands in for the real portal parser until its output can be used here; it is the
one place that knows the search API's result shape, so swapping it is a one-function change.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from helpers import paths

FIXTURES = paths.FIXTURES
OPEN_CALLS = FIXTURES / "eu_portal" / "open-calls"
DEV_LABELS = FIXTURES / "eval" / "dev-labels.json"
SE_TEXT = FIXTURES / "se_text"
RULES_DIR = paths.ROOT / "rules"


def _first(metadata: dict[str, Any], key: str) -> str | None:
    values = metadata.get(key) or []
    text = " ".join(str(v) for v in values if v).strip()
    return text or None


@cache
def programme_names() -> dict[str, str]:
    """Facet code -> human name, e.g. '43252405' -> 'Programme for the Environment ... (LIFE)'."""
    facets = json.loads((OPEN_CALLS / "facet.json").read_text(encoding="utf-8"))["facets"]
    names = next(f for f in facets if f["name"] == "frameworkProgramme")["values"]
    return {v["rawValue"]: v["value"].replace("%26", "&").replace("%E2%80%93", "–") for v in names}


def row_fields(row: dict[str, Any]) -> dict[str, str | None]:
    """One search API result row as the matcher's fields mapping."""
    meta = row["metadata"]
    programme = programme_names().get(_first(meta, "frameworkProgramme") or "")
    code = None
    if programme and "(" in programme:
        code = programme.rsplit("(", 1)[1].split(")")[0].split(" - ")[0].strip() or None
    return {
        "identifier": _first(meta, "identifier"),
        "call_identifier": _first(meta, "callIdentifier"),
        "title": _first(meta, "title"),
        "call_title": _first(meta, "callTitle"),
        "summary": _first(meta, "descriptionByte"),
        "programme": programme,
        "programme_code": code,
        "keywords": _first(meta, "keywords"),
    }


@cache
def portal_rows() -> tuple[dict[str, Any], ...]:
    rows: list[dict[str, Any]] = []
    for page in sorted(OPEN_CALLS.glob("page-*.json")):
        rows.extend(json.loads(page.read_text(encoding="utf-8"))["results"])
    return tuple(rows)


def dev_items() -> dict[str, dict[str, str | None]]:
    """Identifier -> fields for every call of the open-calls fixture."""
    items = {}
    for row in portal_rows():
        fields = row_fields(row)
        items[fields["identifier"] or row["reference"]] = fields
    return items


def dev_labels() -> dict[str, dict[str, Any]]:
    return json.loads(DEV_LABELS.read_text(encoding="utf-8"))

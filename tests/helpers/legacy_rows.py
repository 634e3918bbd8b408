"""The portal's stale legacy duplicates, built in the exact shape of the real one.

The real search answer (fixtures/eu_portal/search-response-raw.json) holds a row from the
legacy `SEDIA_PRD_CENTRICITY` source: its `url` is a dead topicDetails `.json` link, its
reference is not the SEDIA row's and its status and deadlines are stale. `legacy_copy` turns
it into the stale copy of another (SEDIA) row, a cascade or competitive call included.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from helpers import paths

RAW = json.loads(
    (paths.FIXTURES / "eu_portal" / "search-response-raw.json").read_text(encoding="utf-8")
)
LEGACY = next(r for r in RAW["results"] if r["metadata"]["DATASOURCE"] != ["SEDIA"])
DATA = "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/"
CASCADE_PAGE = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "competitive-calls-cs"
)


def legacy_copy(row: dict[str, Any], url: str | None = None) -> dict[str, Any]:
    """The real legacy row made the stale copy of `row`: its identifier, title and type, the
    legacy row's own stale status, deadlines and reference, and `url` (the dead `.json` link
    of the identifier unless given)."""
    identifier = row["metadata"]["identifier"][0]
    legacy = copy.deepcopy(LEGACY)
    link = url or f"{DATA}{identifier}.json"
    legacy["url"] = link
    legacy["summary"] = row["metadata"]["title"][0]
    meta = legacy["metadata"]
    meta["identifier"] = [identifier]
    meta["title"] = list(row["metadata"]["title"])
    meta["type"] = list(row["metadata"]["type"])
    meta["url"] = [link]
    meta["callIdentifier"] = list(row["metadata"].get("callIdentifier", [identifier]))
    return legacy

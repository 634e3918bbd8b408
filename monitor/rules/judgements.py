"""The international group's judgements of calls as labels for `rules eval` and `rules train`.

Pure: the store's judgement rows (monitor/store/tracking.judgements, oldest first) in, labels
in the label files' format out (`{"relevant": bool, "areas": [...] | None, "why": ...}`),
keyed by the call's identifier (its item id when it has none), with the call's row.

- A förvaltning that applies (applying, submitted, granted or rejected) makes the call
  relevant whatever else was said: a kommun could use it.
- Otherwise the latest of the feedback without an area (relevant or not-relevant), a
  `relevant --area` feedback, and a `not-for-us` state decides. A call is not-for-us only as
  a unit's judgement of its own use; a later "relevant" from anyone outweighs it.
- `interested` and `not-relevant --area` say nothing of relevance. The areas are those given
  with `relevant --area` (a later `not-relevant --area` for the same area takes it back); with
  none given, `areas` is None: the areas were not judged and are not scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from monitor.tracking import APPLIED, NOT_FOR_US


def judged_labels(
    rows: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(key -> label, key -> the call's row) for every call the group judged."""
    labels: dict[str, dict[str, Any]] = {}
    items: dict[str, dict[str, Any]] = {}
    applied: set[str] = set()
    areas: dict[str, dict[str, bool]] = {}
    for row in rows:
        key = row["identifier"] or row["id"]
        items[key] = {k: v for k, v in row.items() if k not in _JUDGEMENT_COLUMNS}
        area, verdict, state = row["area"], row["verdict"], row["state"]
        if area is not None:
            areas.setdefault(key, {})[area] = verdict == "relevant"
        if state in APPLIED:
            applied.add(key)
            relevant: bool | None = True
            why = f"a förvaltning's state: {state}"
        elif state == NOT_FOR_US:
            relevant, why = False, "not-for-us"
        elif verdict == "relevant" or (verdict == "not-relevant" and area is None):
            relevant, why = verdict == "relevant", f"feedback: {verdict}"
        else:
            relevant = None  # interested, or an area judged wrong: nothing about relevance
        if relevant is None or (key in applied and not relevant):
            continue
        labels[key] = {"relevant": relevant, "why": why}
    for key, label in labels.items():
        chosen = [a for a, yes in areas.get(key, {}).items() if yes]
        label["areas"] = sorted(chosen) if chosen else None
    return labels, {key: items[key] for key in labels}


# What monitor/store/tracking.judgements adds to the item's columns.
_JUDGEMENT_COLUMNS = {"judged_by", "verdict", "area", "state", "judged_at"}

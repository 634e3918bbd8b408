"""The matcher answers exactly as it did when its verdicts were recorded (see
tests/helpers/recorded_verdicts.py): relevance, tier, learned score, areas with their scores and
phrases, the gate's outcome and parts, and the scorer's contributions, for the 341 portal calls
(as parsed and as stored), the held-out items and the Swedish pages. A speed-up of the matcher
must not move one of them."""

from __future__ import annotations

import json

from helpers.recorded_verdicts import RECORDED, RECORDED_RULES, as_record, recorded_items
from monitor.rules import load_rules

RECORDS = json.loads(RECORDED.read_text(encoding="utf-8"))["verdicts"]
ITEMS = recorded_items()


def _differing(verdict_of) -> list[str]:
    return [n for n, fields in ITEMS.items() if as_record(verdict_of(fields)) != RECORDS[n]]


def test_the_recorded_items_are_the_ones_checked():
    assert set(ITEMS) == set(RECORDS) and len(ITEMS) > 800
    tiers = {record["tier"] for record in RECORDS.values()}
    assert tiers == {"relevant", "maybe", "no"}  # every outcome is covered


def test_match_gives_the_recorded_verdicts():
    matcher = load_rules(RECORDED_RULES).compile()
    differing = _differing(matcher.match)
    assert not differing, f"{len(differing)} verdicts differ, e.g. {differing[:5]}"


def test_the_explain_path_gives_the_recorded_verdicts():
    matcher = load_rules(RECORDED_RULES).compile()
    differing = _differing(lambda fields: matcher.judge(matcher.scan(fields)))
    assert not differing, f"{len(differing)} verdicts differ, e.g. {differing[:5]}"

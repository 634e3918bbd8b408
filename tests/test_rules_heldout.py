"""The default rules on held-out items they were not tuned on (tests/data/rules_heldout.toml).

The dev calls (tests/test_rules_default.py) show how the rules do on items they were written
against; this set shows whether they generalise: other real-call shapes across programmes,
Swedish network news, and the look-alikes the digest must leave out (researcher-only and
company-only calls, job ads, grants already awarded, calls for non-EU actors or national
authorities only). Labels follow /work/shared/eval/RUBRIC.md.

Figures (relevance precision / recall, area micro-F1):

                                     part A (104)        part B (38)         all (142)
  rules before the rework            0.85 / 0.88 / 0.78  0.85 / 0.89 / 0.72  0.85 / 0.89 / 0.77
  reworked, part B measured once     0.98 / 1.00 / 0.89  0.89 / 0.89 / 0.76
  after fixing what part B showed    0.98 / 1.00 / 0.89  0.91 / 1.00 / 0.85  0.96 / 1.00 / 0.88

With part C (relevance P / R, area micro-F1):

                                   part A         part B         part C (25)    all (167)
  before the anchor ([requires])   .98/1.00/.89   .90/1.00/.85   .32/.78/.74    .83/.98/.87
  anchor, measured once            1.00/.98/.89   .95/1.00/.85   .88/.78/.74    .98/.97/.87
  + "söka upp till" (A's miss)     1.00/1.00/.89  .95/1.00/.85   .88/.78/.74    .98/.98/.87

Part A was written before the rules were reworked and the rework looked at it, so its figures
after the rework flatter the rules. Part B (ids "b-...") was written after, and its figures
"measured once" are the honest estimate of how the rules do on calls nobody has seen.
Part C (ids "c-...") holds domestic look-alikes (SKR reports, local budgets, waste and water
notices, school choice, state grants by formula) and relevant items whose EU or funding context
is worded less plainly; it was written before the gate's required anchor and measured once. Its
two misses are area gaps (summer activities for children, heatwaves), not the anchor; its false
alarm is general state grants ("statsbidrag" is a funding word, and nothing here says the grant
is not applied for).

The floors sit under what the rules reach, so that a change which loses generality fails here
while one item more or less does not.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from helpers.rules_helpers import RULES_DIR
from monitor.rules import evaluate, load_rules

HELDOUT = Path(__file__).parent / "data" / "rules_heldout.toml"
AREA_IDS = {
    "profilering",
    "omvarld",
    "kompetens",
    "utbildning",
    "klimat-miljo",
    "demokrati-inkludering",
    "valfard-halsa",
    "stad-digitalisering",
    "kultur",
    "partnerskap",
}
# The fields of an item the matcher reads; the rest (relevant, areas, why) is the label.
FIELDS = ("title", "summary", "programme", "programme_code", "identifier")

ITEMS = tomllib.loads(HELDOUT.read_text(encoding="utf-8"))["item"]
MATCHER = load_rules(RULES_DIR).compile()


def report():
    predictions = {
        item["id"]: MATCHER.match({key: item[key] for key in FIELDS if key in item})
        for item in ITEMS
    }
    return evaluate(
        predictions,
        {item["id"]: item for item in ITEMS},
        titles={item["id"]: item["title"] for item in ITEMS},
        area_ids=sorted(AREA_IDS),
    )


def test_the_heldout_set_is_well_formed():
    ids = [item["id"] for item in ITEMS]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len(ITEMS) >= 60
    relevant = [item for item in ITEMS if item["relevant"]]
    # both kinds well represented, so neither precision nor recall rests on a handful
    assert len(relevant) >= 25 and len(ITEMS) - len(relevant) >= 25
    for item in ITEMS:
        assert item["title"] and item["summary"] and item["why"], item["id"]
        assert set(item["areas"]) <= AREA_IDS, item["id"]
        if item["relevant"]:
            assert item["areas"], f"{item['id']}: a relevant item needs an area"


def test_default_rules_generalise_to_heldout_items():
    result = report()
    summary = (
        result.format()
        + "\n\nArea errors:\n"
        + "\n".join(f"  - {f.identifier}: {f.detail}" for f in result.area_errors)
    )
    print(summary)  # shown with -s, and on failure
    assert result.unmatched == 0, summary
    assert result.relevance.recall >= 0.90, summary
    assert result.relevance.precision >= 0.85, summary
    assert result.areas_micro.f1 >= 0.75, summary


def test_every_relevant_heldout_item_names_an_eu_or_funding_context():
    """The anchor must not cost recall: each relevant item has a phrase, a code or a call id."""
    unanchored = [
        item["id"]
        for item in ITEMS
        if item["relevant"]
        and MATCHER.match({key: item[key] for key in FIELDS if key in item}).gate.anchor_missing
    ]
    assert unanchored == []


def test_domestic_look_alikes_do_not_reach_the_digest():
    """Part C: domestic news full of municipal words; 1 of 16 got through when measured once."""
    look_alikes = [i for i in ITEMS if i["id"].startswith("c-") and not i["relevant"]]
    assert len(look_alikes) >= 15
    through = [
        item["id"]
        for item in look_alikes
        if MATCHER.match({key: item[key] for key in FIELDS if key in item}).relevant
    ]
    assert len(through) <= 2, through

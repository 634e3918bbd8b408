"""The learned scorer: features, tiers, its weights file, training and cross-validation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from helpers.rules_helpers import RULES_DIR
from monitor.errors import RuleError
from monitor.rules import load_rules
from monitor.rules.scorer import (
    MAYBE,
    NO,
    RELEVANT,
    Scorer,
    features,
    identifier_family,
    load_scorer,
    rules_tier,
)
from monitor.rules.train import Example, cross_validated_tiers, fit, folds, write_scorer
from monitor.rules.verdict import AreaMatch, GateResult, Verdict

CALL = {
    "title": "Climate adaptation for municipalities",
    "summary": "Local authorities pilot nature-based solutions.",
    "programme_code": "HORIZON",
    "identifier": "HORIZON-MISS-2026-CLIMA-01-02",
    "type_of_action": "HORIZON  Innovation Actions",
}


def verdict(parts: dict[str, float], areas=(("klimat-miljo", 6.0),), **gate) -> Verdict:
    return Verdict(
        relevant=False,
        gate=GateResult(passed=True, score=sum(parts.values()), threshold=2, parts=parts, **gate),
        areas=[AreaMatch(area, score) for area, score in areas],
    )


def test_features_read_the_gate_parts_the_best_area_and_the_metadata():
    found = features(verdict({"can_apply": 3.0, "research_only": 12.0}), CALL)
    assert found["gate: can apply"] == 0.75
    assert found["gate: research or industry only"] == 2.0  # capped at 8 points
    assert found["area: best score"] == 1.0
    assert found["programme HORIZON"] == 1.0
    assert found["family HORIZON-MISS"] == 1.0
    assert found["action HORIZON Innovation Actions"] == 1.0  # spaces as the portal writes them


@pytest.mark.parametrize(
    ("identifier", "family"),
    [
        ("HORIZON-MISS-2026-CIT-01-01", "HORIZON-MISS"),
        ("LIFE-2026-SAP-CLIMA-CCA", "LIFE-SAP"),
        ("CERV-2026-CITIZENS-TOWN-TT", "CERV-CITIZENS"),
        ("EuropeAid/186002/DD/ACT/MA", None),
        (None, None),
    ],
)
def test_identifier_family(identifier, family):
    assert identifier_family(identifier) == family


SCORER = Scorer(
    intercept=-1.0,
    weights={"gate: can apply": 2.0, "family HORIZON-MISS": 1.0, "programme HORIZON": -0.5},
    relevant_at=0.6,
    maybe_at=0.2,
)


def test_score_is_a_probability_with_its_contributions_strongest_first():
    scored = SCORER.score(verdict({"can_apply": 4.0}), CALL)
    # logit = -1 + 2 * 1 + 1 - 0.5 = 1.5
    assert scored.score == pytest.approx(0.8176, abs=1e-4)
    assert scored.tier == RELEVANT
    assert [name for name, _ in scored.contributions] == [
        "gate: can apply",
        "family HORIZON-MISS",
        "programme HORIZON",
    ]


def test_tiers_follow_the_thresholds():
    low = SCORER.score(verdict({"can_apply": 0.0}), CALL)  # logit -0.5: 0.38
    assert low.tier == MAYBE
    lower = SCORER.score(verdict({"can_apply": 0.0}), {**CALL, "identifier": "HORIZON-CL4-X"})
    assert lower.tier == NO  # logit -1.5: 0.18


def test_a_call_without_an_area_is_at_most_maybe():
    assert SCORER.score(verdict({"can_apply": 4.0}, areas=()), CALL).tier == MAYBE


def test_ruled_out_or_without_context_is_no_whatever_the_score():
    ruled_out = verdict({"can_apply": 8.0}, excluded_by=["programme EDF"])
    assert SCORER.score(ruled_out, CALL).tier == NO


def test_items_without_programme_metadata_take_the_rules_tier():
    news = {"summary": "Kommunen kan söka EU-medel"}
    passed = verdict({"can_apply": 8.0})
    assert SCORER.score(passed, news).tier == rules_tier(passed) == RELEVANT
    no_area = verdict({"can_apply": 8.0}, areas=())
    assert SCORER.score(no_area, news).tier == MAYBE


def test_the_weights_file_round_trips(tmp_path: Path):
    path = tmp_path / "_scorer.toml"
    write_scorer(replace(SCORER, trained_on='dev "train": 3 calls'), path)
    loaded = load_scorer(path)
    assert loaded.weights == SCORER.weights
    assert (loaded.intercept, loaded.relevant_at, loaded.maybe_at) == (-1.0, 0.6, 0.2)
    assert loaded.trained_on == 'dev "train": 3 calls'
    # strongest first, so a reader sees what matters at the top
    assert path.read_text(encoding="utf-8").index("can apply") < path.read_text().index("MISS")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("intercept = 0\nrelevant_at = 0.6\nmaybe_at = 0.2\ncolour = 1\n", "unknown key", 4),
        ("intercept = 0\nrelevant_at = 0.6\nmaybe_at = 0.7\n", "must not be above", 3),
        ("intercept = 0\nrelevant_at = 1.5\nmaybe_at = 0.2\n", "between 0 and 1", 2),
        (
            'intercept = 0\nrelevant_at = 0.6\nmaybe_at = 0.2\n[weights]\n"x" = "high"\n',
            "must be a number",
            5,
        ),
        ("relevant_at = 0.6\nmaybe_at = 0.2\n", "must be a number", None),
    ],
)
def test_a_broken_weights_file_names_the_file_line_and_key(tmp_path, text, message, line):
    path = tmp_path / "_scorer.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match=message) as raised:
        load_scorer(path)
    assert raised.value.line == line
    assert "_scorer.toml" in str(raised.value)


def test_the_rules_folder_loads_its_scorer_and_refuses_other_special_files(tmp_path: Path):
    for path in RULES_DIR.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert load_rules(tmp_path).scorer is not None
    (tmp_path / "_extra.toml").write_text("", encoding="utf-8")
    with pytest.raises(RuleError, match=r"only _gate\.toml and _scorer\.toml"):
        load_rules(tmp_path)


def examples(n: int = 40) -> list[Example]:
    """Relevant items say who can apply; the others say research only, with some noise."""
    out = []
    for i in range(n):
        relevant = i % 3 == 0
        noisy = i % 7 == 0
        parts = {"can_apply": 4.0} if relevant != noisy else {"research_only": 4.0}
        fields = {**CALL, "identifier": f"HORIZON-CL{i % 4}-2026-{i:02d}"}
        out.append(Example(f"call-{i}", verdict(parts), fields, relevant))
    return out


def test_fit_learns_that_who_can_apply_matters():
    scorer = fit(examples(), trained_on="synthetic")
    assert scorer.weights["gate: can apply"] > 0 > scorer.weights["gate: research or industry only"]
    applicant = scorer.score(verdict({"can_apply": 4.0}), CALL)
    researcher = scorer.score(verdict({"research_only": 4.0}), CALL)
    assert applicant.score > 0.6 > researcher.score


def test_fit_gives_no_weight_to_a_metadata_feature_seen_once():
    items = examples()
    items.append(replace(items[0], fields={**CALL, "identifier": "RARE-2026-ONCE"}))
    assert "family RARE-ONCE" not in fit(items).weights


def test_fit_needs_both_kinds():
    from monitor.errors import MonitorError

    with pytest.raises(MonitorError, match="both kinds"):
        fit([e for e in examples() if e.relevant])


def test_folds_are_stratified_and_cover_every_item_once():
    items = examples(50)
    parts = folds(items, 5, seed=1)
    assert sorted(i for part in parts for i in part) == list(range(50))
    relevant_per_fold = [sum(items[i].relevant for i in part) for part in parts]
    assert max(relevant_per_fold) - min(relevant_per_fold) <= 1


def test_cross_validation_scores_each_item_without_it():
    rounds = cross_validated_tiers(examples(), k=5, repeats=2)
    assert len(rounds) == 2 and all(len(r) == 40 for r in rounds)
    assert set(rounds[0].values()) <= {RELEVANT, MAYBE, NO}
    # the synthetic signal is learnable: most relevant items stay relevant out of fold
    items = {e.identifier: e for e in examples()}
    hits = sum(items[i].relevant and t == RELEVANT for i, t in rounds[0].items())
    assert hits >= 10

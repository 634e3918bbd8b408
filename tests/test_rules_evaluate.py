"""evaluate(): relevance and area precision/recall/F1 from verdicts and labels."""

from __future__ import annotations

import pytest

from monitor.rules import AreaMatch, GateResult, Verdict, evaluate


def verdict(relevant: bool, *areas: str) -> Verdict:
    gate = GateResult(passed=relevant, score=3.0 if relevant else 0.0, threshold=2.0)
    return Verdict(relevant, gate, [AreaMatch(a, 5.0, [a]) for a in areas])


LABELS = {
    "A": {"relevant": True, "areas": ["kultur", "utbildning"], "why": "culture in schools"},
    "B": {"relevant": True, "areas": ["klimat-miljo"], "why": "LIFE adaptation"},
    "C": {"relevant": False, "areas": ["klimat-miljo"], "why": "industrial research"},
    "D": {"relevant": False, "areas": [], "why": "defence"},
    "E": {"relevant": True, "areas": ["valfard-halsa"], "why": "elderly care"},
}
PREDICTIONS = {
    "A": verdict(True, "kultur"),  # relevance hit; one area of two
    "B": verdict(False, "klimat-miljo"),  # relevance miss; area still right
    "C": verdict(True, "klimat-miljo"),  # false alarm; areas not judged on irrelevant items
    "D": verdict(False),
    # E has no verdict: counts as a miss
    "Z": verdict(True, "kultur"),  # not labelled: ignored
}


@pytest.fixture
def report():
    return evaluate(PREDICTIONS, LABELS, titles={"A": "Kultur i skolan", "C": "Batteries"})


def test_relevance_scores(report):
    rel = report.relevance
    assert (rel.tp, rel.fp, rel.fn) == (1, 1, 2)
    assert rel.precision == pytest.approx(0.5)
    assert rel.recall == pytest.approx(1 / 3)
    assert rel.f1 == pytest.approx(0.4)
    assert report.labelled == 5 and report.unmatched == 1


def test_area_scores_are_micro_averaged_over_relevant_items(report):
    # pairs on A, B, E: gold {A-kultur, A-utbildning, B-klimat, E-valfard}; got {A-kultur, B-klimat}
    micro = report.areas_micro
    assert (micro.tp, micro.fp, micro.fn) == (2, 0, 2)
    assert micro.precision == 1.0 and micro.recall == 0.5
    assert micro.f1 == pytest.approx(2 / 3)
    assert report.per_area["utbildning"].recall == 0.0
    assert report.per_area["kultur"].f1 == 1.0


def test_misses_and_false_alarms_carry_title_and_why(report):
    assert [(f.identifier, f.why) for f in report.misses] == [
        ("B", "LIFE adaptation"),
        ("E", "elderly care"),
    ]
    assert report.misses[1].detail == "no verdict (item not found)"
    assert [(f.identifier, f.title) for f in report.false_alarms] == [("C", "Batteries")]
    assert "gate passed" in report.false_alarms[0].detail


def test_format_shows_figures_and_lists(report):
    text = report.format()
    assert "Main list          precision 0.50  recall 0.33  F1 0.40" in text
    assert "Areas (micro)      precision 1.00  recall 0.50  F1 0.67" in text
    assert "1 without a verdict" in text
    assert "Misses (labelled relevant, not in the digest): 2" in text
    assert "  - C Batteries" in text
    assert "label: industrial research" in text


def test_area_ids_list_areas_without_pairs():
    report = evaluate({}, {}, area_ids=["omvarld"])
    assert report.per_area["omvarld"].f1 == 0.0
    assert report.relevance.precision == 0.0 and report.relevance.recall == 0.0


def test_pooled_reports_add_up_their_counts():
    from monitor.rules.evaluate import EvalReport, Scores, pooled

    one = EvalReport(Scores(2, 1, 0), Scores(2, 0, 1), {}, labelled=5, shown=4)
    two = EvalReport(Scores(1, 0, 1), Scores(1, 1, 0), {}, labelled=5, shown=2)
    both = pooled([one, two])
    assert both.relevance == Scores(3, 1, 1)
    assert both.relevance.precision == 0.75
    assert both.areas_micro == Scores(3, 1, 1)
    assert both.shown_share == 0.6

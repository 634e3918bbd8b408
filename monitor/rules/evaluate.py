"""Measure rules against labelled items (the format of `../shared/eval/dev-labels.json`).

Pure: it takes verdicts and labels and returns numbers; finding the items is the caller's job.

- Digest relevance: precision/recall/F1 of `verdict.relevant` against `label["relevant"]`.
- Areas: judged on the items *labelled* relevant only, the ones that reach the digest and whose
  area decides the thread they are posted in. Each (identifier, area) pair is one decision;
  micro-F1 pools the pairs of all areas, and per-area figures count that area's pairs. The
  predicted areas are `verdict.areas` whatever the gate said, so a gate miss does not count
  twice (it is already a relevance miss).
- A labelled item with no verdict counts as predicted not relevant with no areas.
- A label whose `areas` is None (the group's feedback without an area) is scored on relevance
  only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from monitor.rules.verdict import Verdict


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Finding:
    """A miss or a false alarm, with what the labeller said about it."""

    identifier: str
    title: str
    why: str
    detail: str = ""


@dataclass(frozen=True)
class EvalReport:
    relevance: Scores
    areas_micro: Scores
    per_area: dict[str, Scores]
    misses: list[Finding] = field(default_factory=list)
    false_alarms: list[Finding] = field(default_factory=list)
    area_errors: list[Finding] = field(default_factory=list)
    labelled: int = 0
    unmatched: int = 0  # labelled items without a verdict
    with_maybe: Scores = Scores(0, 0, 0)  # the main list and "Kanske också" together
    shown: int = 0  # items in either list

    @property
    def shown_share(self) -> float:
        return self.shown / self.labelled if self.labelled else 0.0

    def figures(self) -> str:
        """The headline figures on one block: main tier, main + maybe, areas."""
        rel, both, micro = self.relevance, self.with_maybe, self.areas_micro
        return "\n".join(
            [
                f"Main list          precision {rel.precision:.2f}  recall {rel.recall:.2f}"
                f"  F1 {rel.f1:.2f}   (tp {rel.tp}, fp {rel.fp}, fn {rel.fn})",
                f"Main + maybe       precision {both.precision:.2f}  recall {both.recall:.2f}"
                f"  F1 {both.f1:.2f}   showing {self.shown_share:.0%} of the items",
                f"Areas (micro)      precision {micro.precision:.2f}  recall {micro.recall:.2f}"
                f"  F1 {micro.f1:.2f}   (on items labelled relevant)",
            ]
        )

    def format(self) -> str:
        rel = self.relevance
        lines = [
            f"{self.labelled} labelled items, {rel.tp + rel.fn} relevant"
            + (f", {self.unmatched} without a verdict" if self.unmatched else ""),
            "",
            self.figures(),
            "",
            f"  {'area':<22} {'P':>5} {'R':>5} {'F1':>5} {'tp':>4} {'fp':>4} {'fn':>4}",
        ]
        for area, s in self.per_area.items():
            lines.append(
                f"  {area:<22} {s.precision:5.2f} {s.recall:5.2f} {s.f1:5.2f}"
                f" {s.tp:4d} {s.fp:4d} {s.fn:4d}"
            )
        for heading, findings in (
            ("Misses (labelled relevant, not in the digest)", self.misses),
            ("False alarms (in the digest, labelled not relevant)", self.false_alarms),
        ):
            lines += ["", f"{heading}: {len(findings)}"]
            for f in findings:
                title = f" {f.title}" if f.title else ""
                lines.append(f"  - {f.identifier}{title}")
                lines.append(
                    f"      label: {f.why}" + (f" | rules: {f.detail}" if f.detail else "")
                )
        return "\n".join(lines)


def evaluate(
    predictions: Mapping[str, Verdict],
    labels: Mapping[str, Mapping],
    *,
    titles: Mapping[str, str] | None = None,
    area_ids: list[str] | None = None,
) -> EvalReport:
    """Score `predictions` (identifier -> Verdict) against `labels` (identifier -> label)."""
    titles = titles or {}
    rel = {"tp": 0, "fp": 0, "fn": 0}
    both = {"tp": 0, "fp": 0, "fn": 0}
    shown = 0
    pair_counts: dict[str, dict[str, int]] = {}
    misses: list[Finding] = []
    alarms: list[Finding] = []
    area_errors: list[Finding] = []
    unmatched = 0

    def count(area: str, kind: str) -> None:
        pair_counts.setdefault(area, {"tp": 0, "fp": 0, "fn": 0})[kind] += 1

    for area in area_ids or []:
        pair_counts.setdefault(area, {"tp": 0, "fp": 0, "fn": 0})
    for identifier, label in labels.items():
        verdict = predictions.get(identifier)
        if verdict is None:
            unmatched += 1
        gold = bool(label.get("relevant"))
        predicted = bool(verdict and verdict.relevant)
        listed = bool(verdict and (verdict.relevant or verdict.tier == "maybe"))
        shown += listed
        if listed or gold:
            both["tp" if listed and gold else "fp" if listed else "fn"] += 1
        why = str(label.get("why", ""))
        title = titles.get(identifier, "")
        if gold and predicted:
            rel["tp"] += 1
        elif predicted:
            rel["fp"] += 1
            alarms.append(Finding(identifier, title, why, _detail(verdict)))
        elif gold:
            rel["fn"] += 1
            misses.append(Finding(identifier, title, why, _detail(verdict)))
        if not gold or label.get("areas", []) is None:  # None: the areas were not judged
            continue
        gold_areas = set(label.get("areas") or [])
        got = set(verdict.area_ids) if verdict else set()
        for area in gold_areas & got:
            count(area, "tp")
        for area in got - gold_areas:
            count(area, "fp")
        for area in gold_areas - got:
            count(area, "fn")
        if gold_areas != got:
            detail = f"labelled {sorted(gold_areas)}, rules {sorted(got)}"
            area_errors.append(Finding(identifier, title, why, detail))
    per_area = {a: Scores(**c) for a, c in sorted(pair_counts.items())}
    micro = Scores(
        tp=sum(s.tp for s in per_area.values()),
        fp=sum(s.fp for s in per_area.values()),
        fn=sum(s.fn for s in per_area.values()),
    )
    return EvalReport(
        relevance=Scores(**rel),
        areas_micro=micro,
        per_area=per_area,
        misses=misses,
        false_alarms=alarms,
        area_errors=area_errors,
        labelled=len(labels),
        unmatched=unmatched,
        with_maybe=Scores(**both),
        shown=shown,
    )


def _detail(verdict: Verdict | None) -> str:
    if verdict is None:
        return "no verdict (item not found)"
    gate = verdict.gate
    parts = [f"gate {'passed' if gate.passed else 'failed'} {gate.score:g}"]
    if gate.excluded_by:
        parts.append("excluded by " + ", ".join(gate.excluded_by))
    parts.append("areas " + (", ".join(verdict.area_ids) or "none"))
    return "; ".join(parts)


def pooled(reports: list[EvalReport]) -> EvalReport:
    """The headline counts of several reports added up (the repeats of a cross-validation):
    precision and recall over every decision of every repeat."""
    return EvalReport(
        relevance=sum((r.relevance for r in reports), Scores(0, 0, 0)),
        areas_micro=sum((r.areas_micro for r in reports), Scores(0, 0, 0)),
        per_area={},
        labelled=sum(r.labelled for r in reports),
        with_maybe=sum((r.with_maybe for r in reports), Scores(0, 0, 0)),
        shown=sum(r.shown for r in reports),
    )

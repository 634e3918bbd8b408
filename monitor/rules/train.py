"""Fit the scorer's weights on labelled items, and cross-validate it.

scikit-learn is needed here only (the `learn` extra): running the scorer is plain arithmetic on
the weights in `_scorer.toml`. The model is an L2-regularised logistic regression with balanced
class weights: few features (the gate's parts, the best area, programme, identifier family and
type of action), so every weight can be read and cited. A metadata feature seen on fewer than
`min_count` training items gets no weight at all: a sparse family moves nothing rather than
everything.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import MonitorError
from monitor.rules.scorer import Scorer, features
from monitor.rules.verdict import Verdict

DEFAULT_RELEVANT_AT = 0.6
DEFAULT_MAYBE_AT = 0.15
DEFAULT_C = 1.0


@dataclass(frozen=True)
class Example:
    """One labelled item as the scorer sees it: the rules' verdict (no scorer) and its fields."""

    identifier: str
    verdict: Verdict
    fields: Mapping[str, str | None]
    relevant: bool


def _sklearn():
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # an optional extra: say how to get it
        raise MonitorError(
            "training needs scikit-learn: pip install 'eu-bevakning[learn]'"
        ) from exc
    return LogisticRegression


def fit(
    examples: Sequence[Example],
    *,
    c: float = DEFAULT_C,
    min_count: int = 2,
    relevant_at: float = DEFAULT_RELEVANT_AT,
    maybe_at: float = DEFAULT_MAYBE_AT,
    trained_on: str = "",
) -> Scorer:
    """The scorer that best separates the relevant examples from the rest."""
    if not any(e.relevant for e in examples) or all(e.relevant for e in examples):
        raise MonitorError("training needs labelled items of both kinds, relevant and not")
    rows = [features(e.verdict, e.fields) for e in examples]
    seen = Counter(name for row in rows for name in row)
    # Metadata features (`programme X`, `family X`, `action X`) need `min_count` items.
    names = sorted(n for n in seen if ":" in n or seen[n] >= min_count)
    matrix = [[row.get(name, 0.0) for name in names] for row in rows]
    model = _sklearn()(C=c, class_weight="balanced", max_iter=5000)
    model.fit(matrix, [int(e.relevant) for e in examples])
    weights = {
        name: round(float(w), 4)
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) >= 0.0001
    }
    return Scorer(
        intercept=round(float(model.intercept_[0]), 4),
        weights=weights,
        relevant_at=relevant_at,
        maybe_at=maybe_at,
        trained_on=trained_on,
    )


def folds(examples: Sequence[Example], k: int, seed: int) -> list[list[int]]:
    """k folds with the relevant and the other items spread evenly (stratified), shuffled."""
    rng = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    for wanted in (True, False):
        indexes = [i for i, e in enumerate(examples) if e.relevant is wanted]
        rng.shuffle(indexes)
        for position, index in enumerate(indexes):
            out[position % k].append(index)
    return out


def cross_validated_tiers(
    examples: Sequence[Example], *, k: int = 5, repeats: int = 3, **fit_options
) -> list[dict[str, str]]:
    """For each repeat, identifier -> tier, each item scored by a scorer fitted without it."""
    if len(examples) < 2 * k:
        raise MonitorError(f"cross-validation needs at least {2 * k} labelled items")
    rounds = []
    for repeat in range(repeats):
        tiers: dict[str, str] = {}
        for held in folds(examples, k, seed=repeat):
            held_set = set(held)
            scorer = fit([e for i, e in enumerate(examples) if i not in held_set], **fit_options)
            for i in held:
                e = examples[i]
                tiers[e.identifier] = scorer.score(e.verdict, e.fields).tier
        rounds.append(tiers)
    return rounds


def write_scorer(scorer: Scorer, path: Path) -> None:
    """`_scorer.toml`: readable, one feature a line, strongest first, with what it came from."""
    lines = [
        '# The learned part of relevance (see rules/README.md, "The scorer").',
        "# Written by `monitor rules train`; retrain rather than edit by hand. Each weight is what",
        "# a feature adds to the score's log-odds: the gate's parts count per point / 4, the best",
        "# area per point / 6; programme, family (identifier's first parts) and action once.",
        f"trained_on = {json.dumps(scorer.trained_on, ensure_ascii=False)}",
        f"relevant_at = {scorer.relevant_at:g}   # score for the digest's main list",
        f'maybe_at = {scorer.maybe_at:g}      # score for "Kanske också"',
        f"intercept = {scorer.intercept:g}",
        "",
        "[weights]",
    ]
    for name, weight in sorted(scorer.weights.items(), key=lambda w: (-abs(w[1]), w[0])):
        lines.append(f"{json.dumps(name, ensure_ascii=False)} = {weight:g}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

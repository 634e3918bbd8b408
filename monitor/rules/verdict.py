"""What matching says about one item: the gate outcome and the areas it belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class AreaMatch:
    """An area the item matched above its threshold, with the phrases that got it there.

    `phrases` are the words as found in the item (lower-cased), strongest first; a programme
    signal appears as `programme LIFE`.
    """

    area: str
    score: float
    phrases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GateResult:
    """Whether a municipality can take part: signals for, against, vetoes, and the anchor.

    `anchor` is what shows an EU or funding context (`[requires]` in the gate file): a phrase
    as found, `programme LIFE` or `call CERV-2026-...`. When the gate requires one and none was
    found, `anchor_missing` is True and the item does not pass, whatever its score.
    """

    passed: bool
    score: float
    threshold: float
    phrases: list[str] = field(default_factory=list)  # signals that a municipality can apply
    against: list[str] = field(default_factory=list)  # research/industry-only signals
    excluded_by: list[str] = field(default_factory=list)  # vetoes: phrases or programmes
    anchor: str | None = None
    anchor_missing: bool = False
    # The score's parts by gate table (`can_apply`, `serves_municipal`, `research_only`,
    # `not_a_call`, `programme`): what the learned scorer reads.
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def reasons(self) -> list[str]:
        """Every signal that moved the gate, as `+phrase`, `-phrase` or `excluded: ...`."""
        return (
            [f"+{p}" for p in self.phrases]
            + [f"-{p}" for p in self.against]
            + [f"excluded: {p}" for p in self.excluded_by]
            + (["missing: no EU or funding context found"] if self.anchor_missing else [])
        )


@dataclass(frozen=True)
class Verdict:
    """Digest relevance: the rules' gate and areas, ranked into a tier by the learned scorer.

    Without a scorer, relevant = the gate passed AND at least one area matched.

    `areas` lists the areas above their threshold whatever the gate said, best first, so that
    theme matching can be judged apart from relevance.
    """

    relevant: bool  # the main tier: in the digest's main list
    gate: GateResult
    areas: list[AreaMatch] = field(default_factory=list)
    tier: str = ""  # relevant, maybe or no (see rules/scorer.py)
    score: float | None = None  # the learned score, 0..1; None without a trained scorer
    # (feature, contribution to the score's logit), strongest first: what `explain` cites
    contributions: tuple[tuple[str, float], ...] = ()

    @property
    def best_area(self) -> str | None:
        return self.areas[0].area if self.areas else None

    @property
    def area_ids(self) -> list[str]:
        return [match.area for match in self.areas]


def built(cls: type[T], **values: Any) -> T:
    """`cls(**values)` for the frozen classes above, every field given, without the frozen
    `__init__`: its `object.__setattr__` per field is most of the cost of making one, and the
    matcher makes five or more per item. Equal to `cls(**values)` in every way (a field left
    out would be missing: tests/test_rules_recorded.py reads every field of every verdict)."""
    made = object.__new__(cls)
    made.__dict__.update(values)
    return made

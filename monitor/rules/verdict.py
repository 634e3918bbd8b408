"""What matching says about one item: the gate outcome and the areas it belongs to.

The matcher makes one verdict per item (`monitor rules reapply`: one for every stored item), so
they are slotted (one object each for the garbage collector, no instance dict), made without
the frozen `__init__` (`make_verdict`, `make_gate`, `make_area`), and what only `rules explain`,
`show` and the tests read (the gate's phrase lists, vetoes and parts, the scorer's
contributions) is kept raw, one flat tuple each that the collector soon stops tracking, and
made into its field on first read (`_Later`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from monitor.rules.scan import GATE_PARTS

_set = object.__setattr__
_new = object.__new__


class _Later:
    """Fields made from a raw slot on first read, then kept like any other field.

    `__getattr__` is only asked for what the instance lacks: a field given to `__init__` or
    already made never comes here. Equality, `repr`, pickling and `dataclasses.asdict` read the
    fields by name, so they see the made value.
    """

    __slots__ = ()
    # field -> (the slot holding its raw form, what makes the field from it)
    _LATER: ClassVar[Mapping[str, tuple[str, Callable[[Any], Any]]]] = {}

    def __getattr__(self, name: str) -> Any:
        later = self._LATER.get(name)
        if later is not None:
            slot, make = later
            try:
                raw = object.__getattribute__(self, slot)
            except AttributeError:
                pass
            else:
                value = make(raw)
                _set(self, name, value)
                object.__delattr__(self, slot)
                return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def by_weight(weighted: Sequence[float | str]) -> list[str]:
    """The texts of flat (weight, text, weight, text, ...), strongest (largest absolute weight)
    first, ties alphabetically, each once."""
    if len(weighted) < 4:
        return [cast(str, weighted[1])] if weighted else []
    pairs = cast("Iterable[tuple[float, str]]", zip(weighted[::2], weighted[1::2], strict=True))
    ranked = sorted([(-abs(weight), text) for weight, text in pairs])
    return list(dict.fromkeys([text for _, text in ranked]))


def strongest_first(contributions: Sequence[str | float]) -> tuple[tuple[str, float], ...]:
    """(feature, contribution) pairs from flat (feature, contribution, ...), strongest first,
    then by name (names are unique)."""
    flat = contributions
    pairs = cast("Iterable[tuple[str, float]]", zip(flat[::2], flat[1::2], strict=True))
    ranked = sorted([(-abs(value), name, value) for name, value in pairs])
    return tuple([(name, value) for _, name, value in ranked])


# The gate's parts, in the order `make_gate` takes them raw.
PART_NAMES = GATE_PARTS


def _parts(raw: tuple[float, ...]) -> dict[str, float]:
    return dict(zip(PART_NAMES, raw, strict=True))


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """An area the item matched above its threshold, with the phrases that got it there.

    `phrases` are the words as found in the item (lower-cased), strongest first; a programme
    signal appears as `programme LIFE`.
    """

    area: str
    score: float
    phrases: list[str] = field(default_factory=list)


class _GateRaw(_Later):
    __slots__ = ("_raw_against", "_raw_excluded_by", "_raw_parts", "_raw_phrases")
    _LATER: ClassVar[Mapping[str, tuple[str, Callable[[Any], Any]]]] = {
        "phrases": ("_raw_phrases", by_weight),
        "against": ("_raw_against", by_weight),
        "excluded_by": ("_raw_excluded_by", list),
        "parts": ("_raw_parts", _parts),
    }


@dataclass(frozen=True, slots=True)
class GateResult(_GateRaw):
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


class _VerdictRaw(_Later):
    __slots__ = ("_raw_contributions",)
    _LATER: ClassVar[Mapping[str, tuple[str, Callable[[Any], Any]]]] = {
        "contributions": ("_raw_contributions", strongest_first)
    }


@dataclass(frozen=True, slots=True)
class Verdict(_VerdictRaw):
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


# The matcher's makers: equal to the classes' own `__init__` in every way (every field is set,
# tests/test_rules_recorded.py reads each of them), without its call and keyword handling, which
# is most of the cost of a verdict.


def make_area(area: str, score: float, phrases: list[str]) -> AreaMatch:
    made = _new(AreaMatch)
    _set(made, "area", area)
    _set(made, "score", score)
    _set(made, "phrases", phrases)
    return made


def make_gate(
    passed: bool,
    score: float,
    threshold: float,
    phrases: tuple[float | str, ...],
    against: tuple[float | str, ...],
    excluded_by: tuple[str, ...],
    anchor: str | None,
    anchor_missing: bool,
    parts: tuple[float, ...],
) -> GateResult:
    """A gate whose phrase lists are flat (weight, words, weight, words, ...), its vetoes a tuple
    and its parts in the order of `PART_NAMES`: each made into its field when first read."""
    made = _new(GateResult)
    _set(made, "passed", passed)
    _set(made, "score", score)
    _set(made, "threshold", threshold)
    _set(made, "_raw_phrases", phrases)
    _set(made, "_raw_against", against)
    _set(made, "_raw_excluded_by", excluded_by)
    _set(made, "anchor", anchor)
    _set(made, "anchor_missing", anchor_missing)
    _set(made, "_raw_parts", parts)
    return made


def make_verdict(
    relevant: bool,
    gate: GateResult,
    areas: list[AreaMatch],
    tier: str,
    score: float | None,
    contributions: tuple[str | float, ...],
) -> Verdict:
    """A verdict whose contributions are flat (feature, contribution, ...) in any order: paired
    and sorted when first read."""
    made = _new(Verdict)
    _set(made, "relevant", relevant)
    _set(made, "gate", gate)
    _set(made, "areas", areas)
    _set(made, "tier", tier)
    _set(made, "score", score)
    _set(made, "_raw_contributions", contributions)
    return made

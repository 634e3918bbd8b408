"""The loaded, validated rules: plain immutable data, compiled later into a `Matcher`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.rules.terms import Piece, render

if TYPE_CHECKING:
    from monitor.rules.matcher import Matcher
    from monitor.rules.scorer import Scorer

# The item fields a rule can look at. `programme` covers the programme's name and code.
# `description` is the call's full text (the summary where none was read); `conditions` says
# who may apply, where the source has it (the portal's topic details).
FIELDS = ("title", "call_title", "summary", "programme", "keywords", "description", "conditions")
# What a rule file without `fields` reads.
DEFAULT_FIELDS = ("title", "call_title", "summary", "programme", "keywords")


@dataclass(frozen=True)
class Term:
    """One term of a rule file with its weight, as the admin wrote it.

    `group` is set for the forms of a group (`"kommun" = { weight = 2, forms = [...] }`): the
    group's key path, e.g. `("can_apply", "sv", "kommun")`. All forms of a group count as one
    signal per item, at the group's weight.
    """

    text: str
    pieces: tuple[Piece, ...]
    weight: float = 1.0
    group: tuple[str, ...] | None = None

    @property
    def canonical(self) -> str:
        return render(self.pieces)


@dataclass(frozen=True)
class Area:
    """A priority area: what makes an item belong to it and what rules it out."""

    id: str
    name: str
    description: str
    threshold: float
    fields: tuple[str, ...]
    terms: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()
    programmes_likely: dict[str, float] = field(default_factory=dict)
    programmes_impossible: frozenset[str] = frozenset()
    slack_channel: str | None = None
    source: Path | None = None


@dataclass(frozen=True)
class Gate:
    """The relevance gate shared by all areas: can a municipality take part at all?

    score = sum of `can_apply` and `serves_municipal` weights
    - sum of `research_only` and `not_a_call` weights
    + programme weights; an item passes when the score reaches `threshold`, nothing in
    `rule_out` (phrases or programmes) hit, and, when `requires` lists phrases, the item names
    an EU or funding context: one of those phrases, any programme code, or a call identifier.
    """

    threshold: float
    fields: tuple[str, ...]
    can_apply: tuple[Term, ...]
    serves_municipal: tuple[Term, ...] = ()
    research_only: tuple[Term, ...] = ()
    not_a_call: tuple[Term, ...] = ()
    rule_out: tuple[Term, ...] = ()
    requires: tuple[Term, ...] = ()  # empty: no anchor required
    programmes_likely: dict[str, float] = field(default_factory=dict)
    programmes_rule_out: frozenset[str] = frozenset()
    area_order: tuple[str, ...] = ()
    title_boost: float = 1.0  # area phrases found in the title count this many times
    against_cap: float | None = None  # most the signals against count where one can apply
    # Where `can_apply` phrases are read: who may apply is also said in a call's conditions,
    # which the topic words (`serves_municipal`) do not read. Empty: `fields`.
    applicant_fields: tuple[str, ...] = ()
    source: Path | None = None


@dataclass(frozen=True)
class RuleSet:
    """All areas and the gate, loaded together or not at all."""

    areas: tuple[Area, ...]
    gate: Gate
    scorer: Scorer | None = None  # the learned weights of `_scorer.toml`, when trained

    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    @property
    def area_ids(self) -> tuple[str, ...]:
        return tuple(area.id for area in self.areas)

    def compile(self) -> Matcher:
        """Build the one fast matcher for this run."""
        from monitor.rules.matcher import Matcher

        return Matcher(self)

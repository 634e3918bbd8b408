"""The learned part of relevance: a linear score over readable features, and the three tiers.

The rules say what an item is about and who may apply (the gate's parts, the best area). The
scorer, trained on labelled calls (`monitor rules train`), weighs those parts together with soft
priors from a call's metadata: its programme, its identifier family (`HORIZON-MISS`) and its type
of action. No prior is a veto: a family with few relevant calls in the training set only lowers
the score. The weights live in `rules/_scorer.toml`, one readable line per feature, so `monitor
rules explain` can cite them ("family HORIZON-MISS +1.2").

Tiers: `relevant` (the digest's main list) at `relevant_at` or above, `maybe` ("Kanske också") at
`maybe_at` or above, else `no`. Items with no programme metadata (network news, Swedish funders'
pages) are outside what the scorer was trained on: their tier follows the rules (`rules_tier`),
and the score only orders them.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from monitor.errors import RuleError
from monitor.rules.programmes import programme_codes
from monitor.rules.verdict import PART_NAMES, Verdict, strongest_first
from monitor.tomllines import find_line

SCORER_FILE = "_scorer.toml"
RELEVANT, MAYBE, NO = "relevant", "maybe", "no"
TIERS = (RELEVANT, MAYBE, NO)

# The gate's parts as features: points, capped so one long text cannot outweigh everything,
# on a scale where a typical signal is about 1.
_PART_FEATURES = (
    ("can_apply", "gate: can apply"),
    ("serves_municipal", "gate: municipal task"),
    ("research_only", "gate: research or industry only"),
    ("not_a_call", "gate: not an open call"),
)
AREA_FEATURE = "area: best score"
_YEAR_RE = re.compile(r"\d{4}")


def features(
    verdict: Verdict, fields: Mapping[str, str | None], codes: frozenset[str] | None = None
) -> dict[str, float]:
    """What the scorer reads of one item: the rules' verdict and the call's metadata (`codes`:
    its programme codes, when the caller has them already)."""
    parts = verdict.gate.parts
    found = {name: min(parts.get(part, 0.0), 8.0) / 4 for part, name in _PART_FEATURES}
    found[AREA_FEATURE] = min(max([m.score for m in verdict.areas], default=0.0), 12.0) / 6
    for code in programme_codes(fields) if codes is None else codes:
        found[f"programme {code}"] = 1.0
    if family := identifier_family(fields.get("identifier")):
        found[f"family {family}"] = 1.0
    if action := (fields.get("type_of_action") or "").strip():
        found[f"action {' '.join(action.split())}"] = 1.0
    return found


def identifier_family(identifier: str | None) -> str | None:
    """`HORIZON-MISS-2026-CIT-01-01` -> `HORIZON-MISS`: the work programme part a call is from."""
    if not identifier or "-" not in identifier:
        return None
    parts = [p for p in identifier.strip().upper().split("-") if p and not _YEAR_RE.fullmatch(p)]
    return "-".join(parts[:2]) if len(parts) >= 2 else None


def has_metadata(fields: Mapping[str, str | None]) -> bool:
    """Whether an item is a call with programme metadata, the kind the scorer was trained on."""
    return bool(programme_codes(fields))


@dataclass(frozen=True)
class Scored:
    """The scorer's outcome for one item: probability, tier and what moved it most."""

    score: float
    tier: str
    contributions: list[tuple[str, float]] = field(default_factory=list)  # strongest first


@dataclass(frozen=True)
class _Weights:
    """The scorer's weights by where their feature comes from, so an item's features are looked
    up where they arise instead of being named in a dict first (the matcher scores every item)."""

    parts: tuple[tuple[int, str, float], ...]  # (at in PART_NAMES, feature, weight), in order
    area: float | None
    programme: dict[str, tuple[str, float]]  # code -> (feature, 1.0 x weight)
    family: dict[str, tuple[str, float]]
    action: dict[str, tuple[str, float]]


def _by_prefix(weights: Mapping[str, float], prefix: str) -> dict[str, tuple[str, float]]:
    """Name after `prefix` -> (feature, contribution): these features are 1.0 when present."""
    return {n[len(prefix) :]: (n, 1.0 * w) for n, w in weights.items() if n.startswith(prefix)}


@dataclass(frozen=True)
class Scorer:
    intercept: float
    weights: Mapping[str, float]
    relevant_at: float
    maybe_at: float
    trained_on: str = ""
    source: Path | None = None

    @cached_property
    def _weights(self) -> _Weights:
        weights = self.weights
        return _Weights(
            parts=tuple(
                (PART_NAMES.index(part), name, weights[name])
                for part, name in _PART_FEATURES
                if name in weights
            ),
            area=weights.get(AREA_FEATURE),
            programme=_by_prefix(weights, "programme "),
            family=_by_prefix(weights, "family "),
            action=_by_prefix(weights, "action "),
        )

    def score(
        self,
        verdict: Verdict,
        fields: Mapping[str, str | None],
        codes: frozenset[str] | None = None,
    ) -> Scored:
        """The score and tier of one item (`codes`: its programme codes, if known already)."""
        score, tier, contributions = self.rank(verdict, fields, codes)
        return Scored(score, tier, list(strongest_first(contributions)))

    def rank(
        self,
        verdict: Verdict,
        fields: Mapping[str, str | None],
        codes: frozenset[str] | None = None,
    ) -> tuple[float, str, tuple[str | float, ...]]:
        """`score()` as (score, tier, contributions): the contributions flat, (feature,
        contribution, feature, contribution, ...) in feature order, not yet sorted."""
        gate, areas = verdict.gate, verdict.areas
        ruled_out = bool(gate.excluded_by or gate.anchor_missing)
        return self.ranked(
            tuple([gate.parts.get(name, 0.0) for name in PART_NAMES]),
            max([m.score for m in areas], default=0.0),
            Rules(ruled_out, gate.passed, bool(areas), gate.score),
            fields,
            programme_codes(fields) if codes is None else codes,
        )

    def ranked(
        self,
        parts: tuple[float, ...],
        best_area: float,
        rules: Rules,
        fields: Mapping[str, str | None],
        codes: frozenset[str],
    ) -> tuple[float, str, tuple[str | float, ...]]:
        """`rank()` from what the matcher has at hand before it makes the verdict: the gate's
        rounded parts (in `PART_NAMES` order), the best area's score and the rules' outcome."""
        contributions = self.contributions(parts, best_area, fields, codes)
        logit = self.intercept + sum(contributions[1::2])  # type: ignore[arg-type]
        probability = 1 / (1 + math.exp(-max(-30.0, min(30.0, logit))))
        return round(probability, 4), self._tier(probability, rules, bool(codes)), contributions

    def contributions(
        self,
        parts: tuple[float, ...],
        best_area: float,
        fields: Mapping[str, str | None],
        codes: frozenset[str],
    ) -> tuple[str | float, ...]:
        """Flat (feature, value x weight, ...) for every feature of `features()` that has a
        weight, in that order (the logit adds them up in it): the weights are looked up by where
        each feature comes from, no feature is named that has no weight, and no pair is made."""
        by = self._weights
        found: list[str | float] = []
        for at, name, weight in by.parts:
            found += name, min(parts[at], 8.0) / 4 * weight
        if by.area is not None:
            found += AREA_FEATURE, min(best_area, 12.0) / 6 * by.area
        if by.programme:
            for code in codes:
                if (weighted := by.programme.get(code)) is not None:
                    found += weighted
        family = identifier_family(fields.get("identifier")) if by.family else None
        if family and (weighted := by.family.get(family)) is not None:
            found += weighted
        action = (fields.get("type_of_action") or "").strip() if by.action else ""
        if action and (weighted := by.action.get(" ".join(action.split()))) is not None:
            found += weighted
        return tuple(found)

    def _tier(self, probability: float, rules: Rules, metadata: bool) -> str:
        if rules.ruled_out:
            return NO  # ruled out by the rubric (EDF, ERC ...) or no EU or funding context
        if not metadata:  # not a call with programme metadata, the kind the scorer learnt
            return rules.tier()
        if probability >= self.relevant_at:
            return RELEVANT if rules.has_area else MAYBE  # the digest files a call under an area
        return MAYBE if probability >= self.maybe_at else NO


class Rules(NamedTuple):
    """What the tiers read of the rules' verdict."""

    ruled_out: bool  # a veto (`rule_out`) or no EU or funding context
    passed: bool  # the gate
    has_area: bool
    gate_score: float

    def tier(self) -> str:
        """The tier from the rules alone: the gate and an area (relevant); the gate and no
        area, or an area and some signal that a municipality takes part (maybe); else no."""
        if self.ruled_out:
            return NO
        if self.passed and self.has_area:
            return RELEVANT
        return MAYBE if self.passed or (self.has_area and self.gate_score > 0) else NO


def rules_tier(verdict: Verdict) -> str:
    """The tier from the rules alone (`Rules.tier`) of a verdict."""
    gate = verdict.gate
    ruled_out = bool(gate.excluded_by or gate.anchor_missing)
    return Rules(ruled_out, gate.passed, bool(verdict.areas), gate.score).tier()


def load_scorer(path: Path) -> Scorer:
    """Read `_scorer.toml`; every mistake names the file, line and key."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"not valid TOML ({exc})", file=path) from exc

    def error(message: str, *keys: str) -> RuleError:
        line = find_line(text, tuple(keys[:-1]), keys[-1]) if keys else None
        return RuleError(message, file=path, line=line, where=f"key {'.'.join(keys)}")

    def number(key: str, low: float | None = None, high: float | None = None) -> float:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise error("must be a number", key)
        if (low is not None and value < low) or (high is not None and value > high):
            raise error(f"must be between {low:g} and {high:g}", key)
        return float(value)

    known = {"trained_on", "intercept", "relevant_at", "maybe_at", "weights"}
    for key in data:
        if key not in known:
            raise error(f"unknown key (valid keys: {', '.join(sorted(known))})", key)
    weights = data.get("weights", {})
    if not isinstance(weights, dict):
        raise error("must be a table of feature = weight", "weights")
    for name, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise error("must be a number", "weights", name)
    relevant_at, maybe_at = number("relevant_at", 0, 1), number("maybe_at", 0, 1)
    if maybe_at > relevant_at:
        raise error("must not be above relevant_at", "maybe_at")
    return Scorer(
        intercept=number("intercept"),
        weights={name: float(w) for name, w in weights.items()},
        relevant_at=relevant_at,
        maybe_at=maybe_at,
        trained_on=str(data.get("trained_on", "")),
        source=path,
    )

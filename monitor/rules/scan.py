"""What a scan of one item found: the rules that fired and the roles they play.

Shared by the matcher (which scans and judges) and the tally (which `explain` reads).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from monitor.rules.model import Term

GATE = -1  # owner index of gate rules
TERM, EXCLUDE, FOR, AGAINST, RULE_OUT = "term", "exclude", "for", "against", "rule_out"
# The parts of the gate score, by the table a signal came from (the learned scorer reads them).
CAN_APPLY, SERVES = "can_apply", "serves_municipal"
RESEARCH_ONLY, NOT_A_CALL, PROGRAMME = "research_only", "not_a_call", "programme"
GATE_PARTS = (CAN_APPLY, SERVES, RESEARCH_ONLY, NOT_A_CALL, PROGRAMME)
REQUIRE = "require"  # a gate phrase that shows an EU or funding context


class Rule(NamedTuple):
    """One term of one rule file: who owns it, what it does, and where it may match."""

    owner: int  # area index, or GATE
    role: str
    weight: float
    term: Term
    fields: frozenset[str]
    table: str = ""  # the gate table it came from (`can_apply`, `research_only`, ...)


class Hit(NamedTuple):
    """A rule that fired: the words it found and the field they were found in."""

    rule: Rule
    text: str
    field: str


class Scan(NamedTuple):
    """Everything one item triggered, before thresholds are applied."""

    hits: list[Hit]
    codes: frozenset[str]
    programme_hits: list[tuple[int, str, float, str]]  # (owner, role, weight, code)
    anchor: str | None = None  # what shows an EU or funding context (see `_anchor`)
    fields: Mapping[str, str | None] | None = None  # the item, for the scorer's metadata
    negated: tuple[str, ...] = ()  # applicant phrases found only in a negated clause

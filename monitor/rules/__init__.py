"""Keyword rules: match items to the municipality's priority areas, behind a relevance gate.

    ruleset = load_rules(Path("rules"))   # all rule files or a RuleError, never half
    ruleset = load_group_rules("rules", "rules/linkoping", "linkoping")  # a group's overlay
    matcher = ruleset.compile()           # once per run
    verdict = matcher.match({"title": ..., "summary": ..., "programme_code": "LIFE"})
    verdict.relevant, verdict.gate, verdict.areas, verdict.best_area
    print(matcher.explain(fields))

The rule file format is described in `rules/README.md`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from monitor.rules.evaluate import EvalReport, Scores, evaluate
from monitor.rules.loader import GATE_FILE, load_area, load_gate, load_rules
from monitor.rules.model import FIELDS, Area, Gate, RuleSet, Term
from monitor.rules.overlay import load_group_rules
from monitor.rules.programmes import programme_codes
from monitor.rules.verdict import AreaMatch, GateResult, Verdict

if TYPE_CHECKING:
    from monitor.rules.matcher import Matcher


def __getattr__(name: str) -> Any:
    # The matcher (and its index) is imported when first asked for (PEP 562): `monitor search`
    # reads the rule files for its vocabulary and compiles nothing.
    if name == "Matcher":
        from monitor.rules.matcher import Matcher

        return Matcher
    raise AttributeError(f"module 'monitor.rules' has no attribute {name!r}")


__all__ = [
    "FIELDS",
    "GATE_FILE",
    "Area",
    "AreaMatch",
    "EvalReport",
    "Gate",
    "GateResult",
    "Matcher",
    "RuleSet",
    "Scores",
    "Term",
    "Verdict",
    "evaluate",
    "load_area",
    "load_gate",
    "load_group_rules",
    "load_rules",
    "programme_codes",
]

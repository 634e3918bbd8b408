"""Keyword rules: match items to the municipality's priority areas, behind a relevance gate.

    ruleset = load_rules(Path("rules"))   # all rule files or a RuleError, never half
    ruleset = load_group_rules("rules", "rules/linkoping", "linkoping")  # a group's overlay
    matcher = ruleset.compile()           # once per run
    verdict = matcher.match({"title": ..., "summary": ..., "programme_code": "LIFE"})
    verdict.relevant, verdict.gate, verdict.areas, verdict.best_area
    print(matcher.explain(fields))

The rule file format is described in `rules/README.md`.
"""

from monitor.rules.evaluate import EvalReport, Scores, evaluate
from monitor.rules.loader import GATE_FILE, load_area, load_gate, load_rules
from monitor.rules.matcher import Matcher
from monitor.rules.model import FIELDS, Area, Gate, RuleSet, Term
from monitor.rules.overlay import load_group_rules
from monitor.rules.programmes import programme_codes
from monitor.rules.verdict import AreaMatch, GateResult, Verdict

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

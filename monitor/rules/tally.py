"""What `explain` reads: every counted signal of an item, per area and for the gate.

`Matcher.tally()` fills these from a scan with the same arithmetic as the verdict; the per-item
fast path (`Matcher.match`) never builds them.
"""

from __future__ import annotations

from typing import NamedTuple


class Signal(NamedTuple):
    """One counted signal: a phrase (or programme) with its weight, for an area or the gate."""

    owner: int
    role: str
    weight: float
    text: str  # the words as found in the item, or `programme CODE`
    field: str
    rule: str  # the term as written in the rule file, or the programme code
    group: tuple[str, ...] | None = None  # the group's key path when the rule is a form
    also: tuple[str, ...] = ()  # other words the group's forms found (counted with this one)


class Tally:
    """Signals and scores per area and for the gate (what `explain` reads)."""

    def __init__(self, n_areas: int) -> None:
        self.scores = [0.0] * n_areas
        self.signals: list[list[Signal]] = [[] for _ in range(n_areas)]
        self.vetoes: list[list[Signal]] = [[] for _ in range(n_areas)]
        self.gate_score = 0.0
        self.gate_for: list[Signal] = []
        self.gate_against: list[Signal] = []
        self.gate_veto: list[Signal] = []
        self.gate_anchor: list[Signal] = []

    def matched(self, area: int, threshold: float) -> bool:
        return (
            bool(self.signals[area]) and not self.vetoes[area] and (self.scores[area] >= threshold)
        )

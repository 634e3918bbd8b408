"""What `explain` reads: every counted signal of an item, per area and for the gate.

`tally_scan()` (through `Matcher.tally()`) fills these from a scan with the same arithmetic as
the verdict; the per-item fast path (`Matcher.match`) never builds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from monitor.rules.scan import AGAINST, FOR, GATE, REQUIRE, TERM

if TYPE_CHECKING:
    from monitor.rules.scan import Scan


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


def signals(scan: Scan) -> list[Signal]:
    """The signals that count: one per (owner, role, words), the strongest; then one per
    group (the first found, with the words of its other forms in `also`)."""
    strongest: dict[tuple[int, str, str], Signal] = {}
    candidates = [
        Signal(
            h.rule.owner, h.rule.role, h.rule.weight, h.text, h.field, h.rule.term.text,
            h.rule.term.group,
        )
        for h in scan.hits
    ]  # fmt: skip
    candidates += [
        Signal(owner, role, weight, f"programme {code}", "programme", code)
        for owner, role, weight, code in scan.programme_hits
    ]
    for signal in candidates:
        key = (signal.owner, signal.role, signal.text)
        known = strongest.get(key)
        if known is None or abs(signal.weight) > abs(known.weight):
            strongest[key] = signal
    counted: list[Signal] = []
    group_at: dict[tuple[int, tuple[str, ...]], int] = {}  # group -> index in `counted`
    for signal in strongest.values():
        if signal.group is None:
            counted.append(signal)
            continue
        group_key = (signal.owner, signal.group)
        if group_key in group_at:
            first = counted[group_at[group_key]]
            counted[group_at[group_key]] = first._replace(also=(*first.also, signal.text))
        else:
            group_at[group_key] = len(counted)
            counted.append(signal)
    return counted


def tally_scan(scan: Scan, n_areas: int, title_boost: float) -> Tally:
    """Add up the signals of a scan per area and for the gate."""
    tally = Tally(n_areas)
    for signal in signals(scan):
        if signal.owner == GATE:
            if signal.role == FOR:
                tally.gate_score += signal.weight
                tally.gate_for.append(signal)
            elif signal.role == AGAINST:
                tally.gate_score -= signal.weight
                tally.gate_against.append(signal)
            elif signal.role == REQUIRE:
                tally.gate_anchor.append(signal)
            else:
                tally.gate_veto.append(signal)
        elif signal.role == TERM:
            boost = title_boost if signal.field == "title" else 1.0
            tally.scores[signal.owner] += signal.weight * boost
            tally.signals[signal.owner].append(signal)
        else:
            tally.vetoes[signal.owner].append(signal)
    return tally

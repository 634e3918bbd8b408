"""What the förvaltningar did with calls in a year, from the tracking history: pure.

Each (call, förvaltning) counts once per measure, in the year it first got there:
- interested: first marked interested;
- submitted: the application went in, i.e. first marked submitted, granted or rejected (a
  grant recorded straight after "applying" was still an application);
- granted / rejected: first marked so, if that is still its state at the end of the year
  (a grant recorded by mistake and corrected to rejected is a rejection);
- the granted amount: the last amount given with the state granted, in kronor.
Per area, a call counts under its best-scoring area only, so amounts add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_SUBMITTED = ("submitted", "granted", "rejected")


@dataclass(frozen=True)
class Tally:
    interested: int = 0
    submitted: int = 0
    granted: int = 0
    granted_amount: int = 0
    rejected: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.interested + other.interested,
            self.submitted + other.submitted,
            self.granted + other.granted,
            self.granted_amount + other.granted_amount,
            self.rejected + other.rejected,
        )

    def __bool__(self) -> bool:
        return any((self.interested, self.submitted, self.granted, self.rejected))


@dataclass
class Applications:
    by_unit: dict[str, Tally] = field(default_factory=dict)
    by_area: dict[str | None, Tally] = field(default_factory=dict)  # None: no area matched
    total: Tally = Tally()
    previous: Tally = Tally()  # the year before, in total


@dataclass
class _Pair:
    unit: str
    area: str | None
    first: dict[str, str] = field(default_factory=dict)  # measure -> when first reached
    state: str = ""
    amount: int = 0


def _pairs(changes: Iterable[Mapping[str, Any]], end: str) -> list[_Pair]:
    pairs: dict[tuple[str, str], _Pair] = {}
    for change in changes:
        at = change["changed_at"]
        if at >= end:
            continue
        key = (change["item_id"], change["unit"])
        pair = pairs.setdefault(key, _Pair(change["unit"], change["area"]))
        state = change["new_state"]
        pair.state = state
        if state == "granted" and change["amount"] is not None:
            pair.amount = change["amount"]
        measures = [state] + (["submitted"] if state in _SUBMITTED else [])
        for measure in measures:
            pair.first.setdefault(measure, at)
    return list(pairs.values())


def _tally(pair: _Pair, start: str, end: str) -> Tally:
    def reached(measure: str) -> bool:
        return start <= pair.first.get(measure, end) < end

    granted = reached("granted") and pair.state == "granted"
    return Tally(
        interested=int(reached("interested")),
        submitted=int(reached("submitted")),
        granted=int(granted),
        granted_amount=pair.amount if granted else 0,
        rejected=int(reached("rejected") and pair.state == "rejected"),
    )


def applications(
    changes: Sequence[Mapping[str, Any]],
    *,
    start: str,
    end: str,
    previous_start: str,
) -> Applications:
    """The year [start, end) per unit and area, and the year before [previous_start, start) in
    total; `changes` are the tracking changes before `end`, oldest first, with `area`."""
    result = Applications()
    for pair in _pairs(changes, end):
        tally = _tally(pair, start, end)
        if tally:
            result.by_unit[pair.unit] = result.by_unit.get(pair.unit, Tally()) + tally
            result.by_area[pair.area] = result.by_area.get(pair.area, Tally()) + tally
            result.total += tally
    for pair in _pairs(changes, start):
        result.previous += _tally(pair, previous_start, start)
    return result

"""The states a call can have for a förvaltning (unit), their labels, and reading what people
type: pure, shared by the commands, the store's callers, the report and the rules' labels.

The stored value is always the English code (`applying`): stable for Datasette and code. People
may type either the code or the Swedish label they see in the output (`Söker`, `söker`,
`inte för oss`), in any case, with or without å/ä/ö: a label that is shown must also be a
word that is understood.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from monitor.errors import MonitorError


@dataclass(frozen=True)
class State:
    code: str
    sv: str
    en: str

    def label(self, language: str = "sv") -> str:
        return self.en if language == "en" else self.sv


# The one table of states and their labels, in the order an application goes.
STATES: tuple[State, ...] = (
    State("interested", "Intresserad", "Interested"),
    State("applying", "Söker", "Applying"),
    State("submitted", "Inskickad", "Submitted"),
    State("granted", "Beviljad", "Granted"),
    State("rejected", "Avslagen", "Rejected"),
    State("not-for-us", "Inte för oss", "Not for us"),
)
BY_CODE = {s.code: s for s in STATES}

# In the group's own calendar: the calls someone still works on.
ACTIVE = ("interested", "applying", "submitted")
# Reminded in the digest before their deadline: the calls someone is still to apply for.
REMINDED = ("interested", "applying")
# A förvaltning applied: the call was one a municipality can use (a rejection is the funder's
# decision, not the group's judgement of the call).
APPLIED = ("applying", "submitted", "granted", "rejected")
NOT_FOR_US = "not-for-us"

VERDICTS = ("relevant", "not-relevant")


def _folded(text: str) -> str:
    """Lower case, accents off, `-`/`_`/spaces as one space: `Inte_för-oss` -> `inte for oss`."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[\s_-]+", " ", plain).strip()


_WORDS = {_folded(word): s.code for s in STATES for word in (s.code, s.sv, s.en)}


def parse_state(text: str) -> str:
    """The state's code for its code or label (English or Swedish); MonitorError otherwise."""
    code = _WORDS.get(_folded(text))
    if code is None:
        valid = ", ".join(f"{s.code} ({s.sv})" for s in STATES)
        raise MonitorError(f"unknown state '{text}': use one of {valid}")
    return code


def state_label(code: str, language: str = "sv") -> str:
    state = BY_CODE.get(code)
    return state.label(language) if state else code


def parse_verdict(text: str) -> str:
    """`relevant` or `not-relevant` (also `inte relevant`)."""
    folded = _folded(text)
    if folded == "relevant":
        return "relevant"
    if folded in ("not relevant", "inte relevant", "ej relevant"):
        return "not-relevant"
    raise MonitorError(f"unknown verdict '{text}': use relevant or not-relevant")


def parse_amount(text: str) -> int:
    """Whole kronor, as people write them: `1200000`, `1 200 000`, `1 200 000 kr`."""
    plain = re.sub(r"\s+", "", text.replace("\u00a0", " ")).casefold()
    plain = re.sub(r"(kr|sek)$", "", plain)
    if not plain.isdigit():
        raise MonitorError(f"the amount '{text}' is not a whole number of kronor of 0 or more")
    return int(plain)


def same_unit(known: list[str], unit: str) -> str:
    """The stored spelling of a unit typed in another case (`miljöförvaltningen`), so one
    förvaltning is not tracked under two names; the unit as typed when it is new."""
    wanted = " ".join(unit.split())
    if not wanted:
        raise MonitorError("the förvaltning (--unit) is empty")
    for name in known:
        if name.casefold() == wanted.casefold():
            return name
    return wanted

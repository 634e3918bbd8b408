"""Find EU call identifiers in text, so that news naming a call can be linked to it.

Portal identifiers are a programme prefix, a year and parts, joined by hyphens:
HORIZON-CL5-2027-07-D3-16, CERV-2026-CITIZENS-TOWN-TT, LIFE-2026-SAP-CLIMA-CCA,
ERASMUS-EDU-2026-PEX-COVE, DIGITAL-ECCC-2024-DEPLOY-NCC-06.
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(
    r"(?<![A-Za-z0-9-])"
    r"[A-Z][A-Z0-9]{1,14}(?:-[A-Z0-9]{1,20}){0,3}-20[0-9]{2}(?:-[A-Za-z0-9]{1,30}){1,8}"
    r"(?![A-Za-z0-9-])"
)
# The year every identifier holds: a text without one names no call. Searched for first, as
# it is a tenth of the pattern's cost, which tries its look-behind at every character.
_YEAR = re.compile(r"-20[0-9]{2}")


def call_identifiers(text: str | None) -> list[str]:
    """Every distinct call identifier in `text`, in order of appearance."""
    if not text or not _YEAR.search(text):
        return []
    found: list[str] = []
    for match in _IDENTIFIER.finditer(text):
        value = match.group(0).rstrip(".-")
        tail = re.split(r"-20[0-9]{2}-", value, maxsplit=1)[-1]
        # "SE-2026-kommun" is prose; identifiers carry codes after the year (D3-16, TOWN-TT, 05).
        if re.search(r"[A-Z0-9]", tail) and value not in found:
            found.append(value)
    return found

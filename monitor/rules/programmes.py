"""Programme codes and call identifiers: what ties an item to a funding programme.

The codes decide `[programmes]` signals and, with a call identifier in the text, whether an item
names an EU or funding context (the gate's `[requires]`). They run for every item, so the parsing
of programme names (a few dozen, repeated on every call) is cached.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from monitor.identifiers import call_identifiers

_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9-]*")
_TRAILING_PARENS_RE = re.compile(r"\(([^()]*)\)\s*$")
_ID_SPLIT_RE = re.compile(r"[-/_\s]")


@lru_cache(maxsize=4096)
def _code(raw: str) -> str | None:
    code = _CODE_RE.search(raw.upper())
    return code.group(0).rstrip("-") if code else None


@lru_cache(maxsize=1024)
def _name_code(programme: str) -> str | None:
    """`Programme for the Environment and Climate Action (LIFE)` -> LIFE."""
    parens = _TRAILING_PARENS_RE.search(programme)
    return _code(parens.group(1)) if parens else None


def programme_codes(fields: Mapping[str, str | None]) -> frozenset[str]:
    """Programme codes an item names: `programme_code`, `Name (CODE)`, `CODE-2026-...` ids."""
    found: set[str] = set()
    if (code := fields.get("programme_code")) and (parsed := _code(str(code))):
        found.add(parsed)
    if (programme := fields.get("programme")) and (parsed := _name_code(str(programme))):
        found.add(parsed)
    for key in ("identifier", "call_identifier"):
        if identifier := fields.get(key):
            head = _ID_SPLIT_RE.split(str(identifier).strip(), maxsplit=1)[0]
            if parsed := _code(head):
                found.add(parsed)
    return frozenset(found)


def call_in_text(text: str) -> str | None:
    """The first call identifier in `text` (CERV-2026-CITIZENS-TOWN-TT), or None."""
    if "-20" not in text:  # every identifier has its year after a hyphen: skip the regex
        return None
    found = call_identifiers(text)
    return found[0] if found else None

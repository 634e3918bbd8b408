"""The term syntax of rule files: words, phrases and `*` wildcards.

A term is one or more words separated by spaces; every word must match one token of the text
(see `text.py` for what a token is), and the words of a phrase must follow each other. A word
may carry a `*` at the start, the end or both:

    skola        the token `skola` only (not `skolan`, not `grundskola`)
    skol*        a token that starts with `skol`:  skola, skolan, skolornas
    *skola       a token that ends with `skola`:   grundskola, förskola, skola
    *utbyte*     a token that contains `utbyte`:    ungdomsutbyte, utbytesprogram
    local authorit*   the phrase "local authority", "local authorities"

Matching ignores case, accents are significant (`a` is not `å`). A wildcard word needs at least
three letters besides the `*`, so `eu*` cannot silently match half the dictionary.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from monitor.rules.text import TOKEN_RE

MIN_WILDCARD_CORE = 3

# Characters allowed inside a plain word besides letters and digits; they split it into tokens
# exactly as they would split item text ("children's" -> children s, "city/region" -> city region).
_PLAIN_PUNCT = set("-'’:/.&+")
_WILDCARD_CORE_RE = re.compile(r"[^\W_](?:[^\W_]|-)*|-(?:[^\W_]|-)*")


class Kind(Enum):
    EXACT = "exact"
    PREFIX = "prefix"
    SUFFIX = "suffix"
    INFIX = "infix"


@dataclass(frozen=True)
class Piece:
    """One word of a term: what one token must be, start with, end with or contain."""

    kind: Kind
    core: str

    def matches(self, token: str) -> bool:
        if self.kind is Kind.EXACT:
            return token == self.core
        if self.kind is Kind.PREFIX:
            return token.startswith(self.core)
        if self.kind is Kind.SUFFIX:
            return token.endswith(self.core)
        return self.core in token


class TermSyntaxError(ValueError):
    """A term that cannot be compiled; the loader adds file, line and key."""


def parse_term(raw: object) -> tuple[Piece, ...]:
    """Split a term as written in a rule file into the pieces the matcher looks for."""
    if not isinstance(raw, str):
        raise TermSyntaxError(f"a term must be text in quotes, not {type(raw).__name__}")
    text = unicodedata.normalize("NFC", raw).strip().lower()
    if not text:
        raise TermSyntaxError("empty term")
    pieces: list[Piece] = []
    for word in text.split():
        pieces.extend(_parse_word(word, raw))
    return tuple(pieces)


def _parse_word(word: str, raw: str) -> list[Piece]:
    lead, trail = word.startswith("*"), word.endswith("*") and len(word) > 1
    core = word[1 if lead else 0 : len(word) - (1 if trail else 0)]
    if "*" in core:
        raise TermSyntaxError(
            f"term {raw!r}: '*' may only stand at the start or end of a word (in {word!r})"
        )
    if not core:
        raise TermSyntaxError(f"term {raw!r}: a lone '*' would match every word")
    if not (lead or trail):
        bad = sorted({c for c in core if not c.isalnum() and c not in _PLAIN_PUNCT})
        if bad:
            raise TermSyntaxError(
                f"term {raw!r}: {''.join(bad)!r} never occurs inside a word; "
                "use letters, digits, hyphens, '*' and spaces"
            )
        tokens = TOKEN_RE.findall(core)
        if not tokens:
            raise TermSyntaxError(f"term {raw!r}: {word!r} has no letters or digits")
        return [Piece(Kind.EXACT, token) for token in tokens]
    if not _WILDCARD_CORE_RE.fullmatch(core):
        raise TermSyntaxError(
            f"term {raw!r}: a word with '*' may hold only letters, digits and hyphens (in {word!r})"
        )
    if sum(c.isalnum() for c in core) < MIN_WILDCARD_CORE:
        raise TermSyntaxError(
            f"term {raw!r}: {word!r} is too short for a wildcard "
            f"(at least {MIN_WILDCARD_CORE} letters besides '*')"
        )
    kind = Kind.INFIX if lead and trail else Kind.PREFIX if trail else Kind.SUFFIX
    return [Piece(kind, core)]


def render(pieces: tuple[Piece, ...]) -> str:
    """The canonical spelling of a parsed term, e.g. `local authorit*`."""
    stars = {Kind.EXACT: "{}", Kind.PREFIX: "{}*", Kind.SUFFIX: "*{}", Kind.INFIX: "*{}*"}
    return " ".join(stars[p.kind].format(p.core) for p in pieces)

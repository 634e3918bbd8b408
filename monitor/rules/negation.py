"""Who may NOT apply: the clauses of a text where an applicant phrase is negated.

"Kommuner kan inte söka", "public bodies are not eligible", "excluding public authorities" name
a municipality while saying it cannot apply; counted as applicant evidence they would pass the
very call that leaves it out. `negated()` finds such clauses, in Swedish and English, with one
bounded rule, and gives the text's chunks again with those of such clauses blanked: the gate's
`[can_apply]` phrases are read in them instead, so an applicant phrase inside a negated clause
counts nothing, while every other rule reads the text as it is. Three kinds of cue:

- a negator just before a word of eligibility ("kan inte söka", "får ej ansöka", "are not
  eligible", "cannot apply"), or a word that is itself one ("ineligible", "uteslutna"): the
  clause around it, up to `_BEFORE` words before and `_AFTER` after;
- a word of exception ("excluding", "except", "utom", "förutom", "med undantag för"): the
  words after it, up to `_AFTER`;
- a restriction to applicants a municipality is not ("endast företag", "only SMEs may
  apply"): the call says who may apply and it is not a municipality, so `restricted` is set
  and no applicant phrase of the item counts (the matcher's part).

A clause ends at a sentence's end (. ; ! ? or a paragraph, list item or line break) and at a
word of contrast ("men", "utan", "but", "however"), so "kommuner kan inte söka, men regioner
kan" still counts the regions. A negator followed by "only", "bara", "minst", "limited" ("not
only cities", "inte minst kommuner", "including but not limited to") negates nothing.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import NamedTuple

from monitor.rules.text import chunk_tokens, clean_html

_BEFORE = 5  # words before a negated eligibility word that may name who cannot apply
_AFTER = 6  # words after a negation or exception that may name them
_NEAR = 3  # a negator at most this many words before the eligibility word it negates
_LABEL = 4  # a sentence this short is a label ("Sökande: endast företag.")

_NEGATORS = frozenset({"not", "cannot", "inte", "ej", "icke", "ikke"})  # ikke: Danish, Norwegian
# "can't", "isn't": the apostrophe splits the word, leaving "t" after these.
_CONTRACTED = frozenset({"can", "don", "doesn", "isn", "aren", "won", "shouldn", "mustn"})
# After a negator these make it no negation of who applies ("not only", "inte minst").
_NOT_NEGATING = frozenset(
    {
        "only", "just", "merely", "solely", "exclusively", "least", "limited", "necessarily",
        "later", "earlier", "more", "less", "fewer",
        "bara", "enbart", "endast", "blott", "uteslutande", "minst", "senare", "mer", "mindre",
        "fler",
    }
)  # fmt: skip
# Words that say whether someone may apply or take part.
_ELIGIBILITY = frozenset(
    {
        "eligible", "eligibility", "apply", "applicants", "applicant", "participate", "qualify",
        "funded", "allowed", "permitted", "entitled", "accepted", "admissible",
        "söka", "ansöka", "sökande", "stödberättigade", "stödberättigad", "stödberättigat",
        "bidragsberättigade", "bidragsberättigad", "berättigade", "berättigad", "behöriga",
        "behörig", "delta", "medverka", "beviljas", "omfattas", "søge", "søke", "ansøge",
    }
)  # fmt: skip
# Words that are a negated eligibility by themselves: the clause around them.
_EXCLUDED = frozenset(
    {
        "ineligible", "non-eligible", "excluded", "uteslutna", "uteslutas", "undantagna",
        "exkluderade", "icke-stödberättigade",
    }
)  # fmt: skip
# Words of exception: the words after them.
_EXCEPT = frozenset(
    {"excluding", "except", "exklusive", "utom", "förutom", "undantaget", "undantag", "exception"}
)
_CONTRAST = frozenset(
    {
        "but", "however", "whereas", "while", "although", "instead",
        "men", "utan", "dock", "medan", "däremot", "istället", "fast",
    }
)  # fmt: skip
_ONLY = frozenset({"only", "solely", "exclusively", "endast", "enbart", "uteslutande"})
# Applicants a municipality is not: a restriction to them leaves it out.
_NOT_MUNICIPAL = frozenset(
    {
        "smes", "sme", "companies", "company", "enterprises", "businesses", "firms",
        "start-ups", "startups", "universities", "researchers", "students", "individuals",
        "företag", "småföretag", "företagare", "forskare", "universitet", "lärosäten",
        "högskolor", "privatpersoner", "studenter",
    }
)  # fmt: skip
# Every cue holds one of these: most texts are settled by substring tests, in C.
_STEMS = (
    "not", "n't", "n’t", "inte", "ej", "icke", "ikke", "only", "solely", "exclusively", "endast",
    "enbart", "uteslut", "exclu", "except", "eligib", "utom", "undantag", "exklusive",
)  # fmt: skip
# A sentence without one of these negates nothing. The matcher finds them, and the words of
# eligibility and non-municipal applicants, with the rules' terms (`worth_reading`).
_NEGATING = _NEGATORS | {"t"}
CUE_WORDS = _NEGATING | _EXCLUDED | _EXCEPT | _ONLY
CONTEXT_WORDS = _ELIGIBILITY | _NOT_MUNICIPAL
_ENDS = frozenset(".;!?")
_CLOSING = ")]\"'”’»"
# Markup that ends a sentence: a paragraph, a list item, a line break, a heading or a cell.
_BLOCK_RE = re.compile(r"</?(?:p|li|br|div|h[1-6]|tr|td|th|ul|ol|dt|dd)\b[^>]*>", re.IGNORECASE)
_BLANK = "0"  # a word no phrase is made of: the blanked words still separate their neighbours


class Negated(NamedTuple):
    """A text as the matcher's chunks (`text.chunks`), those holding a negated clause's words
    blanked, and whether it restricts who may apply to applicants a municipality is not."""

    chunks: list[str]
    restricted: bool
    blanked: list[str]  # the blanked chunks alone: holding no applicant phrase settles it


def worth_reading(words: set[str]) -> bool:
    """Whether a text holding these of the cue words (`CUE_WORDS | CONTEXT_WORDS`) can hold a
    negated clause: a negator and a word of eligibility, a word of exception, or "only" and a
    non-municipal applicant. Most texts with a "not" are settled here."""
    if words.isdisjoint(CUE_WORDS):
        return False
    return bool(
        not words.isdisjoint(_EXCLUDED | _EXCEPT)
        or (not words.isdisjoint(_NEGATING) and not words.isdisjoint(_ELIGIBILITY))
        or (not words.isdisjoint(_ONLY) and not words.isdisjoint(_NOT_MUNICIPAL))
    )


def negated(text: str) -> Negated | None:
    """The text with the chunks of its negated clauses blanked, or None when it has none.

    Read chunk by chunk, as the matcher reads it (`text.chunks`: the same chunks in the same
    order, since markup that ends a sentence only becomes a line break here), so that the
    matcher finds the text's terms again in chunks it already knows."""
    if not any(stem in text.lower() for stem in _STEMS):
        return None
    words: list[str] = []
    owner: list[int] = []  # per word, the chunk it is in
    pieces: list[str] = []
    sentences: list[int] = [0]  # where each sentence starts, in words
    for line in clean_html(_BLOCK_RE.sub("\n", text)).split("\n"):
        for chunk in line.split():
            for token in chunk_tokens(chunk):
                words.append(token)
                owner.append(len(pieces))
            pieces.append(chunk)
            if chunk.rstrip(_CLOSING)[-1:] in _ENDS:
                sentences.append(len(words))
        sentences.append(len(words))
    restricted = False
    blank: set[int] = set()
    for start, end in pairwise(sentences):
        if end > start and not CUE_WORDS.isdisjoint(words[start:end]):
            restricted |= _mark(words[:end], start, blank)
    if not blank and not restricted:
        return None
    chunks = {owner[i] for i in blank}
    masked = [_BLANK if i in chunks else chunk for i, chunk in enumerate(pieces)]
    return Negated(masked, restricted, [pieces[i] for i in sorted(chunks)])


def _mark(words: list[str], start: int, blank: set[int]) -> bool:
    """Blank the negated words of the sentence `words[start:]`; True if it restricts who may
    apply to applicants a municipality is not."""
    end = len(words)
    restricted = False
    for i in range(start, end):
        word = words[i]
        if _is_negator(words, start, i):
            if i + 1 < end and words[i + 1] in _NOT_NEGATING:
                continue
            near = words[i + 1 : min(end, i + 1 + _NEAR)]
            # "kan inte söka", "are not eligible"; "omfattas inte" (the verb before it)
            if any(w in _ELIGIBILITY for w in near) or (i > start and words[i - 1] in _ELIGIBILITY):
                _blank_around(words, start, end, i, blank)
        elif word in _EXCLUDED:
            _blank_around(words, start, end, i, blank)
        elif word in _EXCEPT:
            _blank_after(words, end, i, blank)
        elif (
            word in _ONLY
            and not (i > start and _is_negator(words, start, i - 1))
            and (_names_not_municipal(words, i, end))
        ):  # "only SMEs may apply", but not "not only SMEs but also cities"
            sentence = words[start:end]
            restricted |= len(sentence) <= _LABEL or any(w in _ELIGIBILITY for w in sentence)
    return restricted


def _is_negator(words: list[str], start: int, at: int) -> bool:
    word = words[at]
    return word in _NEGATORS or (word == "t" and at > start and words[at - 1] in _CONTRACTED)


def _names_not_municipal(words: list[str], at: int, end: int) -> bool:
    """Whether the two words after `at` name applicants a municipality is not ("endast
    företag", "only SMEs", "only small companies")."""
    return any(w in _NOT_MUNICIPAL for w in words[at + 1 : min(end, at + 3)])


def _blank_around(words: list[str], start: int, end: int, at: int, blank: set[int]) -> None:
    for i in range(at - 1, max(start, at - _BEFORE) - 1, -1):
        if words[i] in _CONTRAST:
            break
        blank.add(i)
    _blank_after(words, end, at, blank)


def _blank_after(words: list[str], end: int, at: int, blank: set[int]) -> None:
    for i in range(at + 1, min(end, at + 1 + _AFTER)):
        if words[i] in _CONTRAST:
            break
        blank.add(i)

"""Search across languages: a query word also looks for the other words of its concept.

Officials ask in Swedish and nearly every portal call is in English, so `klimatanpassning`
must find "climate adaptation". A concept is a set of phrases meaning one thing: the curated
`sv ↔ en` list shipped in `monitor/data/vocabulary.toml`, joined with the rules' groups of
forms (`"skola" = { forms = ["skol*", ...] }`: spellings and inflections of one word) where they
share a phrase. Pure: the store turns the terms into an FTS5 query, and `matched` says, for a
hit, which of a term's phrases its text holds.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitor.stemming import is_stemmable, word_stems

if TYPE_CHECKING:
    from monitor.rules.model import RuleSet

_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"\w+")
# A rule form usable as a search phrase: words, an optional trailing `*`. Forms starting with
# `*` (the ends of compounds: `*skola`) have no FTS5 equivalent and are left out.
_FORM = re.compile(r"[^\W_][\w\- ]*[^\W_]\*?")


def fold(text: str) -> str:
    """Lower case without diacritics, as the search index reads text (remove_diacritics 2)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> tuple[str, ...]:
    """Lower case words, diacritics kept: the stemmers need them."""
    return tuple(_WORD.findall(text.lower()))


def _key(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold(w) for w in words)


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other; `prefix`: the last one may go on (`skol*`)."""

    text: str  # as written, for people
    words: tuple[str, ...]  # lower case
    prefix: bool = False
    loose: bool = False  # the words as typed: each anywhere, as a query of several words

    @classmethod
    def of(cls, text: str) -> Phrase | None:
        prefix = text.endswith("*")
        words = _words(text.rstrip("*"))
        return cls(text.strip(), words, prefix) if words else None

    @property
    def stemmed(self) -> bool:
        """One plain word: it also finds its inflections through the search stems."""
        return len(self.words) == 1 and not self.prefix and is_stemmable(self.words[0])

    @property
    def each_word(self) -> tuple[Phrase, ...]:
        return tuple(Phrase(w, (w,)) for w in self.words)

    def found_in(self, words: Sequence[str], stems: frozenset[str]) -> bool:
        """Whether a text of these folded words (and stems) holds the phrase, as FTS5 finds it."""
        if self.loose:
            return all(p.found_in(words, stems) for p in self.each_word)
        if self.stemmed and stems & set(word_stems(self.words[0])):
            return True
        own = _key(self.words)
        n = len(own)
        for i in range(len(words) - n + 1):
            head, last = tuple(words[i : i + n - 1]), words[i + n - 1]
            if head == own[:-1] and (last.startswith(own[-1]) if self.prefix else last == own[-1]):
                return True
        return False


@dataclass(frozen=True)
class Term:
    """What one part of a query looks for: the words as typed, then their equivalents."""

    typed: str
    phrases: tuple[Phrase, ...]  # the first is the typed one

    @property
    def expanded(self) -> bool:
        return len(self.phrases) > 1


# A query: terms, each to be found, "OR" between two of them, or "NOT" before one to leave
# out.
Query = list[Term | str]
OPERATORS = ("OR", "NOT")


class Vocabulary:
    """Concepts (sets of equivalent phrases) and the lookup of query words in them."""

    def __init__(self, concepts: Iterable[Sequence[str]] = ()) -> None:
        self.concepts: list[list[Phrase]] = []
        self._index: dict[tuple[str, ...], int] = {}  # folded words -> concept number
        for texts in concepts:
            self._add([p for p in map(Phrase.of, texts) if p])

    def _add(self, phrases: list[Phrase]) -> None:
        """A concept, merged with every known concept it shares a phrase with."""
        joined = {self._index[_key(p.words)] for p in phrases if _key(p.words) in self._index}
        merged: dict[tuple[tuple[str, ...], bool], Phrase] = {}
        for number in sorted(joined):
            merged.update(((p.words, p.prefix), p) for p in self.concepts[number])
            self.concepts[number] = []
        merged.update(((p.words, p.prefix), p) for p in phrases)
        if len(merged) < 2:
            return
        number = len(self.concepts)
        self.concepts.append(list(merged.values()))
        for phrase in merged.values():
            self._index[_key(phrase.words)] = number

    def _lookup(self, words: tuple[str, ...]) -> list[Phrase] | None:
        number = self._index.get(_key(words))
        if number is None and len(words) == 1 and is_stemmable(words[0]):
            # an inflection of a one-word phrase: äldreomsorgen -> äldreomsorg
            stems = set(word_stems(words[0]))
            for concept in self.concepts:
                if any(p.stemmed and stems & set(word_stems(p.words[0])) for p in concept):
                    return concept
        return None if number is None else self.concepts[number]

    def terms(self, text: str, *, exact: bool = False) -> Query:
        """The query's terms: the longest run of words naming a concept is one term."""
        tokens = _TOKEN.findall(text)
        parts: Query = []
        i = 0
        while i < len(tokens):
            if tokens[i] == "OR" and parts and parts[-1] not in OPERATORS:  # else the word "or"
                parts.append("OR")
                i += 1
                continue
            if tokens[i] == "NOT" and (not parts or parts[-1] != "NOT"):
                if parts and parts[-1] == "OR":  # "a OR NOT b": leave b out of what a finds
                    parts.pop()
                parts.append("NOT")
                i += 1
                continue
            term, used = (None, 1) if exact else self._concept_at(tokens, i)
            if term is None:
                typed = tokens[i].replace('"', "")
                phrase = Phrase.of(typed) if typed.rstrip("*") else None
                term = Term(typed, (phrase,)) if phrase else None
            if term is not None:
                parts.append(term)
            i += used
        if parts and parts[-1] in OPERATORS:
            parts.pop()
        return parts

    def _concept_at(self, tokens: list[str], start: int) -> tuple[Term | None, int]:
        for end in range(min(len(tokens), start + 6), start, -1):
            run = tokens[start:end]
            if any(t in OPERATORS or t.endswith("*") for t in run):
                continue
            typed = " ".join(run).replace('"', "")
            words = _words(typed)
            concept = self._lookup(words) if words else None
            if concept:
                own = Phrase(typed, words, loose=len(words) > 1)
                others = tuple(
                    p for p in concept if (_key(p.words), p.prefix) != (_key(words), False)
                )
                return Term(typed, (own, *others)), end - start
        return None, 1


def matched(term: Term, *texts: str | None) -> Phrase | None:
    """The first of the term's phrases that the texts hold (the typed one first)."""
    lower = [w for text in texts for w in _words(text or "")]
    stems = frozenset(s for w in lower if is_stemmable(w) for s in word_stems(w))
    words = [fold(w) for w in lower]
    return next((p for p in term.phrases if p.found_in(words, stems)), None)


def shipped_concepts() -> list[list[str]]:
    """The curated Swedish-English concepts shipped with the program."""
    from importlib import resources

    data = resources.files("monitor").joinpath("data", "vocabulary.toml").read_text("utf-8")
    return [[*c.get("sv", []), *c.get("en", [])] for c in tomllib.loads(data)["concept"]]


def usable_forms(forms: Iterable[str]) -> list[str]:
    """The forms of a rules group that a search can look for (not `*skola`, not `climate-*`)."""
    return [f for f in forms if _FORM.fullmatch(f.strip())]


def rule_groups(rules: RuleSet) -> list[list[str]]:
    """The groups of forms in the rules (areas and gate), each as its label (the word the forms
    are forms of: `"kommun" = { forms = [...] }`) and its usable forms."""
    gate = rules.gate
    lists = [gate.can_apply, gate.serves_municipal, gate.research_only, gate.not_a_call]
    lists += [area.terms for area in rules.areas]
    groups: dict[tuple[str, ...], list[str]] = {}
    for terms in lists:
        for term in terms:
            if term.group is not None:
                label = term.group[-1]
                groups.setdefault((*term.group[:1], label), [label]).append(term.text)
    return [usable_forms(forms) for forms in groups.values()]


def concepts_of(rules: RuleSet | None) -> list[list[str]]:
    """The shipped concepts, then the rules' groups of forms (the texts a Vocabulary joins)."""
    return [*shipped_concepts(), *(rule_groups(rules) if rules else [])]


def load_vocabulary(rules: RuleSet | None) -> Vocabulary:
    """The shipped concepts, joined with the rules' groups of forms where they share one."""
    return Vocabulary(concepts_of(rules))

"""All rule terms compiled into one matcher that reads each item's text once.

Why not one regex per term: with ~1,000 terms that is ~1,000 scans of every text. Instead each
field is tokenised once (one `findall`), and every token is looked up in a cache that maps a
token to the term pieces it satisfies. On a cache miss the token is analysed once: a dict lookup
for exact words, one dict lookup per distinct prefix/suffix length for `klimat*`/`*skola`, and a
substring test for the few `*infix*` terms. Real text repeats its vocabulary, so after the first
few hundred items almost every token is a cache hit and matching costs a dict lookup per token.
Phrases are checked only at tokens that start one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from monitor.rules.model import Area, RuleSet, Term
from monitor.rules.terms import Kind, Piece
from monitor.rules.text import TOKEN_RE, normalise
from monitor.rules.verdict import AreaMatch, GateResult, Verdict

# Input keys -> the rule field they are matched as. Identifiers are not text: they only tell
# the programme code. Any other key is treated as free text (`summary`).
FIELD_OF_KEY = {
    "title": "title",
    "call_title": "call_title",
    "summary": "summary",
    "programme": "programme",
    "programme_code": "programme",
    "keywords": "keywords",
}
_FIELD_RANK = {key: rank for rank, key in enumerate(FIELD_OF_KEY)}
_NOT_TEXT = frozenset({"identifier", "call_identifier"})
_CACHE_LIMIT = 200_000
_MISS = object()

GATE = -1  # owner index of gate terms
TERM, EXCLUDE, FOR, AGAINST, RULE_OUT = "term", "exclude", "for", "against", "rule_out"


@dataclass(frozen=True)
class Rule:
    """One compiled term: who owns it, what it does, and where it may match."""

    owner: int
    role: str
    weight: float
    term: Term
    fields: frozenset[str]


@dataclass(frozen=True)
class Hit:
    """A rule that fired: the text it found and the field it was found in."""

    rule: Rule
    text: str
    field: str


@dataclass
class Scan:
    """Everything one item triggered, before thresholds are applied."""

    hits: list[Hit]
    codes: frozenset[str]
    programme_hits: list[tuple[int, str, float, str]]  # (owner, role, weight, code)


@dataclass(frozen=True)
class Signal:
    """One counted signal: a phrase (or programme) with its weight, for an area or the gate."""

    owner: int
    role: str
    weight: float
    text: str  # as found in the item, or `programme CODE`
    field: str
    rule: str  # the term as written in the rule file, or the programme code


class Tally:
    """Signals and scores per area and for the gate (what `judge` and `explain` read)."""

    def __init__(self, n_areas: int) -> None:
        self.scores = [0.0] * n_areas
        self.signals: list[list[Signal]] = [[] for _ in range(n_areas)]
        self.vetoes: list[list[Signal]] = [[] for _ in range(n_areas)]
        self.gate_score = 0.0
        self.gate_for: list[Signal] = []
        self.gate_against: list[Signal] = []
        self.gate_veto: list[Signal] = []

    def matched(self, area: int, threshold: float) -> bool:
        return (
            bool(self.signals[area]) and not self.vetoes[area] and (self.scores[area] >= threshold)
        )


_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9-]*")
_TRAILING_PARENS_RE = re.compile(r"\(([^()]*)\)\s*$")
_ID_SPLIT_RE = re.compile(r"[-/_\s]")


def programme_codes(fields: Mapping[str, str | None]) -> frozenset[str]:
    """Programme codes an item names: `programme_code`, `Name (CODE)`, `CODE-2026-...` ids."""
    found: set[str] = set()

    def add(raw: str) -> None:
        code = _CODE_RE.search(raw.upper())
        if code:
            found.add(code.group(0).rstrip("-"))

    if code := fields.get("programme_code"):
        add(str(code))
    if programme := fields.get("programme"):
        parens = _TRAILING_PARENS_RE.search(str(programme))
        if parens:
            add(parens.group(1))
    for key in ("identifier", "call_identifier"):
        if identifier := fields.get(key):
            add(_ID_SPLIT_RE.split(str(identifier).strip(), maxsplit=1)[0])
    return frozenset(found)


class Matcher:
    """Built once per run by `RuleSet.compile()`; `match()` is safe to call on any text."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.areas: tuple[Area, ...] = ruleset.areas
        self.rules: list[Rule] = []
        gate = ruleset.gate
        for index, area in enumerate(self.areas):
            fields = frozenset(area.fields)
            self._add(index, TERM, area.terms, fields)
            self._add(index, EXCLUDE, area.exclude, fields)
        gate_fields = frozenset(gate.fields)
        self._add(GATE, FOR, gate.can_apply, gate_fields)
        self._add(GATE, FOR, gate.serves_municipal, gate_fields)
        self._add(GATE, AGAINST, gate.research_only, gate_fields)
        self._add(GATE, AGAINST, gate.not_a_call, gate_fields)
        self._add(GATE, RULE_OUT, gate.rule_out, gate_fields)
        self._programme_rules = self._compile_programmes()
        self._compile_pieces()
        self._cache: dict[str, tuple | None] = {}

    # -- compiling ---------------------------------------------------------------------------

    def _add(self, owner: int, role: str, terms: tuple[Term, ...], fields: frozenset[str]):
        for term in terms:
            self.rules.append(Rule(owner, role, term.weight, term, fields))

    def _compile_programmes(self) -> dict[str, list[tuple[int, str, float]]]:
        by_code: dict[str, list[tuple[int, str, float]]] = {}
        for index, area in enumerate(self.areas):
            for code, weight in area.programmes_likely.items():
                by_code.setdefault(code, []).append((index, TERM, weight))
            for code in area.programmes_impossible:
                by_code.setdefault(code, []).append((index, EXCLUDE, 0.0))
        gate = self.ruleset.gate
        for code, weight in gate.programmes_likely.items():
            by_code.setdefault(code, []).append((GATE, FOR, weight))
        for code in gate.programmes_rule_out:
            by_code.setdefault(code, []).append((GATE, RULE_OUT, 0.0))
        return by_code

    def _compile_pieces(self) -> None:
        piece_ids: dict[Piece, int] = {}
        for rule in self.rules:
            for piece in rule.term.pieces:
                piece_ids.setdefault(piece, len(piece_ids))
        self._exact: dict[str, int] = {}
        self._prefix: dict[str, int] = {}
        self._suffix: dict[str, int] = {}
        self._infix: list[tuple[str, int]] = []
        for piece, pid in piece_ids.items():
            if piece.kind is Kind.EXACT:
                self._exact[piece.core] = pid
            elif piece.kind is Kind.PREFIX:
                self._prefix[piece.core] = pid
            elif piece.kind is Kind.SUFFIX:
                self._suffix[piece.core] = pid
            else:
                self._infix.append((piece.core, pid))
        self._prefix_lens = sorted({len(core) for core in self._prefix})
        self._suffix_lens = sorted({len(core) for core in self._suffix})
        # For each piece: rules it completes alone, and phrases it starts (rule, later pieces).
        self._singles: list[list[int]] = [[] for _ in piece_ids]
        self._starts: list[list[tuple[int, tuple[int, ...]]]] = [[] for _ in piece_ids]
        for rid, rule in enumerate(self.rules):
            pids = tuple(piece_ids[p] for p in rule.term.pieces)
            if len(pids) == 1:
                self._singles[pids[0]].append(rid)
            else:
                self._starts[pids[0]].append((rid, pids[1:]))

    def _analyse(self, token: str) -> tuple | None:
        """(single rules, phrase starts, piece ids) for a token never seen before, or None."""
        pids: set[int] = set()
        if (pid := self._exact.get(token)) is not None:
            pids.add(pid)
        size = len(token)
        for length in self._prefix_lens:
            if length > size:
                break
            if (pid := self._prefix.get(token[:length])) is not None:
                pids.add(pid)
        for length in self._suffix_lens:
            if length > size:
                break
            if (pid := self._suffix.get(token[-length:])) is not None:
                pids.add(pid)
        for core, pid in self._infix:
            if core in token:
                pids.add(pid)
        info = None
        if pids:
            singles = tuple(r for p in pids for r in self._singles[p])
            starts = tuple(s for p in pids for s in self._starts[p])
            info = (singles, starts, frozenset(pids))
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # bounded memory on endless unseen vocabulary
        self._cache[token] = info
        return info

    # -- matching ----------------------------------------------------------------------------

    def scan(self, fields: Mapping[str, str | None]) -> Scan:
        """Every rule and programme signal the item triggers, thresholds not yet applied."""
        found: dict[int, Hit] = {}
        rules = self.rules
        cache_get = self._cache.get
        analyse = self._analyse
        # Title first: a phrase found in the title and the summary counts as a title hit.
        for key in sorted(fields, key=lambda k: _FIELD_RANK.get(k, len(_FIELD_RANK))):
            value = fields[key]
            if not value or key in _NOT_TEXT:
                continue
            field = FIELD_OF_KEY.get(key, "summary")
            tokens = TOKEN_RE.findall(normalise(value if isinstance(value, str) else str(value)))
            count = len(tokens)
            for index, token in enumerate(tokens):
                info = cache_get(token, _MISS)
                if info is _MISS:
                    info = analyse(token)
                if info is None:
                    continue
                for rid in info[0]:
                    if rid not in found and field in rules[rid].fields:
                        found[rid] = Hit(rules[rid], token, field)
                for rid, rest in info[1]:
                    if rid in found or index + len(rest) >= count:
                        continue
                    if field in rules[rid].fields and self._phrase_at(tokens, index + 1, rest):
                        text = " ".join(tokens[index : index + 1 + len(rest)])
                        found[rid] = Hit(rules[rid], text, field)
        codes = programme_codes(fields)
        programme_hits = [
            (owner, role, weight, code)
            for code in sorted(codes)
            for owner, role, weight in self._programme_rules.get(code, ())
        ]
        return Scan(list(found.values()), codes, programme_hits)

    def _phrase_at(self, tokens: list[str], start: int, rest: tuple[int, ...]) -> bool:
        for offset, pid in enumerate(rest):
            token = tokens[start + offset]
            info = self._cache.get(token, _MISS)
            if info is _MISS:
                info = self._analyse(token)
            if info is None or pid not in info[2]:
                return False
        return True

    def match(self, fields: Mapping[str, str | None]) -> Verdict:
        """The gate outcome and the areas above threshold for one item."""
        return self.judge(self.scan(fields))

    def tally(self, scan: Scan) -> Tally:
        """Add up the signals of a scan per area and for the gate."""
        # The same words found by two rules of one owner (`migration*` in sv, `migration` in
        # en) are one signal: they count once, with the higher weight.
        strongest: dict[tuple[int, str, str], Signal] = {}
        signals = [Signal(h.rule.owner, h.rule.role, h.rule.weight, h.text, h.field,
                          h.rule.term.text) for h in scan.hits]  # fmt: skip
        signals += [Signal(o, r, w, f"programme {c}", "programme", c)
                    for o, r, w, c in scan.programme_hits]  # fmt: skip
        for signal in signals:
            key = (signal.owner, signal.role, signal.text)
            if key not in strongest or abs(signal.weight) > abs(strongest[key].weight):
                strongest[key] = signal
        tally = Tally(len(self.areas))
        title_boost = self.ruleset.gate.title_boost
        for signal in strongest.values():
            if signal.owner == GATE:
                if signal.role == FOR:
                    tally.gate_score += signal.weight
                    tally.gate_for.append(signal)
                elif signal.role == AGAINST:
                    tally.gate_score -= signal.weight
                    tally.gate_against.append(signal)
                else:
                    tally.gate_veto.append(signal)
            elif signal.role == TERM:
                tally.scores[signal.owner] += signal.weight * (
                    title_boost if signal.field == "title" else 1.0
                )
                tally.signals[signal.owner].append(signal)
            else:
                tally.vetoes[signal.owner].append(signal)
        return tally

    def judge(self, scan: Scan) -> Verdict:
        tally = self.tally(scan)
        threshold = self.ruleset.gate.threshold
        gate = GateResult(
            passed=not tally.gate_veto and tally.gate_score >= threshold,
            score=round(tally.gate_score, 3),
            threshold=threshold,
            phrases=_strongest(tally.gate_for),
            against=_strongest(tally.gate_against),
            excluded_by=[s.text for s in tally.gate_veto],
        )
        matches = [
            AreaMatch(area.id, round(tally.scores[i], 3), _strongest(tally.signals[i]))
            for i, area in enumerate(self.areas)
            if tally.matched(i, area.threshold)
        ]
        matches.sort(key=lambda m: -m.score)  # stable: ties keep the configured area order
        return Verdict(relevant=gate.passed and bool(matches), gate=gate, areas=matches)

    def explain(self, fields: Mapping[str, str | None]) -> str:
        """A human-readable account of the gate and every area, near misses included."""
        from monitor.rules.explain import explain

        return explain(self, fields)


def _strongest(signals: list[Signal]) -> list[str]:
    """Signal texts, strongest first, each once."""
    seen: dict[str, None] = {}
    for signal in sorted(signals, key=lambda s: -abs(s.weight)):
        seen.setdefault(signal.text, None)
    return list(seen)

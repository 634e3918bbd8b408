"""The matcher built once per run: finds every rule an item triggers and judges it.

`scan()` finds the rules (through the one `TermIndex`, see `index.py` for why it is fast) and
the programme signals; `judge()` adds them up into a `Verdict`; `tally()` keeps every signal for
`explain()`. `match()` is the per-item fast path: the same verdict as `judge(scan())`, without
building the explain-only records (a test holds the two to the same verdicts). Scores follow
rules an admin can predict:
- a rule counts once per item, however often its phrase appears;
- the same words found by two rules of one area (`migration*` and `migration`) count once, with
  the higher weight;
- the forms of one group (`"kommun" = { weight = 2, forms = [...] }`) count once together, at
  the group's weight, however many of them are found (the first found, title first, is shown);
- an area phrase found in the title counts `title_boost` times (set in the gate file).
When the gate file has `[requires]`, an item passes the gate only if it names an EU or funding
context: one of those phrases, any programme code (only funding portals fill the programme
fields) or a call identifier in its text.
"""

from __future__ import annotations

from collections.abc import Mapping

from monitor.rules.index import TermIndex
from monitor.rules.model import Area, RuleSet, Term
from monitor.rules.negation import CONTEXT_WORDS, CUE_WORDS, negated, worth_reading
from monitor.rules.programmes import call_in_text, programme_codes
from monitor.rules.scan import (
    AGAINST,
    CAN_APPLY,
    EXCLUDE,
    FOR,
    GATE,
    GATE_PARTS,
    NOT_A_CALL,
    PROGRAMME,
    REQUIRE,
    RESEARCH_ONLY,
    RULE_OUT,
    SERVES,
    TERM,
    Hit,
    Rule,
    Scan,
)
from monitor.rules.scorer import RELEVANT, Rules
from monitor.rules.tally import Tally, tally_scan
from monitor.rules.terms import Kind, Piece
from monitor.rules.text import chunks
from monitor.rules.verdict import Verdict, by_weight, make_area, make_gate, make_verdict

# Input keys -> the rule field they are matched as, in the order they are read (title first,
# so a phrase in both the title and the summary counts as a title hit). Identifiers are not
# text: they only tell the programme code. Any other key is free text, read as `summary`.
FIELD_OF_KEY = {
    "title": "title",
    "call_title": "call_title",
    "summary": "summary",
    "programme": "programme",
    "programme_code": "programme",
    "keywords": "keywords",
    "description": "description",
    "conditions": "conditions",
}
_FIELD_RANK = {key: rank for rank, key in enumerate(FIELD_OF_KEY)}
# Metadata, not text: identifiers tell the programme code, the type of action is a prior.
_NOT_TEXT = frozenset({"identifier", "call_identifier", "type_of_action"})
_READ_ORDER = tuple(FIELD_OF_KEY)
_KNOWN_KEYS = frozenset(FIELD_OF_KEY) | _NOT_TEXT


def _read_order(key: str) -> int:
    return _FIELD_RANK.get(key, len(_FIELD_RANK))


def _texts(fields: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """(rule field, text) for every text of an item, in read order (title first)."""
    keys = fields.keys()
    if keys <= _KNOWN_KEYS:  # the usual item: one pass over the known keys, in read order
        return [
            (FIELD_OF_KEY[key], value if isinstance(value, str) else str(value))
            for key in _READ_ORDER
            if key in keys and (value := fields[key])
        ]
    ordered = sorted(keys, key=_read_order)
    return [
        (FIELD_OF_KEY.get(key, "summary"), value if isinstance(value, str) else str(value))
        for key in ordered
        if (value := fields[key]) and key not in _NOT_TEXT
    ]


_NONE: frozenset[int] = frozenset()
_RESTRICTED: frozenset[int] = frozenset({-1})  # who may apply is restricted to non-municipal

# (owner, role, words) -> (weight, field, group, part): the strongest signal of those words
_Strongest = dict[tuple[int, str, str], tuple[float, str, tuple[str, ...] | None, int]]
# A gate table's place among the gate's parts (GATE_PARTS); -1 for an area's rules.
_PART_AT = {table: at for at, table in enumerate(GATE_PARTS)}
_CAN_APPLY_AT, _SERVES_AT, _PROGRAMME_AT = (
    _PART_AT[CAN_APPLY],
    _PART_AT[SERVES],
    _PART_AT[PROGRAMME],
)


class Matcher:
    """Built once per run by `RuleSet.compile()`; `match()` is safe to call on any text."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.areas: tuple[Area, ...] = ruleset.areas
        self.rules: list[Rule] = []
        gate = ruleset.gate
        for index, area in enumerate(self.areas):
            self._add(index, TERM, area.terms, area.fields)
            self._add(index, EXCLUDE, area.exclude, area.fields)
        self._add(GATE, FOR, gate.can_apply, gate.applicant_fields or gate.fields, CAN_APPLY)
        self._add(GATE, FOR, gate.serves_municipal, gate.fields, SERVES)
        self._add(GATE, AGAINST, gate.research_only, gate.fields, RESEARCH_ONLY)
        self._add(GATE, AGAINST, gate.not_a_call, gate.fields, NOT_A_CALL)
        self._add(GATE, RULE_OUT, gate.rule_out, gate.fields)
        self._add(GATE, REQUIRE, gate.requires, gate.fields)
        self._requires = bool(gate.requires)
        # After the rules' terms, the words that can start a negation (negation.py), so that
        # finding the terms also tells which texts are worth reading for one.
        cue_words = sorted(CUE_WORDS | CONTEXT_WORDS)
        self._cue_word = dict(enumerate(cue_words, start=len(self.rules)))
        self._cues = frozenset(self._cue_word)
        self._negators = frozenset(r for r, word in self._cue_word.items() if word in CUE_WORDS)
        cues = [(Piece(Kind.EXACT, word),) for word in cue_words]
        self.index = TermIndex([*(rule.term.pieces for rule in self.rules), *cues])
        # For `match()`: per rule what scoring needs, and per field the rules that read it.
        self._rule_info = [
            (r.owner, r.role, r.weight, r.term.group, _PART_AT.get(r.table, -1)) for r in self.rules
        ]
        self._programme_terms: dict[str, dict[int, str]] = {}  # programme name -> terms found
        self._reads = {
            field: frozenset(rid for rid, rule in enumerate(self.rules) if field in rule.fields)
            for field in set(FIELD_OF_KEY.values())
        }
        self._programme_rules = self._compile_programmes()
        self._thresholds = [area.threshold for area in self.areas]
        self._area_ids = [area.id for area in self.areas]
        self._threshold = gate.threshold
        self._title_boost = gate.title_boost
        # Applicant phrases in a negated clause ("kommuner kan inte söka") count nothing: see
        # negation.py. Only the texts the applicant phrases read are looked at.
        self._applicant_fields = frozenset(gate.applicant_fields or gate.fields)
        self._can_apply = frozenset(
            rid for rid, rule in enumerate(self.rules) if rule.table == CAN_APPLY
        )
        self._negated: dict[str, frozenset[int]] = {}  # text -> its negated applicant rules

    def _add(
        self, owner: int, role: str, terms: tuple[Term, ...], fields: tuple[str, ...], table=""
    ) -> None:
        for term in terms:
            self.rules.append(Rule(owner, role, term.weight, term, frozenset(fields), table))

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

    def scan(self, fields: Mapping[str, str | None]) -> Scan:
        """Every rule and programme signal the item triggers, thresholds not yet applied."""
        hits: dict[int, Hit] = {}
        rules = self.rules
        texts = _texts(fields)
        found_in: dict[str, dict[int, str]] = {}
        off_in = self._negations(texts, found_in)
        negated_words: dict[str, None] = {}
        for field, text in texts:
            in_text = found_in.get(text)
            if in_text is None:
                in_text = found_in[text] = self.index.find(chunks(text))
            off = off_in.get(text, _NONE)
            for rid, words in in_text.items():
                if rid in self._cues or field not in rules[rid].fields:
                    continue
                if rid in off:
                    negated_words.setdefault(words, None)
                elif rid not in hits:
                    hits[rid] = Hit(rules[rid], words, field)
        codes = programme_codes(fields)
        found = list(hits.values())
        phrases = [hit.text for hit in found if hit.rule.role == REQUIRE]
        anchor = self._anchor(fields, min(phrases) if phrases else None, codes)
        counted = {hit.text for hit in found if hit.rule.table == CAN_APPLY}
        unsaid = tuple(words for words in negated_words if words not in counted)
        return Scan(found, codes, self._programme_hits(codes), anchor, fields, unsaid)

    def _negations(
        self, texts: list[tuple[str, str]], found_in: dict[str, dict[int, str]]
    ) -> dict[str, frozenset[int]]:
        """Text -> the applicant rules it only satisfies inside a negated clause (`found_in`
        gets the texts it had to search). When a text restricts who may apply to applicants a
        municipality is not ("only SMEs may apply"), no applicant rule counts in any text."""
        if not self._can_apply:
            return {}
        applicant = [text for field, text in texts if field in self._applicant_fields]
        find, can_apply, negators = self.index.find, self._can_apply, self._negators
        said = cued = False  # an applicant phrase found; a word that can start a negation
        for text in applicant:
            if (found := found_in.get(text)) is None:
                found = found_in[text] = find(chunks(text))  # searched anyway, once
            said = said or not can_apply.isdisjoint(found)
            cued = cued or not negators.isdisjoint(found)
        off_in: dict[str, frozenset[int]] = {}
        if not (said and cued):  # the usual case: nothing to negate, or nothing negating it
            return off_in
        for text in applicant:
            off = self._negated.get(text)
            if off is None:
                found = found_in[text]
                if negators.isdisjoint(found):
                    continue
                if len(self._negated) >= 4096:
                    self._negated.clear()
                off = self._negated[text] = self._negated_in(text, found)
            if off is _RESTRICTED:
                return {text: can_apply for _, text in texts}
            if off:
                off_in[text] = off
        return off_in

    def _negated_in(self, text: str, found: dict[int, str]) -> frozenset[int]:
        """The applicant rules `text` (`found` in it) satisfies only inside a negated clause, or
        _RESTRICTED."""
        cue_word = self._cue_word
        if not worth_reading({cue_word[r] for r in self._cues.intersection(found)}):
            return _NONE  # a "not" with no word of who may apply near it, in the usual text
        clauses = negated(text)
        if clauses is None:
            return _NONE
        if clauses.restricted:
            return _RESTRICTED
        find, can_apply = self.index.find, self._can_apply
        if can_apply.isdisjoint(found) or can_apply.isdisjoint(find(clauses.blanked)):
            return _NONE  # the usual case: nothing said of who may not apply is an applicant
        kept = find(clauses.chunks)
        return frozenset(r for r in found if r in can_apply and r not in kept)

    def _programme_hits(self, codes: frozenset[str]) -> list[tuple[int, str, float, str]]:
        return [
            (owner, role, weight, code)
            for code in sorted(codes)
            for owner, role, weight in self._programme_rules.get(code, ())
        ]

    def _anchor(
        self, fields: Mapping[str, str | None], phrase: str | None, codes: frozenset[str]
    ) -> str | None:
        """What shows an EU or funding context: a programme code, a `[requires]` phrase (the
        first alphabetically, so every run names the same one) or a call identifier in the text.
        """
        if not self._requires:
            return None
        if codes:
            return f"programme {min(codes)}"
        if phrase is not None:
            return phrase
        read = self.ruleset.gate.fields
        for key, value in fields.items():
            if not value or key in _NOT_TEXT or FIELD_OF_KEY.get(key, "summary") not in read:
                continue
            if found := call_in_text(str(value)):
                return f"call {found}"
        return None

    def tally(self, scan: Scan) -> Tally:
        """Add up the signals of a scan per area and for the gate (what `explain` reads)."""
        return tally_scan(scan, len(self.areas), self._title_boost)

    def judge(self, scan: Scan) -> Verdict:
        """The verdict for a scan: gate outcome and the areas above their threshold.

        The same arithmetic as `tally()`, without keeping every signal (this runs per item).
        """
        strongest: _Strongest = {}
        for rule, words, field in scan.hits:
            key = (rule.owner, rule.role, words)
            known = strongest.get(key)
            if known is None or abs(rule.weight) > abs(known[0]):
                strongest[key] = (rule.weight, field, rule.term.group, _PART_AT.get(rule.table, -1))
        return self._verdict(
            strongest, scan.programme_hits, scan.anchor, scan.fields or {}, scan.codes
        )

    def match(self, fields: Mapping[str, str | None]) -> Verdict:
        """The gate outcome and the areas above threshold for one item.

        `judge(scan(fields))` in one pass: no `Hit` records, no `strongest` table between
        finding and adding up, `[requires]` hits only tracked for the anchor. Signals are added
        up as they are found, which is the order `judge` adds them up in (the first find of
        each words), with one exception: where a later rule finds the same words more strongly,
        `judge` counts the stronger weight in the earlier place. Floats added in another order
        can differ in the last bit, so such an item (about one in ten) takes `_match_in_order`,
        the two passes of `judge`, from the texts already searched.
        """
        strength: dict[tuple[int, str, str], float] = {}  # (owner, role, words) -> weight
        seen: set[int] = set()
        phrase: str | None = None  # the alphabetically first `[requires]` words
        groups: set[tuple[int, tuple[str, ...]]] = set()
        scores = [0.0] * len(self.areas)
        phrases: dict[int, list[float | str]] = {}  # area -> flat [weight, words, ...]
        vetoed: set[int] = set()
        parts = [0.0] * len(GATE_PARTS)
        gate_for: list[float | str] = []
        gate_against: list[float | str] = []
        gate_veto: list[str] = []
        boost = self._title_boost
        info, reads, find = self._rule_info, self._reads, self.index.find
        # A stored item without a full text has its summary again as `description`
        # (matching.item_fields): the same text is searched once per item.
        found_in: dict[str, dict[int, str]] = {}
        texts = _texts(fields)
        off_in = self._negations(texts, found_in)
        for field, text in texts:
            reading = reads[field]
            if not reading:  # no rule reads it: a full text is not worth tokenising for nothing
                continue
            if field == "programme":  # a few dozen names, repeated on every call of each
                found = self._programme_found(text)
            elif text in found_in:
                found = found_in[text]
            else:
                found = found_in[text] = find(chunks(text))
            off = off_in.get(text, _NONE) if off_in else _NONE
            for rid, words in found.items():
                if rid in seen or rid not in reading or rid in off:
                    continue  # (negated here: another of the item's texts may still say it)
                seen.add(rid)
                owner, role, weight, group, at = info[rid]
                if role == REQUIRE:
                    if phrase is None or words < phrase:
                        phrase = words
                    continue
                key = (owner, role, words)
                known = strength.get(key)
                if known is not None:
                    if abs(weight) > abs(known):
                        return self._match_in_order(fields, texts, found_in, off_in)
                    continue  # the same words, as strong or weaker: counted once already
                strength[key] = weight
                if group is not None:
                    if (owner, group) in groups:
                        continue  # another form of this group already counted
                    groups.add((owner, group))
                if owner == GATE:
                    if role == FOR:
                        parts[at] += weight
                        gate_for.append(weight)
                        gate_for.append(words)
                    elif role == AGAINST:
                        parts[at] += weight
                        gate_against.append(weight)
                        gate_against.append(words)
                    else:
                        gate_veto.append(words)
                elif role == TERM:
                    if field == "title":
                        weight = weight * boost
                    scores[owner] += weight
                    if owner in phrases:
                        phrases[owner] += weight, words
                    else:
                        phrases[owner] = [weight, words]
                else:
                    vetoed.add(owner)
        codes = programme_codes(fields)
        anchor = self._anchor(fields, phrase, codes)
        for owner, role, weight, code in self._programme_hits(codes) if codes else ():
            words = f"programme {code}"
            if (owner, role, words) in strength:
                return self._match_in_order(fields, texts, found_in, off_in)
            strength[owner, role, words] = weight
            if owner == GATE:
                if role == FOR:
                    parts[_PROGRAMME_AT] += weight
                    gate_for.append(weight)
                    gate_for.append(words)
                else:
                    gate_veto.append(words)
            elif role == TERM:
                scores[owner] += weight
                if owner in phrases:
                    phrases[owner] += weight, words
                else:
                    phrases[owner] = [weight, words]
            else:
                vetoed.add(owner)
        return self._finish(
            scores, phrases, vetoed, parts, gate_for, gate_against, gate_veto, anchor, fields, codes
        )

    def _programme_found(self, text: str) -> dict[int, str]:
        """What the programme field's text holds: a few dozen names, repeated on every call of
        each, so kept (bounded) rather than found again."""
        found = self._programme_terms.get(text)
        if found is None:
            if len(self._programme_terms) >= 4096:
                self._programme_terms.clear()
            found = self._programme_terms[text] = self.index.find(chunks(text))
        return found

    def _match_in_order(
        self,
        fields: Mapping[str, str | None],
        texts: list[tuple[str, str]],
        found_in: dict[str, dict[int, str]],
        off_in: dict[str, frozenset[int]],
    ) -> Verdict:
        """`match()` for an item where a later rule finds words an earlier one found, more
        strongly: the strongest signal per words first, in the order each words were first
        found, then added up (`_verdict`), as `judge` does. The texts already searched are
        not searched again."""
        strongest: _Strongest = {}
        seen: set[int] = set()
        phrase: str | None = None
        info, reads, find = self._rule_info, self._reads, self.index.find
        for field, text in texts:
            reading = reads[field]
            if not reading:
                continue
            if field == "programme":
                found = self._programme_found(text)
            elif text in found_in:
                found = found_in[text]
            else:
                found = found_in[text] = find(chunks(text))
            off = off_in.get(text, _NONE) if off_in else _NONE
            for rid, words in found.items():
                if rid in seen or rid not in reading or rid in off:
                    continue
                seen.add(rid)
                owner, role, weight, group, at = info[rid]
                if role == REQUIRE:
                    if phrase is None or words < phrase:
                        phrase = words
                    continue
                key = (owner, role, words)
                known = strongest.get(key)
                if known is None or abs(weight) > abs(known[0]):
                    strongest[key] = (weight, field, group, at)
        codes = programme_codes(fields)
        anchor = self._anchor(fields, phrase, codes)
        hits = self._programme_hits(codes) if codes else []
        return self._verdict(strongest, hits, anchor, fields, codes)

    def _verdict(
        self,
        strongest: _Strongest,
        programme_hits: list[tuple[int, str, float, str]],
        anchor: str | None,
        fields: Mapping[str, str | None],
        codes: frozenset[str],
    ) -> Verdict:
        """Add up the strongest signal per (owner, role, words) into the verdict and its tier.

        What only `explain`, `show` and the tests read (the gate's phrase lists, vetoes and
        parts, the scorer's contributions) goes into the verdict raw, made into its field when
        first read (see verdict.py): the store and the digest never ask for it."""
        for owner, role, weight, code in programme_hits:
            key = (owner, role, f"programme {code}")
            strongest[key] = (weight, "programme", None, _PROGRAMME_AT)
        groups_counted: set[tuple[int, tuple[str, ...]]] = set()
        scores = [0.0] * len(self.areas)
        # Weighted words as flat [weight, words, weight, words, ...]: no pair made per signal,
        # and a verdict's raw phrase lists are one tuple each for the garbage collector.
        phrases: dict[int, list[float | str]] = {}  # area -> its weighted words
        vetoed: set[int] = set()
        parts = [0.0] * len(GATE_PARTS)
        gate_for: list[float | str] = []
        gate_against: list[float | str] = []
        gate_veto: list[str] = []
        boost = self._title_boost
        for (owner, role, words), (weight, field, group, at) in strongest.items():
            if group is not None:
                if (owner, group) in groups_counted:
                    continue  # another form of this group already counted
                groups_counted.add((owner, group))
            if owner == GATE:
                if role == FOR:
                    parts[at] += weight
                    gate_for.append(weight)
                    gate_for.append(words)
                elif role == AGAINST:
                    parts[at] += weight
                    gate_against.append(weight)
                    gate_against.append(words)
                elif role == REQUIRE:
                    continue  # presence only: `scan.anchor` already says what was found
                else:
                    gate_veto.append(words)
            elif role == TERM:
                weight = weight * boost if field == "title" else weight
                scores[owner] += weight
                if owner in phrases:
                    phrases[owner] += weight, words
                else:
                    phrases[owner] = [weight, words]
            else:
                vetoed.add(owner)
        return self._finish(
            scores, phrases, vetoed, parts, gate_for, gate_against, gate_veto, anchor, fields, codes
        )

    def _finish(
        self,
        scores: list[float],
        phrases: dict[int, list[float | str]],
        vetoed: set[int],
        parts: list[float],
        gate_for: list[float | str],
        gate_against: list[float | str],
        gate_veto: list[str],
        anchor: str | None,
        fields: Mapping[str, str | None],
        codes: frozenset[str],
    ) -> Verdict:
        """The verdict from the signals added up: per area its score and weighted words, the
        gate's parts (in `GATE_PARTS` order) and its weighted words for and against."""
        gate_score = self._gate_score(parts)
        threshold = self._threshold
        missing = self._requires and anchor is None
        # A programme prior alone passes nothing: some phrase must say who applies or which
        # municipal task the call serves.
        said = parts[_CAN_APPLY_AT] + parts[_SERVES_AT] > 0
        passed = not gate_veto and not missing and said and gate_score >= threshold
        rounded = round(gate_score, 3)
        # most parts are 0.0 (or -0.0), which round() would give back as they are
        part_values = tuple([round(value, 3) if value else value for value in parts])
        ids, thresholds = self._area_ids, self._thresholds
        matches = [
            make_area(ids[i], round(scores[i], 3), by_weight(found))
            for i, found in sorted(phrases.items())
            if i not in vetoed and scores[i] >= thresholds[i]
        ]
        if len(matches) > 1:
            matches.sort(key=lambda m: -m.score)  # stable: ties keep the configured area order
        # The tier: from the learned scorer where there is one, else from the rules.
        rules = Rules(bool(gate_veto) or missing, passed, bool(matches), rounded)
        scorer = self.ruleset.scorer
        contributions: tuple[str | float, ...] = ()
        score: float | None = None
        if scorer is None:
            tier = rules.tier()
        else:
            best = matches[0].score if matches else 0.0  # the max: they are sorted
            score, tier, contributions = scorer.ranked(part_values, best, rules, fields, codes)
        gate = make_gate(
            passed,
            rounded,
            threshold,
            tuple(gate_for),
            tuple(gate_against),
            tuple(gate_veto),
            anchor,
            missing,
            part_values,
        )
        return make_verdict(tier == RELEVANT, gate, matches, tier, score, contributions)

    def _gate_score(self, parts: list[float]) -> float:
        """For minus against plus the programme prior. Where a phrase says a municipality can
        apply, the signals against count at most `against_cap`: a call that lists research
        fields or names the grids a municipal company runs is not thereby closed to it."""
        can_apply, serves, research_only, not_a_call, programme = parts
        against = research_only + not_a_call
        cap = self.ruleset.gate.against_cap
        if cap is not None and can_apply > 0:
            against = min(against, cap)
        return can_apply + serves + programme - against

    def explain(self, fields: Mapping[str, str | None], language: str = "en") -> str:
        """A human-readable account of the gate and every area, near misses included."""
        from monitor.rules.explain import explain

        return explain(self, fields, language)

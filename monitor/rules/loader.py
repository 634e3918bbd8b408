"""Load and validate `rules/`: every area file plus the gate, all or nothing.

Every problem raises `RuleError` naming the file, the line where it can be found, the area and
the key, e.g. `rules/kultur.toml, line 12: area kultur, key terms.sv: empty term`. Nothing is
returned until every file has been read and checked, so a run never starts with half the rules.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from monitor.errors import RuleError
from monitor.rules.model import DEFAULT_FIELDS, FIELDS, Area, Gate, RuleSet, Term
from monitor.rules.scorer import SCORER_FILE, load_scorer
from monitor.rules.terms import TermSyntaxError, parse_term
from monitor.toml_words import plain_syntax_error
from monitor.tomllines import find_line

GATE_FILE = "_gate.toml"

_AREA_KEYS = {
    "id", "name", "description", "threshold", "fields", "slack_channel",
    "terms", "exclude", "programmes",
}  # fmt: skip
_GATE_KEYS = {
    "threshold", "fields", "area_order", "can_apply", "serves_municipal", "research_only",
    "not_a_call", "rule_out", "requires", "programmes", "title_boost", "against_cap",
    "applicant_fields",
}  # fmt: skip
_AREA_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANG_RE = re.compile(r"[a-z]{2,3}")
_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9-]*")
_TOML_AT_RE = re.compile(r"\s*\(at line (\d+), column \d+\)")


class _File:
    """One rule file being checked; knows how to point at a key in it."""

    def __init__(self, path: Path, where: str | None = None) -> None:
        self.path = path
        self.where = where
        try:
            # utf-8-sig: a BOM (Windows Notepad writes one) is not TOML; accepted and dropped.
            self.text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RuleError(f"not UTF-8 text ({exc.reason})", file=path) from exc
        except OSError as exc:
            raise RuleError(f"cannot read: {exc.strerror}", file=path) from exc
        try:
            self.data: dict[str, Any] = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            at = _TOML_AT_RE.search(message)
            line = int(at.group(1)) if at else None
            raise RuleError(plain_syntax_error(message), file=path, line=line) from exc

    def error(
        self, message: str, table: tuple[str, ...] = (), key: str | None = None,
        value: str | None = None, *, term_key: bool = False,
    ) -> RuleError:  # fmt: skip
        """A RuleError pointing at `key` in `[table]`; `term_key`: the key is a term itself."""
        shown = table if term_key or key is None else (*table, key)
        dotted = ".".join(shown)
        where = ", ".join(p for p in (self.where, f"key {dotted}" if dotted else None) if p)
        line = find_line(self.text, table, key, value)
        return RuleError(message, file=self.path, line=line, where=where or None)

    def check_keys(self, table: Mapping[str, Any], allowed: set[str], path: tuple[str, ...]):
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.error(f"unknown key {key!r} (known keys: {known})", path, key)

    def text_value(self, table: Mapping[str, Any], key: str, *, required: bool = True) -> str:
        value = table.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            problem = "is missing" if value is None else "must be non-empty text in quotes"
            raise self.error(f"{key!r} {problem}", (), key)
        return value.strip()

    def number(self, value: Any, table: tuple[str, ...], key: str, *, term: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            what = f"the weight of {key!r}" if term else repr(key)
            raise self.error(f"{what} must be a number, not {value!r}", table, key, term_key=term)
        if not math.isfinite(value):  # TOML allows nan and inf; a score cannot use them
            what = f"the weight of {key!r}" if term else repr(key)
            raise self.error(
                f"{what} must be a finite number, not {value!r}", table, key, term_key=term
            )
        return float(value)

    def table(self, data: Mapping[str, Any], key: str, path: tuple[str, ...] = ()) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error("must be a table (a [section] in the file)", path, key)
        return value

    def fields(
        self,
        data: Mapping[str, Any],
        key: str = "fields",
        default: tuple[str, ...] = DEFAULT_FIELDS,
    ) -> tuple[str, ...]:
        value = data.get(key, list(default))
        if not isinstance(value, list) or not value:
            raise self.error(f"must be a list of fields among {', '.join(FIELDS)}", (), key)
        for name in value:
            if name not in FIELDS:
                raise self.error(
                    f"unknown field {name!r} (known: {', '.join(FIELDS)})", (), key, str(name)
                )
        return tuple(dict.fromkeys(value))

    def weighted_terms(self, data: Mapping[str, Any], key: str) -> tuple[Term, ...]:
        """`[key.sv]` / `[key.en]` tables of `"term" = weight` lines and groups of forms."""
        terms: list[Term] = []
        for lang, table in self.table(data, key).items():
            path = (key, lang)
            if not _LANG_RE.fullmatch(lang):
                raise self.error(f"{lang!r} is not a language code such as sv or en", (key,), lang)
            if not isinstance(table, dict):
                raise self.error('must be a table of "term" = weight lines', (key,), lang)
            for raw, weight in table.items():
                if isinstance(weight, dict):
                    terms.extend(self.group(raw, weight, path))
                    continue
                pieces = self.pieces(raw, path)
                terms.append(Term(raw, pieces, self.number(weight, path, raw, term=True)))
        return tuple(terms)

    def group(self, name: str, table: Mapping[str, Any], path: tuple[str, ...]) -> list[Term]:
        """`"kommun" = { weight = 2, forms = ["*kommun", ...] }`: forms that count once."""
        for key in table:
            if key not in ("forms", "weight"):
                raise self.group_error(
                    f"group {name!r}: unknown key {key!r} (known keys: forms, weight)", path, name
                )
        weight = table.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            problem = (
                "needs a weight" if weight is None else f"weight must be a number, not {weight!r}"
            )
            raise self.group_error(
                f"group {name!r} {problem}: {{ weight = 2, forms = [...] }}", path, name
            )
        if not math.isfinite(weight):  # TOML allows nan and inf; a score cannot use them
            raise self.group_error(
                f"group {name!r} weight must be a finite number, not {weight!r}", path, name
            )
        forms = table.get("forms")
        if not isinstance(forms, list) or not forms:
            raise self.group_error(
                f'group {name!r}: forms must be a list of terms: ["...", "..."]', path, name
            )
        terms = []
        for raw in forms:
            try:
                pieces = parse_term(raw)
            except TermSyntaxError as exc:
                raise self.group_error(str(exc), path, name, str(raw)) from exc
            terms.append(Term(str(raw), pieces, float(weight), group=(*path, name)))
        return terms

    def group_error(
        self, message: str, path: tuple[str, ...], name: str, value: str | None = None
    ) -> RuleError:
        """Points at a group written inline (`"kommun" = { ... }`, the line of `value` in it)
        or as its own section (`[can_apply.sv.kommun]`)."""
        dotted = ".".join((*path, name))
        where = ", ".join(p for p in (self.where, f"key {dotted}") if p)
        line = find_line(self.text, (*path, name), "forms", value) if value is not None else None
        if line is None:
            line = find_line(self.text, path, name, value)
        return RuleError(message, file=self.path, line=line, where=where)

    def term_lists(self, data: Mapping[str, Any], key: str) -> tuple[Term, ...]:
        """`[key]` table of `sv = [...]`, `en = [...]` lists (weightless terms)."""
        terms: list[Term] = []
        for lang, values in self.table(data, key).items():
            if not _LANG_RE.fullmatch(lang):
                raise self.error(f"{lang!r} is not a language code such as sv or en", (key,), lang)
            if not isinstance(values, list):
                raise self.error('must be a list of terms: ["...", "..."]', (key,), lang)
            for raw in values:
                terms.append(Term(str(raw), self.pieces(raw, (key, lang), lang)))
        return tuple(terms)

    def pieces(self, raw: Any, path: tuple[str, ...], key: str | None = None):
        try:
            return parse_term(raw)
        except TermSyntaxError as exc:
            if key is None:  # the term is itself the key of a `"term" = weight` line
                raise self.error(str(exc), path, str(raw), term_key=True) from exc
            raise self.error(str(exc), path[:-1], key, str(raw)) from exc

    def programmes(self, data: Mapping[str, Any], veto_key: str):
        table = self.table(data, "programmes")
        self.check_keys(table, {"likely", veto_key}, ("programmes",))
        likely: dict[str, float] = {}
        for code, weight in self.table(table, "likely", ("programmes",)).items():
            likely[self.code(code, ("programmes", "likely"), code)] = self.number(
                weight, ("programmes", "likely"), code
            )
        vetoes = table.get(veto_key, [])
        if not isinstance(vetoes, list):
            raise self.error("must be a list of programme codes", ("programmes",), veto_key)
        codes = frozenset(self.code(c, ("programmes",), veto_key) for c in vetoes)
        return likely, codes

    def code(self, code: Any, path: tuple[str, ...], key: str) -> str:
        if not isinstance(code, str) or not _CODE_RE.fullmatch(code.strip().upper()):
            raise self.error(
                f"{code!r} is not a programme code such as LIFE or CERV", path, key, str(code)
            )
        return code.strip().upper()


def load_area(path: Path) -> Area:
    """Read and check one area file."""
    file = _File(path)
    data = file.data
    raw_id = data.get("id")
    if isinstance(raw_id, str) and _AREA_ID_RE.fullmatch(raw_id):
        file.where = f"area {raw_id}"
    file.check_keys(data, _AREA_KEYS, ())
    area_id = file.text_value(data, "id")
    if not _AREA_ID_RE.fullmatch(area_id):
        raise file.error(f"{area_id!r} must be lower-case letters, digits and hyphens", (), "id")
    likely, impossible = file.programmes(data, "impossible")
    terms = file.weighted_terms(data, "terms")
    if not terms:
        raise file.error("an area needs at least one term under [terms.sv] or [terms.en]")
    slack = data.get("slack_channel")
    if slack is not None and (not isinstance(slack, str) or not slack.strip()):
        raise file.error('must be a channel name in quotes, e.g. "#eu-kultur"', (), "slack_channel")
    return Area(
        id=area_id,
        name=file.text_value(data, "name"),
        description=file.text_value(data, "description", required=False),
        threshold=file.number(data.get("threshold", 1.0), (), "threshold"),
        fields=file.fields(data),
        terms=terms,
        exclude=file.term_lists(data, "exclude"),
        programmes_likely=likely,
        programmes_impossible=impossible,
        slack_channel=slack.strip() if slack else None,
        source=path,
    )


def load_gate(path: Path) -> Gate:
    """Read and check the relevance gate file."""
    file = _File(path, where="gate")
    data = file.data
    file.check_keys(data, _GATE_KEYS, ())
    likely, rule_out = file.programmes(data, "rule_out")
    order = data.get("area_order", [])
    if not isinstance(order, list) or not all(isinstance(a, str) for a in order):
        raise file.error("must be a list of area ids", (), "area_order")
    fields = file.fields(data)
    return Gate(
        threshold=file.number(data.get("threshold", 0.0), (), "threshold"),
        fields=fields,
        applicant_fields=file.fields(data, "applicant_fields", fields),
        can_apply=file.weighted_terms(data, "can_apply"),
        serves_municipal=file.weighted_terms(data, "serves_municipal"),
        research_only=file.weighted_terms(data, "research_only"),
        not_a_call=file.weighted_terms(data, "not_a_call"),
        rule_out=file.term_lists(data, "rule_out"),
        requires=file.term_lists(data, "requires"),
        programmes_likely=likely,
        programmes_rule_out=rule_out,
        area_order=tuple(order),
        title_boost=file.number(data.get("title_boost", 1.0), (), "title_boost"),
        against_cap=(
            file.number(data["against_cap"], (), "against_cap") if "against_cap" in data else None
        ),
        source=path,
    )


def load_rules(directory: Path | str) -> RuleSet:
    """Load every `*.toml` in `directory`: `_gate.toml` is the gate, the rest are areas."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleError("rules directory not found", file=directory)
    gate_path = directory / GATE_FILE
    if not gate_path.is_file():
        raise RuleError(f"the relevance gate {GATE_FILE} is missing", file=directory)
    gate = load_gate(gate_path)
    areas = load_areas(directory)
    if not areas:
        raise RuleError("no area files (*.toml) found", file=directory)
    scorer_path = directory / SCORER_FILE
    scorer = load_scorer(scorer_path) if scorer_path.is_file() else None
    return RuleSet(areas=order_areas(areas, gate), gate=gate, scorer=scorer)


def load_areas(directory: Path, special: tuple[str, ...] = ()) -> list[Area]:
    """Every area file of `directory` by file name; `special` are more `_` files allowed
    beside the gate and the scorer (a group's `_group.toml`), skipped here."""
    allowed = (GATE_FILE, SCORER_FILE, *special)
    areas: list[Area] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name in allowed:
            continue
        if path.name.startswith("_"):
            names = " and ".join((", ".join(allowed[:-1]), allowed[-1]))
            raise RuleError(
                f"unknown special file (only {names} may start with '_')",
                file=path,
            )
        area = load_area(path)
        if area.id in seen:
            raise RuleError(
                f"area id {area.id!r} is already used by {seen[area.id]}",
                file=path, line=find_line(path.read_text(encoding="utf-8-sig"), (), "id"),
                where=f"area {area.id}, key id",
            )  # fmt: skip
        seen[area.id] = path
        areas.append(area)
    return areas


def order_areas(areas: list[Area], gate: Gate) -> tuple[Area, ...]:
    """Areas in the gate's `area_order`, the rest after it by file name."""
    known = {area.id: area for area in areas}
    text = gate.source.read_text(encoding="utf-8-sig") if gate.source else ""
    for area_id in gate.area_order:
        if area_id not in known:
            raise RuleError(
                f"unknown area {area_id!r} (known: {', '.join(sorted(known))})",
                file=gate.source, line=find_line(text, (), "area_order", area_id),
                where="gate, key area_order",
            )  # fmt: skip
    if len(set(gate.area_order)) != len(gate.area_order):
        raise RuleError("an area is listed twice", file=gate.source, where="gate, key area_order")
    first = [known[a] for a in gate.area_order]
    return tuple(first + [a for a in areas if a.id not in gate.area_order])

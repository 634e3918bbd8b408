"""A group's rules: the common `rules/` folder with the group's own folder on top.

A group's folder (`rules = "rules/linkoping"` of a `[[groups]]` entry) may hold
- area files: one with a new `id` adds an area, one with a common area's `id` replaces it;
- `_gate.toml` and `_scorer.toml`: they replace the common gate and scorer;
- `_group.toml`: what changes without copying a file: areas switched off (`disable`), the
  gate's threshold (`[gate]`), area thresholds (`[thresholds]`) and phrase weights
  (`[weights.<area>.<lang>]`; a weight of 0 removes the phrase).

The result is an ordinary `RuleSet`, so each group's matcher is `.compile()` as for the common
rules. Every mistake in the group's folder is a `RuleError` naming the group, the file and the
line; nothing is returned until the whole overlay has been checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from monitor.errors import RuleError
from monitor.rules.loader import (
    _LANG_RE,
    GATE_FILE,
    _File,
    load_areas,
    load_gate,
    load_rules,
    order_areas,
)
from monitor.rules.model import Area, RuleSet, Term
from monitor.rules.scorer import SCORER_FILE, load_scorer
from monitor.rules.terms import TermSyntaxError, parse_term, render

GROUP_FILE = "_group.toml"
_GROUP_KEYS = {"disable", "gate", "thresholds", "weights"}
_GATE_KEYS = {"threshold"}


def load_group_rules(common: Path | str, overlay: Path | str | None, group: str) -> RuleSet:
    """The common rules with `overlay` on top (None: the common rules alone), all or nothing."""
    return overlay_rules(load_rules(common), overlay, group)


def overlay_rules(base: RuleSet, overlay: Path | str | None, group: str) -> RuleSet:
    """`overlay` on common rules already loaded: many groups read the common files once."""
    if overlay is None:
        return base
    try:
        return _apply(base, Path(overlay), group)
    except RuleError as exc:
        if exc.where and exc.where.startswith(f"group {group}"):
            raise
        where = ", ".join(p for p in (f"group {group}", exc.where) if p)
        raise RuleError(exc.message, file=exc.file, line=exc.line, where=where) from exc


def _apply(base: RuleSet, overlay: Path, group: str) -> RuleSet:
    if not overlay.is_dir():
        raise RuleError(
            "the group's rules folder is not found: create it (it may be empty) "
            "or correct the group's `rules` in sources.toml",
            file=overlay,
            where=f"group {group}",
        )
    gate_path, scorer_path = overlay / GATE_FILE, overlay / SCORER_FILE
    gate = load_gate(gate_path) if gate_path.is_file() else base.gate
    scorer = load_scorer(scorer_path) if scorer_path.is_file() else base.scorer
    own = load_areas(overlay, special=(GROUP_FILE,))
    merged = areas = _merge(list(base.areas), own)
    group_path = overlay / GROUP_FILE
    if group_path.is_file():
        file = _File(group_path, where=f"group {group}")
        common_ids = {a.id for a in base.areas}
        areas, threshold = _changes(file, areas, common_ids, {a.id for a in own})
        if threshold is not None:
            gate = replace(gate, threshold=threshold)
    # A switched-off area leaves the gate's order; an unknown id there is still an error.
    off = {a.id for a in merged} - {a.id for a in areas}
    gate = replace(gate, area_order=tuple(a for a in gate.area_order if a not in off))
    return RuleSet(areas=order_areas(areas, gate), gate=gate, scorer=scorer)


def _merge(common: list[Area], own: list[Area]) -> list[Area]:
    """The group's area files: same id replaces the common area in its place, else added."""
    mine = {area.id: area for area in own}
    merged = [mine.pop(area.id, area) for area in common]
    return merged + list(mine.values())


def _changes(
    file: _File, areas: list[Area], common_ids: set[str], own_ids: set[str]
) -> tuple[list[Area], float | None]:
    """`_group.toml` applied to `areas`: (the areas left and changed, the gate's threshold)."""
    data = file.data
    file.check_keys(data, _GROUP_KEYS, ())
    by_id = {area.id: area for area in areas}

    disabled = _disabled(file, data, common_ids, own_ids)
    for area_id in disabled:
        del by_id[area_id]
    if not by_id:
        raise file.error("every area is switched off; keep at least one", (), "disable")

    gate = file.table(data, "gate")
    file.check_keys(gate, _GATE_KEYS, ("gate",))
    threshold = file.number(gate["threshold"], ("gate",), "threshold") if gate else None

    for area_id, value in file.table(data, "thresholds").items():
        area = _area(file, by_id, disabled, ("thresholds",), area_id)
        by_id[area_id] = replace(area, threshold=file.number(value, ("thresholds",), area_id))

    for area_id, languages in file.table(data, "weights").items():
        area = _area(file, by_id, disabled, ("weights",), area_id)
        if not isinstance(languages, dict):
            raise file.error(
                f'must be a table: [weights.{area_id}.sv] with "phrase" = weight lines',
                ("weights",),
                area_id,
            )
        by_id[area_id] = _reweighted(file, area, languages)
    return [by_id[a.id] for a in areas if a.id in by_id], threshold


def _disabled(
    file: _File, data: Mapping[str, Any], common_ids: set[str], own_ids: set[str]
) -> list[str]:
    value = data.get("disable", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise file.error('must be a list of area ids: ["kultur"]', (), "disable")
    for area_id in value:
        if area_id not in common_ids:
            known = ", ".join(sorted(common_ids))
            raise file.error(f"unknown area {area_id!r} (known: {known})", (), "disable", area_id)
        if area_id in own_ids:
            raise file.error(
                f"area {area_id!r} is both replaced by a file of this folder and switched off; "
                "delete one of the two",
                (),
                "disable",
                area_id,
            )
    return list(dict.fromkeys(value))


def _area(
    file: _File, by_id: dict[str, Area], disabled: list[str], table: tuple[str, ...], area_id: str
) -> Area:
    if area_id in by_id:
        return by_id[area_id]
    if area_id in disabled:
        raise file.error(f"area {area_id!r} is switched off (disable)", table, area_id)
    known = ", ".join(sorted(by_id))
    raise file.error(f"unknown area {area_id!r} (known: {known})", table, area_id)


def _reweighted(file: _File, area: Area, languages: Mapping[str, Any]) -> Area:
    """`[weights.<area>.<lang>]`: each line changes the weight of the area's phrase written the
    same way (or of its group, by the group's name), or adds it; a weight of 0 removes it."""
    terms = list(area.terms)
    for lang, lines in languages.items():
        path = ("weights", area.id, lang)
        if not _LANG_RE.fullmatch(lang):
            raise file.error(f"{lang!r} is not a language code such as sv or en", path[:2], lang)
        if not isinstance(lines, dict):
            raise file.error('must be a table of "phrase" = weight lines', path[:2], lang)
        for key, value in lines.items():
            if isinstance(value, dict):  # a group written out: replaces the group of that name
                forms = file.group(key, value, path)
                terms = [t for t in terms if not _in_group(t, key)]
                terms += [replace(t, group=("terms", lang, key)) for t in forms if t.weight]
                continue
            weight = file.number(value, path, key, term=True)
            terms = _set_weight(file, path, terms, key, weight)
    if not terms:
        raise file.error(
            f"area {area.id!r} has no phrase left (a weight of 0 removes a phrase)",
            ("weights",),
            area.id,
        )
    return replace(area, terms=tuple(terms))


def _set_weight(
    file: _File, path: tuple[str, ...], terms: list[Term], key: str, weight: float
) -> list[Term]:
    """One `"phrase" = weight` line: a plain phrase written the same way, else a group of that
    name, else a new phrase."""
    group = [t for t in terms if _in_group(t, key)]
    try:
        canonical = render(parse_term(key))
    except TermSyntaxError:
        if not group:
            file.pieces(key, path)  # raises the RuleError naming the line
        canonical = None
    plain = [t for t in terms if t.group is None and t.canonical == canonical]
    found = plain or group
    if found:
        return [
            replace(t, weight=weight) if t in found else t
            for t in terms
            if not (t in found and weight == 0)
        ]
    if form := next((t for t in terms if t.group and t.canonical == canonical), None):
        assert form.group is not None
        raise file.error(
            f"{key!r} is a form of the group {form.group[-1]!r}; change the group's weight by "
            f'its name: "{form.group[-1]}" = {weight:g}',
            path,
            key,
            term_key=True,
        )
    if weight == 0:
        raise file.error(
            f"{key!r} is not a phrase of area {path[1]!r}, so a weight of 0 removes nothing",
            path,
            key,
            term_key=True,
        )
    return [*terms, Term(key, file.pieces(key, path), weight)]


def _in_group(term: Term, name: str) -> bool:
    return term.group is not None and term.group[-1] == name

"""Plain-English account of a match, for `monitor rules test` and `monitor rules explain`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from monitor.rules.matcher import Signal

if TYPE_CHECKING:
    from monitor.rules.matcher import Matcher


def _num(value: float) -> str:
    return f"{round(value, 3):g}"


def _signal(signal: Signal, sign: str = "+", boost: float = 1.0) -> str:
    if signal.text.startswith("programme "):
        return f"{signal.text} {sign}{_num(abs(signal.weight))}"
    rule = "" if signal.rule.lower() == signal.text else f" [rule: {signal.rule}]"
    if signal.group is not None:
        also = f"; also found, counted once: {', '.join(signal.also)}" if signal.also else ""
        rule = f" [group {signal.group[-1]}: {signal.rule}{also}]"
    times = f" x{_num(boost)}" if boost != 1.0 and signal.field == "title" else ""
    return f'"{signal.text}"{rule} {sign}{_num(abs(signal.weight))} in {signal.field}{times}'


def _veto(signal: Signal) -> str:
    if signal.text.startswith("programme "):
        return signal.text
    return f'"{signal.text}" in {signal.field}'


def _anchor(anchor: str, signals: list[Signal]) -> str:
    """The anchor as `explain` shows it: a phrase with its field and rule, or as it is."""
    for signal in signals:
        if signal.text == anchor:
            rule = "" if signal.rule.lower() == signal.text else f" [rule: {signal.rule}]"
            return f'"{signal.text}"{rule} in {signal.field}'
    return anchor


def _ranked(signals: list[Signal]) -> list[Signal]:
    return sorted(signals, key=lambda s: -abs(s.weight))


def explain(matcher: Matcher, fields: Mapping[str, str | None]) -> str:
    scan = matcher.scan(fields)
    tally = matcher.tally(scan)
    verdict = matcher.judge(scan)
    gate = verdict.gate
    if verdict.relevant:
        headline = f"RELEVANT: passes the gate and matches {', '.join(verdict.area_ids)}."
    elif gate.anchor_missing and not gate.excluded_by and gate.score >= gate.threshold:
        headline = "NOT RELEVANT: no EU or funding context found, so the gate stops it."
    elif not gate.passed:
        headline = "NOT RELEVANT: the gate says a municipality is unlikely to take part."
    else:
        headline = "NOT RELEVANT: passes the gate, but no area reaches its threshold."
    codes = f"; programme codes: {', '.join(sorted(scan.codes))}" if scan.codes else ""
    lines = [
        headline,
        "",
        f"Gate: {'passed' if gate.passed else 'failed'}, score {_num(gate.score)}"
        f" (needs {_num(gate.threshold)}){codes}",
        "  for (municipality can take part / serves a municipal task): "
        + ("; ".join(_signal(s) for s in _ranked(tally.gate_for)) or "nothing found"),
        "  against (research/industry only, or not an open call): "
        + ("; ".join(_signal(s, "-") for s in _ranked(tally.gate_against)) or "nothing found"),
    ]
    if gate.anchor is not None:
        lines.append(f"  EU or funding context: {_anchor(gate.anchor, tally.gate_anchor)}")
    elif gate.anchor_missing:
        lines.append("  EU or funding context: MISSING (no EU or funding context found)")
    if tally.gate_veto:
        lines.append("  RULED OUT by: " + "; ".join(_veto(s) for s in tally.gate_veto))

    lines += ["", "Areas (score / threshold):"]
    silent: list[str] = []
    for index, area in enumerate(matcher.areas):
        signals, vetoes = tally.signals[index], tally.vetoes[index]
        if not signals and not vetoes:
            silent.append(area.id)
            continue
        if vetoes:
            status = "EXCLUDED"
        elif tally.matched(index, area.threshold):
            status = "MATCH"
        else:
            status = "near miss"
        score = tally.scores[index]
        lines.append(f"  {area.id:<22} {_num(score):>5} / {_num(area.threshold):<4} {status}")
        if signals:
            boost = matcher.ruleset.gate.title_boost
            lines.append("      " + "; ".join(_signal(s, boost=boost) for s in _ranked(signals)))
        if vetoes:
            lines.append("      excluded by: " + "; ".join(_veto(s) for s in vetoes))
    if silent:
        lines.append("  nothing found for: " + ", ".join(silent))
    return "\n".join(lines)

"""Plain-English account of a match, for `monitor rules test` and `monitor rules explain`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from monitor.rules.tally import Signal

if TYPE_CHECKING:
    from monitor.rules.matcher import Matcher
    from monitor.rules.verdict import Verdict


def _num(value: float) -> str:
    return f"{round(value, 3):g}"


def _signed(value: float) -> str:
    return f"{round(value, 3):+g}"


def _signal(signal: Signal, sign: str = "+", boost: float = 1.0) -> str:
    if signal.text.startswith("programme "):
        # A programme's weight has its own sign (INNOVFUND -3 is listed with the signals for).
        return f"{signal.text} {_signed(signal.weight if sign == '+' else -signal.weight)}"
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
    areas = ", ".join(verdict.area_ids)
    if verdict.relevant and verdict.score is not None:
        headline = f"RELEVANT (main list): score {verdict.score:.2f}; areas {areas}."
    elif verdict.relevant:
        headline = f"RELEVANT: passes the gate and matches {areas}."
    elif verdict.tier == "maybe":
        headline = "MAYBE (Kanske också): near the line; " + (
            f"score {verdict.score:.2f}." if verdict.score is not None else "gate or area missing."
        )
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

    lines += _scorer_lines(matcher, verdict)
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


def _scorer_lines(matcher: Matcher, verdict: Verdict) -> list[str]:
    """The tier and the learned weights that moved the score most (`_scorer.toml`)."""
    scorer = matcher.ruleset.scorer
    if scorer is None or verdict.score is None:
        return []
    where = scorer.source.name if scorer.source else "the scorer"
    cited = "; ".join(f"{name} {_signed(value)}" for name, value in verdict.contributions[:8])
    return [
        "",
        f"Tier: {verdict.tier}, score {verdict.score:.2f} (main list from"
        f" {_num(scorer.relevant_at)}, maybe from {_num(scorer.maybe_at)})",
        f"  learned weights ({where}): {cited or 'none apply'}; base {_signed(scorer.intercept)}",
    ]

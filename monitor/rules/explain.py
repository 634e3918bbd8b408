"""A plain account of a match, for `monitor rules test` and `monitor rules explain`, in English
or Swedish (`settings.language`; the rule files' words and area ids are shown as written)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from monitor.rules.tally import Signal

if TYPE_CHECKING:
    from monitor.rules.matcher import Matcher
    from monitor.rules.verdict import Verdict


# English text -> Swedish, for the fixed words of the account.
_SWEDISH = {
    "RELEVANT (main list): score {score}; areas {areas}.": (
        "RELEVANT (huvudlistan): poäng {score}; områden {areas}."
    ),
    "RELEVANT: passes the gate and matches {areas}.": (
        "RELEVANT: går igenom spärren och matchar {areas}."
    ),
    "MAYBE (Kanske också): near the line; ": "KANSKE (Kanske också): nära gränsen; ",
    "score {score}.": "poäng {score}.",
    "gate or area missing.": "spärr eller område saknas.",
    "NOT RELEVANT: no EU or funding context found, so the gate stops it.": (
        "INTE RELEVANT: inget EU- eller finansieringssammanhang hittades, så spärren stoppar den."
    ),
    "NOT RELEVANT: the gate says a municipality is unlikely to take part.": (
        "INTE RELEVANT: spärren säger att en kommun knappast kan delta."
    ),
    "NOT RELEVANT: passes the gate, but no area reaches its threshold.": (
        "INTE RELEVANT: går igenom spärren, men inget område når sin tröskel."
    ),
    "; programme codes: ": "; programkoder: ",
    "Gate: {result}, score {score} (needs {needs})": (
        "Spärr: {result}, poäng {score} (kräver {needs})"
    ),
    "passed": "godkänd",
    "failed": "stoppad",
    "  for (municipality can take part / serves a municipal task): ": (
        "  för (en kommun kan delta / tjänar en kommunal uppgift): "
    ),
    "  against (research/industry only, or not an open call): ": (
        "  emot (bara forskning/industri, eller ingen öppen utlysning): "
    ),
    "nothing found": "inget hittat",
    "  not counted, said of who may not apply: ": "  räknas inte, sägs om vem som inte får söka: ",
    "  EU or funding context: ": "  EU- eller finansieringssammanhang: ",
    "MISSING (no EU or funding context found)": "SAKNAS (inget EU- eller finansieringssammanhang)",
    "  RULED OUT by: ": "  UTESLUTEN av: ",
    "Areas (score / threshold):": "Områden (poäng / tröskel):",
    "EXCLUDED": "UTESLUTEN",
    "MATCH": "MATCHAR",
    "near miss": "nära",
    "      excluded by: ": "      utesluten av: ",
    "  nothing found for: ": "  inget hittat för: ",
    " in ": " i ",
    "Tier: {tier}, score {score} (main list from {main}, maybe from {maybe})": (
        "Nivå: {tier}, poäng {score} (huvudlistan från {main}, kanske från {maybe})"
    ),
    "  learned weights ({where}): {cited}; base {base}": (
        "  inlärda vikter ({where}): {cited}; bas {base}"
    ),
    "none apply": "inga gäller",
    "the scorer": "poängsättningen",
    " [rule: {rule}]": " [regel: {rule}]",
    " [group {n}: {rule}]": " [grupp {n}: {rule}]",
    "; also found, counted once: ": "; hittades också, räknas en gång: ",
}


# The scorer's features as the account names them in Swedish. The names themselves stay
# English: they are the keys of `_scorer.toml`, which a learned file must keep.
_FEATURES_SV = {
    "gate: can apply": "spärr: en kommun kan delta",
    "gate: municipal task": "spärr: kommunal uppgift",
    "gate: research or industry only": "spärr: bara forskning eller industri",
    "gate: not an open call": "spärr: ingen öppen utlysning",
    "area: best score": "område: högsta poäng",
}
_FEATURE_KINDS_SV = {"programme ": "program ", "family ": "familj ", "action ": "insats "}


def feature_label(name: str, language: str) -> str:
    """A feature's name in the account's language ("programme LIFE" -> "program LIFE")."""
    if language != "sv":
        return name
    if name in _FEATURES_SV:
        return _FEATURES_SV[name]
    for english, swedish in _FEATURE_KINDS_SV.items():
        if name.startswith(english):
            return swedish + name[len(english) :]
    return name


def _say(language: str, text: str, **values: object) -> str:
    return (_SWEDISH.get(text, text) if language == "sv" else text).format(**values)


def _num(value: float) -> str:
    return f"{round(value, 3):g}"


def _signed(value: float) -> str:
    return f"{round(value, 3):+g}"


def _signal(signal: Signal, sign: str = "+", boost: float = 1.0, language: str = "en") -> str:
    if signal.text.startswith("programme "):
        # A programme's weight has its own sign (INNOVFUND -3 is listed with the signals for).
        return f"{signal.text} {_signed(signal.weight if sign == '+' else -signal.weight)}"
    rule = (
        ""
        if signal.rule.lower() == signal.text
        else _say(language, " [rule: {rule}]", rule=signal.rule)
    )
    if signal.group is not None:
        also = (
            _say(language, "; also found, counted once: ") + ", ".join(signal.also)
            if signal.also
            else ""
        )
        rule = _say(language, " [group {n}: {rule}]", n=signal.group[-1], rule=signal.rule + also)
    times = f" x{_num(boost)}" if boost != 1.0 and signal.field == "title" else ""
    where = _say(language, " in ")
    return f'"{signal.text}"{rule} {sign}{_num(abs(signal.weight))}{where}{signal.field}{times}'


def _veto(signal: Signal, language: str = "en") -> str:
    if signal.text.startswith("programme "):
        return signal.text
    return f'"{signal.text}"{_say(language, " in ")}{signal.field}'


def _anchor(anchor: str, signals: list[Signal], language: str = "en") -> str:
    """The anchor as `explain` shows it: a phrase with its field and rule, or as it is."""
    for signal in signals:
        if signal.text == anchor:
            rule = (
                ""
                if signal.rule.lower() == signal.text
                else _say(language, " [rule: {rule}]", rule=signal.rule)
            )
            return f'"{signal.text}"{rule}{_say(language, " in ")}{signal.field}'
    return anchor


def _ranked(signals: list[Signal]) -> list[Signal]:
    return sorted(signals, key=lambda s: -abs(s.weight))


def explain(matcher: Matcher, fields: Mapping[str, str | None], language: str = "en") -> str:
    def say(text: str, **values: object) -> str:
        return _say(language, text, **values)

    scan = matcher.scan(fields)
    tally = matcher.tally(scan)
    verdict = matcher.judge(scan)
    gate = verdict.gate
    areas = ", ".join(verdict.area_ids)
    if verdict.relevant and verdict.score is not None:
        shown = f"{verdict.score:.2f}"
        headline = say(
            "RELEVANT (main list): score {score}; areas {areas}.", score=shown, areas=areas
        )
    elif verdict.relevant:
        headline = say("RELEVANT: passes the gate and matches {areas}.", areas=areas)
    elif verdict.tier == "maybe":
        headline = say("MAYBE (Kanske också): near the line; ") + (
            say("score {score}.", score=f"{verdict.score:.2f}")
            if verdict.score is not None
            else say("gate or area missing.")
        )
    elif gate.anchor_missing and not gate.excluded_by and gate.score >= gate.threshold:
        headline = say("NOT RELEVANT: no EU or funding context found, so the gate stops it.")
    elif not gate.passed:
        headline = say("NOT RELEVANT: the gate says a municipality is unlikely to take part.")
    else:
        headline = say("NOT RELEVANT: passes the gate, but no area reaches its threshold.")
    codes = say("; programme codes: ") + ", ".join(sorted(scan.codes)) if scan.codes else ""
    nothing = say("nothing found")
    lines = [
        headline,
        "",
        say(
            "Gate: {result}, score {score} (needs {needs})",
            result=say("passed" if gate.passed else "failed"),
            score=_num(gate.score),
            needs=_num(gate.threshold),
        )
        + codes,
        say("  for (municipality can take part / serves a municipal task): ")
        + ("; ".join(_signal(s, language=language) for s in _ranked(tally.gate_for)) or nothing),
        say("  against (research/industry only, or not an open call): ")
        + (
            "; ".join(_signal(s, "-", language=language) for s in _ranked(tally.gate_against))
            or nothing
        ),
    ]
    if scan.negated:
        lines.append(
            say("  not counted, said of who may not apply: ")
            + ", ".join(f'"{words}"' for words in scan.negated)
        )
    if gate.anchor is not None:
        lines.append(
            say("  EU or funding context: ") + _anchor(gate.anchor, tally.gate_anchor, language)
        )
    elif gate.anchor_missing:
        lines.append(
            say("  EU or funding context: ") + say("MISSING (no EU or funding context found)")
        )
    if tally.gate_veto:
        lines.append(
            say("  RULED OUT by: ") + "; ".join(_veto(s, language) for s in tally.gate_veto)
        )

    lines += _scorer_lines(matcher, verdict, language)
    lines += ["", say("Areas (score / threshold):")]
    silent: list[str] = []
    for index, area in enumerate(matcher.areas):
        signals, vetoes = tally.signals[index], tally.vetoes[index]
        if not signals and not vetoes:
            silent.append(area.id)
            continue
        if vetoes:
            status = say("EXCLUDED")
        elif tally.matched(index, area.threshold):
            status = say("MATCH")
        else:
            status = say("near miss")
        score = tally.scores[index]
        lines.append(f"  {area.id:<22} {_num(score):>5} / {_num(area.threshold):<4} {status}")
        if signals:
            boost = matcher.ruleset.gate.title_boost
            lines.append(
                "      "
                + "; ".join(_signal(s, boost=boost, language=language) for s in _ranked(signals))
            )
        if vetoes:
            lines.append(say("      excluded by: ") + "; ".join(_veto(s, language) for s in vetoes))
    if silent:
        lines.append(say("  nothing found for: ") + ", ".join(silent))
    return "\n".join(lines)


def _scorer_lines(matcher: Matcher, verdict: Verdict, language: str = "en") -> list[str]:
    """The tier and the learned weights that moved the score most (`_scorer.toml`)."""
    scorer = matcher.ruleset.scorer
    if scorer is None or verdict.score is None:
        return []
    where = scorer.source.name if scorer.source else _say(language, "the scorer")
    cited = "; ".join(
        f"{feature_label(name, language)} {_signed(value)}"
        for name, value in verdict.contributions[:8]
    )
    return [
        "",
        _say(
            language,
            "Tier: {tier}, score {score} (main list from {main}, maybe from {maybe})",
            tier=verdict.tier,
            score=f"{verdict.score:.2f}",
            main=_num(scorer.relevant_at),
            maybe=_num(scorer.maybe_at),
        ),
        _say(
            language,
            "  learned weights ({where}): {cited}; base {base}",
            where=where,
            cited=cited or _say(language, "none apply"),
            base=_signed(scorer.intercept),
        ),
    ]

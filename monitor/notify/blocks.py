"""A digest as Slack messages: a top message with the week and the counts, then one thread reply
per area and per section, each within Slack's limits. The maybe calls ("Kanske också") come
after the areas as a compact list, one bulleted line (the linked title) per call.

Limits (docs.slack.dev, Block Kit reference): at most 50 blocks per message, a section's text at
most 3,000 characters, a header's at most 150; Slack refuses messages whose blocks hold about
13,000 characters or more (`msg_blocks_too_long`), so a part is closed well below that. A
section too long for one message continues in the next reply ("forts. 2/3"): nothing is cut.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from monitor.digest.model import Digest, DigestItem, Part, SourceProblem
from monitor.notify.i18n import Words
from monitor.notify.mrkdwn import clip, escape, link

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_PART_CHARS = 10_000  # of block text per message: under Slack's ~13,000 with room to spare
MAX_TITLE = 250
MAX_FACT = 120  # a type of action
MAX_SUMMARY = 400  # the brief is one or two sentences, at most this long

Block = dict[str, Any]


def render_parts(
    digest: Digest,
    words: Words,
    *,
    channel: str,
    area_channels: dict[str, str] | None = None,
) -> list[Part]:
    """The messages of a digest, top message first; an area with a channel of its own also gets
    a short top message and its thread there."""
    week = digest.week
    top = Part("top", channel, words("title", week=week), _top_blocks(digest, words, week))
    parts = [top]
    for area, items in digest.new_by_area.items():
        title = _new_in_area(words, digest.area_names.get(area, area), len(items))
        blocks = [_call_block(i, digest, words) for i in items]
        parts += _split(f"area:{area}", channel, "top", title, blocks, words)
    sections: list[tuple[str, str, list[Block]]] = [
        ("maybe", words("maybe"), _list_blocks(digest.maybe)),
        (
            "closing_soon",
            words("closing_soon"),
            [_call_block(i, digest, words) for i in digest.closing_soon],
        ),
        ("changed", words("changed"), [_call_block(i, digest, words) for i in digest.changed]),
        ("news", words("news"), [_news_block(i, digest, words) for i in digest.news]),
        ("unhealthy", words("unhealthy"), [_problem_block(p, words) for p in digest.unhealthy]),
    ]
    counts = {"maybe": len(digest.maybe)}  # its blocks hold many calls each
    for key, title, blocks in sections:
        if blocks:
            count = counts.get(key, len(blocks))
            parts += _split(key, channel, "top", f"{title} ({count})", blocks, words)
    for area, area_channel in (area_channels or {}).items():
        area_items = digest.new_by_area.get(area)
        if not area_items or area_channel == channel:
            continue
        name = digest.area_names.get(area, area)
        heading = words("area_channel_top", week=week, area=name)
        local_top = Part(f"top@{area_channel}", area_channel, heading, [_header(heading)])
        title = _new_in_area(words, name, len(area_items))
        blocks = [_call_block(i, digest, words) for i in area_items]
        parts.append(local_top)
        parts += _split(
            f"area:{area}@{area_channel}", area_channel, local_top.key, title, blocks, words
        )
    return parts


def _new_in_area(words: Words, area: str, count: int) -> str:
    return words("new_in_area_one" if count == 1 else "new_in_area", area=area, count=count)


def _split(
    key: str, channel: str, parent: str, title: str, blocks: list[Block], words: Words
) -> list[Part]:
    """Pack blocks into as few replies as the limits allow, each starting with its title."""
    # Each message starts with the title and a continuation note such as "(forts. 2/3)".
    heading_cost = len(escape(title)) + 40
    groups: list[list[Block]] = [[]]
    size = heading_cost
    for block in blocks:
        cost = _chars(block)
        if groups[-1] and (len(groups[-1]) + 1 >= MAX_BLOCKS or size + cost > MAX_PART_CHARS):
            groups.append([])
            size = heading_cost
        groups[-1].append(block)
        size += cost
    total = len(groups)
    parts = []
    for n, group in enumerate(groups, start=1):
        heading = title if total == 1 else f"{title} ({_part_note(n, total, words)})"
        section = _section(f"*{escape(heading)}*")
        parts.append(Part(f"{key}:{n}", channel, heading, [section, *group], parent=parent))
    return parts


def _part_note(n: int, total: int, words: Words) -> str:
    """ "1/3" on the first part, "forts. 2/3" on the others: only a continuation continues."""
    return words("first_of", total=total) if n == 1 else words("continued", n=n, total=total)


def _top_blocks(digest: Digest, words: Words, week: int) -> list[Block]:
    lines = [words("period", start=words.day(digest.local(digest.period_start).date()))]
    lines += _all_failed_lines(digest, words)
    if digest.is_empty:
        lines.append(words("nothing"))
    if digest.new_count:
        per_area = ", ".join(
            f"{escape(digest.area_names.get(a, a))} {len(items)}"
            for a, items in digest.new_by_area.items()
        )
        lines.append(f"• *{words('new')}: {digest.new_count}* ({per_area})")
    for key, items in (
        ("maybe", digest.maybe),
        ("closing_soon", digest.closing_soon),
        ("changed", digest.changed),
        ("news", digest.news),
        ("unhealthy", digest.unhealthy),
    ):
        if items:
            lines.append(f"• {words(key)}: {len(items)}")
    blocks = [_header(words("title", week=week)), _section("\n".join(lines))]
    if not digest.is_empty:
        blocks.append({"type": "context", "elements": [_mrkdwn(words("thread_hint"))]})
    return blocks


def _call_block(item: DigestItem, digest: Digest, words: Words) -> Block:
    """A call's card: title, identifier and facts, dates, who may apply, budget, a brief."""
    facts = [escape(f) for f in (item.identifier, item.programme) if f]
    if item.status:
        facts.append(words.status(item.status))
    if item.types_of_action:
        types = clip(", ".join(item.types_of_action), MAX_FACT)
        facts.append(words("type_of_action", types=escape(types)))
    lines = [f"*{link(item.url, clip(item.title, MAX_TITLE))}*", " · ".join(facts)]
    lines.append(" · ".join(_date_facts(item, digest, words)))
    if item.applicants:
        lines.append(words("who", who=_who(item, words)))
    if budget := _budget_line(item, words):
        lines.append(budget)
    if item.summary:
        lines.append(escape(clip(item.summary, MAX_SUMMARY)))
    lines += _change_lines(item, words)
    return _fitted([line for line in lines if line], item, digest, words, "mentioned_in")


def _date_facts(item: DigestItem, digest: Digest, words: Words) -> list[str]:
    facts = []
    if item.status == "forthcoming" and item.opening_date:
        facts.append(words("opens", date=words.day(item.opening_date)))
    if item.deadline:
        when = words.days_left(item.deadline, digest.today)
        day = words.day(item.deadline)
        key, time = ("deadline_at", item.deadline_time) if item.deadline_time else ("deadline", "")
        facts.append(f"{words(key, date=day, time=escape(time))} ({when})")
    else:
        facts.append(words("no_deadline"))
    return facts


def _who(item: DigestItem, words: Words) -> str:
    """ "kommuner och regioner, skolor; konsortier om minst 3 parter från minst 3 länder"."""
    who = item.applicants
    keys = list(who.kinds)
    if "public" in keys and "private" in keys:  # "legal entities (public or private bodies)"
        keys[keys.index("public")] = "public_private"
        keys.remove("private")
    kinds = ", ".join(words(f"kind_{k}") for k in keys)
    if who.partners and who.countries:
        group = words("consortium_countries", n=who.partners, m=who.countries)
    elif who.partners:
        group = words("consortium", n=who.partners)
    else:
        group = ""
    return "; ".join(x for x in (kinds, group) if x)


def _budget_line(item: DigestItem, words: Words) -> str:
    """Total, per grant, number of grants and the EU's rate, whichever are known."""
    parts = []
    if item.budget:
        parts.append(words("budget_total", amount=words.money(item.budget)))
    low, high = item.min_contribution, item.max_contribution
    if low and high:
        if low == high:
            parts.append(words("per_grant", amount=words.money(low)))
        else:
            parts.append(words("per_grant_range", amounts=words.money_range(low, high)))
    elif high:
        parts.append(words("per_grant_up_to", amount=words.money(high)))
    elif low:
        parts.append(words("per_grant_at_least", amount=words.money(low)))
    if item.expected_grants:
        parts.append(words("grants", n=item.expected_grants))
    if item.cofinancing:
        parts.append(words("cofinancing", rate=item.cofinancing))
    return words("budget_line", parts=" · ".join(parts)) if parts else ""


def _list_blocks(items: list[DigestItem]) -> list[Block]:
    """One line per call ("• linked title"), as many lines to a section as its 3,000 chars take."""
    blocks: list[Block] = []
    lines: list[str] = []
    for item in items:
        line = f"• {link(item.url, clip(item.title, MAX_TITLE))}"
        if lines and sum(len(x) + 1 for x in lines) + len(line) > MAX_SECTION_TEXT:
            blocks.append(_section("\n".join(lines)))
            lines = []
        lines.append(line)
    if lines:
        blocks.append(_section("\n".join(lines)))
    return blocks


def _news_block(item: DigestItem, digest: Digest, words: Words) -> Block:
    facts = [words.day(digest.local(item.published).date())] if item.published else []
    lines = [f"*{link(item.url, clip(item.title, MAX_TITLE))}*"]
    if facts:
        lines.append(" · ".join(facts))
    return _fitted(lines, item, digest, words, "about_call")


def _fitted(lines: list[str], item: DigestItem, digest: Digest, words: Words, key: str) -> Block:
    """The block with as many linked mentions (up to three) as fit a section's 3,000 chars."""
    for mentions in (3, 1, 0):
        text = "\n".join([*lines, *_about_lines(item, digest, words, key, mentions)])
        if len(text) <= MAX_SECTION_TEXT:
            break
    return _section(text)


def _about_lines(
    item: DigestItem, digest: Digest, words: Words, key: str, mentions: int
) -> list[str]:
    lines = []
    if item.mentions and mentions:
        shown = ", ".join(
            f"{link(m.url, clip(m.title, 120))} ({escape(m.source)})"
            for m in item.mentions[:mentions]
        )
        lines.append(words(key, items=shown))
    details = []
    if item.phrases:
        details.append(words("matched", phrases=escape(", ".join(item.phrases))))
    others = [digest.area_names.get(a, a) for a in item.areas[1:]]
    if others:
        details.append(words("also", areas=escape(", ".join(others))))
    details.append(words("source", source=escape(item.source)))
    lines.append(f"_{' · '.join(details)}_")
    return lines


def _change_lines(item: DigestItem, words: Words) -> list[str]:
    if not item.changes:
        return []
    shown = "; ".join(
        f"{words('field_' + c.field)} {_value(c.field, c.old, words)} → "
        f"{_value(c.field, c.new, words)}"
        for c in item.changes
    )
    return [words("changed_line", changes=shown)]


def _value(field: str, value: str | None, words: Words) -> str:
    """A changed value as the card shows it: statuses in words, dates as "8 apr 2027"
    (the digest's one date style), amounts as money."""
    if value in ("open", "forthcoming", "closed"):
        return words.status(value)
    if not value:
        return "–"
    if field in ("deadlines", "opening_date"):
        return ", ".join(_day_or_text(v.strip(), words) for v in value.split(","))
    if field == "budget":
        try:
            return words.money(float(value))
        except ValueError:
            return escape(value)
    return escape(value)


def _day_or_text(value: str, words: Words) -> str:
    try:
        return words.day(date.fromisoformat(value))
    except ValueError:
        return escape(value)


MAX_ERROR = 200  # a short plain line; the whole error is in fetch_log


def _all_failed_lines(digest: Digest, words: Words) -> list[str]:
    """Said at the top when nothing could be fetched, so silence never reads as "nothing new"."""
    if not digest.all_sources_failed:
        return []
    names = ", ".join(escape(p.name) for p in digest.unhealthy if p.failures)
    return [words("all_failed", sources=names)]


def _problem_block(problem: SourceProblem, words: Words) -> Block:
    last = (
        words("last_ok", date=_day_or_text(problem.last_success[:10], words))
        if problem.last_success
        else words("never_ok")
    )
    return _section(f"{_problem_line(problem, words)} ({last})")


def _problem_line(problem: SourceProblem, words: Words) -> str:
    named = {"name": escape(problem.name), "source": escape(problem.source)}
    if problem.failures:
        error = escape(clip(" ".join((problem.error or "").split()), MAX_ERROR))
        if problem.failures == 1:
            return words("failed_once", error=error, **named)
        return words("failed_times", n=problem.failures, error=error, **named)
    if problem.usual_items:
        return words("returned_none", n=problem.usual_items, **named)
    return words("source_problem", reason=escape(problem.reason), **named)


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER_TEXT)}}


def _section(text: str) -> Block:
    # Each line was built from clipped parts; this last guard keeps the limit even so.
    return {"type": "section", "text": _mrkdwn(clip(text, MAX_SECTION_TEXT))}


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _chars(block: Block) -> int:
    return sum(len(t) for t in _texts(block))


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "text" and isinstance(inner, str):
                yield inner
            else:
                yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)


def block_chars(blocks: list[Block]) -> int:
    """Characters of text in a message's blocks, as Slack counts them for its size limit."""
    return sum(_chars(b) for b in blocks)

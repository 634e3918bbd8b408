"""The digest document as Slack messages: a top message with the week and the counts, then one
thread reply per section (an area's new calls, the maybe list, closing soon, ...), each within
Slack's limits. A compact section (the maybe calls, "Kanske också") is a list, one bulleted line
per call, many to a block.

Every text of the document is escaped for mrkdwn here (`mrkdwn.escape`) and only an http(s) URL
becomes a link (`mrkdwn.link`); strong runs are bold (`*…*`), an entry's note italic (`_…_`).

Limits (docs.slack.dev, Block Kit reference): at most 50 blocks per message, a section's text at
most 3,000 characters, a header's at most 150; Slack refuses messages whose blocks hold about
13,000 characters or more (`msg_blocks_too_long`), so a message is closed well below that. A
section too long for one message continues in the next reply ("forts. 2/3"): nothing is cut.
A card too long for its 3,000 characters shows fewer of the news naming it (3, then 1, then 0).

A call's card (an entry marked `trackable`) carries an overflow menu as its section's
accessory (notify/slack_actions.py): Intressant, Vi söker, Inte för oss, Fel område; `monitor
serve` hears the clicks over Socket Mode (monitor/slack_listener.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from monitor.digest.document import DigestDocument, Entry, Line, Link, Section
from monitor.notify.base import Message
from monitor.notify.i18n import Words
from monitor.notify.mrkdwn import clip, escape, link
from monitor.notify.slack_actions import overflow

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_PART_CHARS = 10_000  # of block text per message: under Slack's ~13,000 with room to spare
MENTIONS_TRIED = (3, 1, 0)  # how many of a card's mentions to show, until the card fits

Block = dict[str, Any]


def slack_messages(
    document: DigestDocument,
    words: Words,
    *,
    channel: str,
    area_channels: dict[str, str] | None = None,
) -> list[Message]:
    """The messages of a digest, top message first; an area with a channel of its own (area id
    -> channel) also gets a short top message and its thread there."""
    messages = [_message("top", channel, document.title, _top_blocks(document))]
    for section in document.sections:
        messages += _split(section.key, channel, "top", section, words, document.group)
    for area, area_channel in (area_channels or {}).items():
        copied = document.section(f"area:{area}")
        if copied is None or area_channel == channel:
            continue
        heading = words("area_channel_top", week=document.week, area=copied.area_name or area)
        local_top = _message(f"top@{area_channel}", area_channel, heading, [_header(heading)])
        messages.append(local_top)
        messages += _split(
            f"{copied.key}@{area_channel}",
            area_channel,
            local_top.key,
            copied,
            words,
            document.group,
        )
    return messages


def _message(
    key: str, channel: str, text: str, blocks: list[Block], parent: str | None = None
) -> Message:
    return Message(key=key, text=text, payload={"blocks": blocks}, parent=parent, target=channel)


def _top_blocks(document: DigestDocument) -> list[Block]:
    blocks = [_header(document.title), _section("\n".join(map(_line, document.overview)))]
    if not document.is_empty and document.hint:
        blocks.append({"type": "context", "elements": [_mrkdwn(escape(document.hint))]})
    return blocks


def _split(
    key: str,
    channel: str,
    parent: str,
    section: Section,
    words: Words,
    group_id: str | None = None,
) -> list[Message]:
    """Pack a section's blocks into as few replies as the limits allow, each starting with its
    title; `group` goes into the cards' menus."""
    title = section.title
    blocks = (
        _list_blocks(section.entries)
        if section.compact
        else _entry_blocks(section.entries, section.area, words.language, group_id)
    )
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
    messages = []
    for n, group in enumerate(groups, start=1):
        heading = title if total == 1 else f"{title} ({_part_note(n, total, words)})"
        first = _section(f"*{escape(heading)}*")
        messages.append(_message(f"{key}:{n}", channel, heading, [first, *group], parent=parent))
    return messages


def _part_note(n: int, total: int, words: Words) -> str:
    """ "1/3" on the first part, "forts. 2/3" on the others: only a continuation continues."""
    return words("first_of", total=total) if n == 1 else words("continued", n=n, total=total)


def _entry_blocks(
    entries: Iterable[Entry], area: str | None, language: str, group: str | None
) -> list[Block]:
    return [_fitted(entry, area, language, group) for entry in entries]


def _fitted(entry: Entry, area: str | None, language: str, group: str | None) -> Block:
    """The entry's block with as many of its mentions as fit a section's 3,000 chars, and a
    call's menu."""
    lines = [_line(line) for line in entry.lines]
    for shown in MENTIONS_TRIED:
        text = "\n".join([*lines, *_about_lines(entry, shown)])
        if len(text) <= MAX_SECTION_TEXT:
            break
    block = _section(text)
    menu = (
        overflow(entry.item_id, area, language, group)
        if entry.trackable and entry.item_id
        else None
    )
    if menu is not None:
        block["accessory"] = menu
    return block


def _about_lines(entry: Entry, shown: int) -> list[str]:
    lines = []
    if entry.mentions and shown:
        mentions = ", ".join(_line(m) for m in entry.mentions[:shown])
        lines.append(f"{escape(entry.mentions_label)} {mentions}")
    if entry.note:
        lines.append(f"_{escape(entry.note)}_")
    return lines


def _list_blocks(entries: Iterable[Entry]) -> list[Block]:
    """One line per entry ("• linked title"), as many lines to a section as its 3,000 chars
    take."""
    blocks: list[Block] = []
    lines: list[str] = []
    for entry in entries:
        line = f"• {_line(entry.lines[0])}"
        if lines and sum(len(x) + 1 for x in lines) + len(line) > MAX_SECTION_TEXT:
            blocks.append(_section("\n".join(lines)))
            lines = []
        lines.append(line)
    if lines:
        blocks.append(_section("\n".join(lines)))
    return blocks


def _line(line: Line) -> str:
    """A line in mrkdwn: every text escaped, links only to http(s), strong runs bold."""
    out = []
    for run in line:
        text = link(run.url, run.text) if isinstance(run, Link) else escape(run.text)
        out.append(f"*{text}*" if run.strong else text)
    return "".join(out)


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

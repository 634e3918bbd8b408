"""The digest as Microsoft Teams messages: Adaptive Cards for a Workflows incoming webhook.

Each message's payload is the whole request body the webhook takes (learn.microsoft.com,
"Create incoming webhooks with Workflows"): `{"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": <AdaptiveCard>}]}`,
with card schema 1.4 (Teams renders up to 1.5; Workflows documents 1.4 or lower).

Size: Teams takes at most 28 KB per message (learn.microsoft.com, "Create incoming webhooks":
"The message size limit is 28 KB"). What counts is not the request: a Workflows webhook accepted
a 24,453-byte body (202) and the flow run then failed with "MessageSizeExceeded ... Actual
message properties size: 28897 bytes, whereas max allowed size is 28672 bytes"
(MicrosoftDocs/msteams-docs#11274), so Teams' envelope adds some 4.5 KB, and the failure shows
only in the flow's run history, never to us. A message's body is therefore held to MAX_BYTES,
measured on `encode(payload)`, the very bytes the notifier sends (ASCII JSON: å is sent and
counted as its six-byte \\u escape, the larger of the two ways Teams might count it).

A digest that fits is one card. A longer one is a first card with the title and overview, then
one card per section (one per area); a section too big for one card continues in the next
("forts. 2/3"). Nothing is cut, except the mentions and texts of one entry too large for a card
of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from monitor.digest.document import DigestDocument, Entry, Line, Link, Section
from monitor.notify.base import Message
from monitor.notify.card_text import escape, markdown_url
from monitor.notify.i18n import Words
from monitor.notify.mrkdwn import clip

MAX_BYTES = 20_000  # of a message's JSON: 28,672 minus Teams' ~4.5 KB envelope, minus a margin
CARD_VERSION = "1.4"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_LINE = 1_000  # characters of one line of an entry too large for a card on its own

Block = dict[str, Any]


def encode(payload: dict[str, Any]) -> bytes:
    """The request body as sent: compact JSON, ASCII only (see the module's docstring)."""
    return json.dumps(payload, separators=(",", ":")).encode("ascii")


def teams_messages(document: DigestDocument, words: Words) -> list[Message]:
    """The digest as Teams messages in sending order, each within MAX_BYTES."""
    head = [_title(document.title), *_overview(document)]
    footer = [_footer(document.footer)] if document.footer else []
    whole = head + [block for s in document.sections for block in _section_blocks(s)] + footer
    single = _message("card:1", document.title, whole)
    if _size(single) <= MAX_BYTES:
        return [single]
    # Split, the footer goes on the top card: it is small, and a full section card has no room.
    messages = [_message("card:1", document.title, head + footer)]
    for section in document.sections:
        messages.extend(_section_messages(document, section, words))
    return messages


# -- splitting ------------------------------------------------------------------------------


def _section_messages(document: DigestDocument, section: Section, words: Words) -> list[Message]:
    # The longest header a part can have ("forts. 99/99") is what every part must leave room for.
    longest = _header(document, section, _part_note(99, 99, words))
    room = MAX_BYTES - _size(_message("card:" + section.key + ":99", "", longest))
    groups = list(_entry_groups(section, room))
    parts: list[list[list[Block]]] = [[]]
    used = 0
    for group in groups:
        cost = _blocks_size(group)
        if parts[-1] and used + cost > room:
            parts.append([])
            used = 0
        parts[-1].append(group)
        used += cost
    total = len(parts)
    messages = []
    for n, part in enumerate(parts, start=1):
        note = "" if total == 1 else _part_note(n, total, words)
        blocks = _header(document, section, note) + [b for group in part for b in group]
        messages.append(
            _message(f"card:{section.key}:{n}", _summary(document, section, note), blocks)
        )
    return messages


def _blocks_size(blocks: list[Block]) -> int:
    return sum(len(encode(block)) + 1 for block in blocks)  # + the comma between blocks


def _part_note(n: int, total: int, words: Words) -> str:
    return words("first_of", total=total) if n == 1 else words("continued", n=n, total=total)


def _summary(document: DigestDocument, section: Section, note: str) -> str:
    text = f"{document.title}: {section.title}"
    return f"{text} ({note})" if note else text


# -- blocks -----------------------------------------------------------------------------------


def _message(key: str, text: str, body: list[Block]) -> Message:
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    payload = {
        "type": "message",
        "attachments": [{"contentType": CONTENT_TYPE, "contentUrl": None, "content": card}],
    }
    return Message(key=key, text=text, payload=payload)


def _size(message: Message) -> int:
    return len(encode(message.payload))


def _title(title: str) -> Block:
    return _text_block(escape(title), size="Large", weight="Bolder")


def _overview(document: DigestDocument) -> list[Block]:
    if not document.overview:
        return []
    return [_text_block(_paragraphs(_line(line) for line in document.overview))]


def _footer(text: str) -> Block:
    return _text_block(escape(text), isSubtle=True, size="Small", separator=True, spacing="Large")


def _header(document: DigestDocument, section: Section, note: str) -> list[Block]:
    """A section card's top: the digest's title (small: the card stands alone in the channel)
    and the section's heading."""
    heading = f"{section.title} ({note})" if note else section.title
    return [
        _text_block(escape(document.title), isSubtle=True, size="Small"),
        _heading(heading, separator=False),
    ]


def _heading(text: str, separator: bool = True) -> Block:
    block = _text_block(escape(text), size="Medium", weight="Bolder", spacing="Large")
    if separator:
        block["separator"] = True
    return block


def _section_blocks(section: Section) -> list[Block]:
    groups = _entry_groups(section, MAX_BYTES)
    return [_heading(section.title)] + [b for group in groups for b in group]


def _entry_groups(section: Section, room: int) -> Iterator[list[Block]]:
    """The blocks of each entry; a compact section's entries are single lines, so they are
    grouped into one block of many lines."""
    if section.compact:
        # Ten lines a block: few blocks (each costs its JSON), yet a split stays fine-grained.
        entries = list(section.entries)
        for start in range(0, len(entries), 10):
            lines = (_line(e.lines[0]) for e in entries[start : start + 10] if e.lines)
            yield [_text_block(_paragraphs(lines), spacing="Small")]
        return
    for entry in section.entries:
        blocks = _entry_blocks(entry)
        yield blocks if _blocks_size(blocks) <= room else _shrunk(entry, room)


def _shrunk(entry: Entry, room: int) -> list[Block]:
    """An entry too large for a card of its own: fewer mentions (the document lists the best
    first), then each text clipped. Nothing else in the digest is cut."""

    def with_mentions(keep: int) -> list[Block]:
        return _entry_blocks(replace(entry, mentions=entry.mentions[:keep]))

    low, high = 0, len(entry.mentions) - 1  # the most mentions that fit, found by halving
    while low < high:
        middle = (low + high + 1) // 2
        if _blocks_size(with_mentions(middle)) <= room:
            low = middle
        else:
            high = middle - 1
    blocks = with_mentions(low)
    if _blocks_size(blocks) <= room:
        return blocks
    for limit in (MAX_LINE, MAX_LINE // 5):
        clipped = replace(
            entry,
            lines=tuple(_clipped(line, limit) for line in entry.lines),
            mentions=(),
            note=clip(entry.note, limit),
        )
        blocks = _entry_blocks(clipped)
        if _blocks_size(blocks) <= room:
            break
    return blocks


def _clipped(line: Line, limit: int) -> Line:
    return tuple(replace(run, text=clip(run.text, limit)) for run in line)


def _entry_blocks(entry: Entry) -> list[Block]:
    lines = [_line(line) for line in entry.lines]
    if entry.mentions:
        label = escape(entry.mentions_label)
        lines.append(f"_{label}_" if label else "")
        lines.extend("• " + _line(m) for m in entry.mentions)
    blocks = [_text_block(_paragraphs(line for line in lines if line), spacing="Medium")]
    if entry.note:
        blocks.append(_text_block(escape(entry.note), isSubtle=True, size="Small", spacing="None"))
    return blocks


def _text_block(text: str, **style: Any) -> Block:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _paragraphs(lines: Iterator[str] | list[str]) -> str:
    # Teams' card Markdown starts a new line only at a blank line ("\n\n"; cards-format docs).
    return "\n\n".join(lines)


def _line(line: Line) -> str:
    parts = []
    for n, run in enumerate(line):
        text = escape(run.text, line_start=n == 0)
        url = markdown_url(run.url) if isinstance(run, Link) else None
        if url and text:
            text = f"[{text}]({url})"
        parts.append(_strong(text) if run.strong else text)
    return "".join(parts)


def _strong(text: str) -> str:
    # `**` next to a space does not bold ("**Nya: **3" shows its stars), so spaces go outside.
    inner = text.strip()
    if not inner:
        return text
    start = text.index(inner[0])
    return f"{text[:start]}**{inner}**{text[start + len(inner) :]}"

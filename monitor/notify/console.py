"""The digest without Slack: the very messages that would be sent, as readable text or Markdown.

Built from the Block Kit parts rather than from the digest again, so the preview shows exactly
what Slack would get. A section whose every line starts with "• " (the Kanske också list) is a
list: one list item per line.
"""

from __future__ import annotations

import json
import re

from monitor.digest.model import Part

_LINK = re.compile(r"<([^|<>]+)\|([^<>]*)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def as_text(parts: list[Part], channel: str) -> str:
    """Plain text for a terminal: links as `title (url)`, one blank line between messages."""
    out: list[str] = []
    for part in _in_channel(parts, channel):
        for block in part.blocks:
            text = _block_text(block)
            if text is None:
                continue
            text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
            text = _unescape(_ITALIC.sub(r"\1", _BOLD.sub(r"\1", text)))
            if block["type"] == "header":
                out += [text, "=" * len(text)]
            elif block["type"] == "section" and part.parent and block is not part.blocks[0]:
                bullets = _bullets(text)
                out.append(
                    _indent(text) if bullets is None else "\n".join(f"  - {b}" for b in bullets)
                )
            else:
                out.append(text)
            out.append("")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def as_markdown(parts: list[Part], channel: str) -> str:
    out: list[str] = []
    for part in _in_channel(parts, channel):
        for index, block in enumerate(part.blocks):
            text = _block_text(block)
            if text is None:
                continue
            text = _LINK.sub(lambda m: f"[{_md_label(m.group(2))}]({m.group(1)})", text)
            text = _unescape(_BOLD.sub(r"**\1**", text))
            if block["type"] == "header":
                out.append(f"# {text}")
            elif part.parent and index == 0:
                out.append(f"## {text.strip('*')}")
            elif part.parent and (bullets := _bullets(text)) is not None:
                out.append("\n".join(f"- {b}" for b in bullets))
            elif part.parent:
                out.append("- " + text.replace("\n", "  \n  "))
            else:
                out.append(text)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def as_blocks_json(parts: list[Part]) -> str:
    """Every message as Slack would be sent it: channel, thread parent, fallback text, blocks."""
    return json.dumps(
        [
            {
                "key": p.key,
                "channel": p.channel,
                "thread_of": p.parent,
                "text": p.text,
                "blocks": p.blocks,
            }
            for p in parts
        ],
        ensure_ascii=False,
        indent=2,
    )


def _in_channel(parts: list[Part], channel: str) -> list[Part]:
    return [p for p in parts if p.channel == channel]


def _block_text(block: dict) -> str | None:
    if block["type"] in ("header", "section"):
        return block["text"]["text"]
    if block["type"] == "context":
        return " ".join(e.get("text", "") for e in block["elements"])
    return None


def _bullets(text: str) -> list[str] | None:
    """The lines of a bulleted list without their "• ", or None when the text is not one."""
    lines = text.splitlines()
    if not lines or not all(line.startswith("• ") for line in lines):
        return None
    return [line[2:] for line in lines]


def _indent(text: str) -> str:
    lines = text.splitlines()
    return "\n".join(["  - " + lines[0], *("    " + line for line in lines[1:])])


def _md_label(label: str) -> str:
    return label.replace("[", "\\[").replace("]", "\\]")

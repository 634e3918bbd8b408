"""The digest document as Markdown (CommonMark), for `monitor digest --format markdown`.

Rendered from the document itself, so it says what every other notifier says. Every text is
escaped so that a source's `*`, `_`, `[`, `<` or `#` stays a character and never becomes
emphasis, a link or HTML; only an http(s) URL becomes a link. A section is a heading and a list,
one item per entry, its facts on the item's following lines.
"""

from __future__ import annotations

import re

from monitor.digest.document import DigestDocument, Entry, Line, Link, Section, Text
from monitor.links import safe_url

# Every ASCII punctuation that CommonMark (or GitHub's tables and strikethrough) can read as
# markup; a backslash before any of them is always just the character.
_SPECIAL = re.compile(r"([\\`*_\[\]<>&#|~])")
# What opens a block at the start of a line: a list item, a heading, a setext underline.
_BLOCK_START = re.compile(r"^([-+=])|^(\d+)([.)])")
_BULLET = "• "


def as_markdown(document: DigestDocument) -> str:
    out = [f"# {_escape(document.title)}", ""]
    out += _overview(document.overview)
    for section in document.sections:
        out += _section(section)
    if document.footer:
        out += ["---", "", f"_{_escape(document.footer)}_", ""]
    return "\n".join(out).rstrip() + "\n"


def _overview(lines: tuple[Line, ...]) -> list[str]:
    """The sentences as paragraphs, the counts ("• Stänger snart: 2") as a list."""
    out: list[str] = []
    for line in lines:
        first = line[0] if line else None
        if first is not None and not isinstance(first, Link) and first.text.startswith(_BULLET):
            rest = (Text(first.text[len(_BULLET) :], first.strong), *line[1:])
            out.append(f"- {_line(rest)}")
        else:
            if out and out[-1].startswith("- "):
                out.append("")
            out += [_line(line), ""]
    return [*out, ""]


def _section(section: Section) -> list[str]:
    out = [f"## {_escape(section.title)}", ""]
    for entry in section.entries:
        out.append(_entry(entry, compact=section.compact))
    return [*out, ""]


def _entry(entry: Entry, *, compact: bool) -> str:
    lines = [_line(line) for line in (entry.lines[:1] if compact else entry.lines)]
    if not compact and entry.mentions:
        mentions = ", ".join(_line(m) for m in entry.mentions)
        label = _escape(entry.mentions_label)
        lines.append(f"{label} {mentions}" if label else mentions)
    if not compact and entry.note:
        lines.append(f"*{_escape(entry.note)}*")
    # A hard line break ("  ") between the facts; the item's own lines indented under it.
    return "- " + "  \n  ".join(line for line in lines if line)


def _line(line: Line) -> str:
    out = []
    for run in line:
        text = _link(run.url, run.text) if isinstance(run, Link) else _escape(run.text)
        out.append(f"**{text}**" if run.strong and text else text)
    return _guard_start("".join(out))


def _link(url: str | None, label: str) -> str:
    target = safe_url(url)
    shown = _escape(label)
    if not target or not shown:
        return shown
    # Brackets in a URL would end the link's destination early.
    target = target.replace("(", "%28").replace(")", "%29")
    return f"[{shown}]({target})"


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def _guard_start(text: str) -> str:
    """A line that would open a list or a heading where it starts, kept as text."""
    return _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)

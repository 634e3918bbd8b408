"""The digest document as plain text: for a terminal, and for the e-mail's text part.

Plain text has no markup to escape, so a source's words are shown as it wrote them; only
http(s) links are written out, as `title (url)`, so a `javascript:` URL never reaches a reader
as something to click. Line breaks inside a text are flattened: a scraped title must not
break the indented layout.
"""

from __future__ import annotations

import re

from monitor.digest.document import DigestDocument, Entry, Line, Link, Run, Section
from monitor.links import safe_url

_BREAKS = re.compile(r"[ \t]*[\r\n\v\f\u2028\u2029]+[ \t]*")

ENTRY = "  - "  # an entry's headline
MORE = "    "  # its facts, mentions and note
MENTION = "      - "  # one of several mentions, under its label


def as_text(document: DigestDocument) -> str:
    out = [*_underlined(document.title, "="), ""]
    if document.overview:
        out += [line_text(line) for line in document.overview]
        out.append("")
    for section in document.sections:
        out += _section(section)
    if document.footer:
        out += ["--", _flat(document.footer)]
    return "\n".join(out).rstrip() + "\n"


def line_text(line: Line) -> str:
    return "".join(_run_text(run) for run in line)


def _run_text(run: Run) -> str:
    label = _flat(run.text)
    url = safe_url(run.url) if isinstance(run, Link) else None
    return f"{label} ({url})" if url else label


def _section(section: Section) -> list[str]:
    out = [*_underlined(section.title, "-"), ""]
    if section.compact:
        out += [ENTRY + line_text(e.lines[0]) for e in section.entries if e.lines]
        return [*out, ""]
    for entry in section.entries:
        out += [*_entry(entry), ""]
    return out


def _entry(entry: Entry) -> list[str]:
    if not entry.lines:
        return []
    out = [ENTRY + line_text(entry.lines[0])]
    out += [MORE + line_text(line) for line in entry.lines[1:]]
    if len(entry.mentions) == 1:
        said = (entry.mentions_label, line_text(entry.mentions[0]))
        out.append(MORE + " ".join(part for part in said if part))
    elif entry.mentions:
        if entry.mentions_label:
            out.append(MORE + entry.mentions_label)
        out += [MENTION + line_text(m) for m in entry.mentions]
    if entry.note:
        out.append(MORE + _flat(entry.note))
    return out


def _underlined(title: str, rule: str) -> list[str]:
    title = _flat(title)
    return [title, rule * len(title)]


def _flat(text: str) -> str:
    """The text on one line (a no-break space in "214 000 €" stays as it is)."""
    return _BREAKS.sub(" ", text)

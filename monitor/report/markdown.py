"""The report as Markdown (GitHub/CommonMark tables): headings, paragraphs and tables.

Text from sources (titles, error messages) is escaped so that a `|` or `*` in a call's title
cannot break a table or start emphasis. The chart has no Markdown form: its table follows it.
"""

from __future__ import annotations

import re

from monitor.report.blocks import Cell, Chart, Document, Heading, Link, Paragraph, Table

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
# Line breaks would end a table row; the no-break spaces in 1 240 and 80 % must stay.
_BREAKS = re.compile(r"[ \t\r\n]+")
# Characters that would end or break a link destination, percent-encoded.
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", _BREAKS.sub(" ", text).strip())


def _cell(cell: Cell) -> str:
    if isinstance(cell, Link):
        if not cell.url:
            return escape(cell.text)
        url = "".join(_URL_UNSAFE.get(c, c) for c in cell.url)
        return f"[{escape(cell.text)}]({url})"
    return escape(cell)


def _table(table: Table) -> list[str]:
    def line(cells) -> str:
        return "| " + " | ".join(cells) + " |"

    rule = ["---:" if i in table.numeric else "---" for i in range(len(table.header))]
    lines = [line(escape(h) for h in table.header), line(rule)]
    lines += [line(_cell(c) for c in row) for row in table.rows]
    if table.total:
        lines.append(line(f"**{_cell(c)}**" for c in table.total))
    return lines


def render_markdown(doc: Document) -> str:
    chunks: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            chunks.append(f"{'#' * block.level} {escape(block.text)}")
        elif isinstance(block, Paragraph):
            text = escape(block.text)
            chunks.append(f"*{text}*" if block.note else text)
        elif isinstance(block, Table):
            chunks.append("\n".join(_table(block)))
        elif isinstance(block, Chart):
            continue
    return "\n\n".join(chunks) + "\n"

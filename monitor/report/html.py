"""The report as one self-contained HTML file: inline CSS and SVG, nothing fetched, UTF-8.

It can be mailed, opened from a shared drive or printed to PDF for the board's papers.
"""

from __future__ import annotations

from html import escape

from monitor.links import safe_url
from monitor.report.blocks import Cell, Chart, Document, Heading, Link, Paragraph, Table
from monitor.report.chart import render_svg

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
       line-height: 1.5; margin: 0; }
main { max-width: 62rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.8rem; margin-bottom: 0.25rem; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.1rem; margin-top: 1.75rem; }
p.note { color: #57606a; font-size: 0.9rem; }
table { border-collapse: collapse; margin: 0.75rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.55rem; text-align: left;
         vertical-align: top; }
thead th { background: #f6f8fa; }
tbody th { font-weight: normal; }
tfoot th, tfoot td { font-weight: 600; background: #f6f8fa; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1rem 0 0.5rem; }
svg.chart { max-width: 100%; height: auto; }
svg.chart text { fill: #1f2328; }
svg.chart .grid { stroke: #e5e7eb; }
svg.chart .axis { stroke: #57606a; }
svg.chart rect[data-value] { stroke: #fff; stroke-width: 0.5; }
a { color: #0550ae; }
@media print {
  main { padding: 0; max-width: none; }
  h2, h3 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
}
"""


def _cell(cell: Cell) -> str:
    if isinstance(cell, Link):
        url = safe_url(cell.url)  # a source's javascript: URL is shown as text, never linked
        if not url:
            return escape(cell.text)
        return f'<a href="{escape(url)}">{escape(cell.text)}</a>'
    return escape(cell)


def _row(cells: tuple[Cell, ...], numeric: frozenset[int], tag: str = "td") -> str:
    # The first cell names the row: a row header for screen readers.
    out = []
    for i, cell in enumerate(cells):
        name = "th" if i == 0 else tag
        scope = ' scope="row"' if i == 0 else ""
        out.append(f"<{name}{scope}{_css(i, numeric)}>{_cell(cell)}</{name}>")
    return "<tr>" + "".join(out) + "</tr>"


def _css(index: int, numeric: frozenset[int]) -> str:
    return ' class="num"' if index in numeric else ""


def _table(table: Table) -> str:
    head = "".join(
        f'<th scope="col"{_css(i, table.numeric)}>{escape(h)}</th>'
        for i, h in enumerate(table.header)
    )
    body = "\n".join(_row(row, table.numeric) for row in table.rows)
    parts = [f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>"]
    if table.total:
        parts.append(f"<tfoot>{_row(table.total, table.numeric)}</tfoot>")
    return "\n".join(parts) + "\n</table>"


def render_html(doc: Document) -> str:
    body: list[str] = []
    charts = 0
    for block in doc.blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            css = ' class="note"' if block.note else ""
            body.append(f"<p{css}>{escape(block.text)}</p>")
        elif isinstance(block, Table):
            body.append(_table(block))
        elif isinstance(block, Chart):
            charts += 1
            body.append(f"<figure>{render_svg(block, f'chart{charts}')}</figure>")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(doc.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(doc.title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )

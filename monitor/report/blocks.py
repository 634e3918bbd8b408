"""The report as a list of blocks (headings, paragraphs, tables, a chart) that both the Markdown
and the HTML writer render, so the two forms cannot say different things."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None  # None: shown as plain text


Cell = str | Link


@dataclass(frozen=True)
class Heading:
    level: int  # 1 is the title
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: bool = False  # a side remark: italic in Markdown, smaller in HTML


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    numeric: frozenset[int] = frozenset()  # columns aligned right
    total: tuple[Cell, ...] | None = None  # a last row of sums, set apart


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    """A stacked bar chart; the Markdown form leaves it out, the table after it has the data."""

    title: str
    description: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    thousands: str = ","  # the axis writes 1 000 in Swedish, 1,000 in English


Block = Heading | Paragraph | Table | Chart


@dataclass
class Document:
    title: str
    language: str
    blocks: list[Block] = field(default_factory=list)

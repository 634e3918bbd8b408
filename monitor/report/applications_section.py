"""The report's section on the förvaltningar's applications: pure, blocks from the figures."""

from __future__ import annotations

from monitor.report.applications import Applications, Tally
from monitor.report.blocks import Block, Cell, Heading, Paragraph, Table
from monitor.report.model import ReportData
from monitor.report.words import ReportWords

_NUMERIC = frozenset({1, 2, 3, 4, 5})


def applications_section(data: ReportData, words: ReportWords) -> list[Block]:
    apps = data.applications
    blocks: list[Block] = [Heading(2, words("applications"))]
    if not (apps.total or apps.previous):
        return [*blocks, Paragraph(words("no_applications"))]
    total = apps.total
    blocks.append(
        Paragraph(
            words(
                "applications_text",
                year=data.year,
                interested=words.n("interested_n", total.interested),
                submitted=words.n("submitted_n", total.submitted),
                granted=words.n("granted_n", total.granted),
                amount=_kronor(total.granted_amount, words),
                rejected=words.n("rejected_n", total.rejected),
            )
        )
    )
    if apps.by_unit:
        units = sorted(apps.by_unit, key=str.casefold)
        blocks += [
            Heading(3, words("per_unit")),
            _table(words("col_unit"), [(u, apps.by_unit[u]) for u in units], total, words),
        ]
    if apps.by_area:
        order = data.areas_ranked()
        areas = sorted(
            apps.by_area,
            key=lambda a: (a is None, order.index(a) if a in order else len(order), a or ""),
        )
        named = [(data.area_name(a) if a else words("no_area"), apps.by_area[a]) for a in areas]
        blocks += [
            Heading(3, words("per_area")),
            _table(words("col_area"), named, total, words),
            Paragraph(words("per_area_best_note"), note=True),
        ]
    blocks += [
        Heading(3, words("against_previous", previous=data.year - 1)),
        _change(apps, data, words),
    ]
    return blocks


def _cells(tally: Tally, words: ReportWords) -> tuple[str, ...]:
    return (
        words.number(tally.interested),
        words.number(tally.submitted),
        words.number(tally.granted),
        words.number(tally.granted_amount),
        words.number(tally.rejected),
    )


def _table(first: str, rows: list[tuple[str, Tally]], total: Tally, words: ReportWords) -> Table:
    header = (
        first,
        words("col_interested"),
        words("col_submitted"),
        words("col_granted"),
        words("col_granted_amount"),
        words("col_rejected"),
    )
    body: list[tuple[Cell, ...]] = [(name, *_cells(tally, words)) for name, tally in rows]
    return Table(header, body, numeric=_NUMERIC, total=(words("col_total"), *_cells(total, words)))


def _change(apps: Applications, data: ReportData, words: ReportWords) -> Table:
    now, before = apps.total, apps.previous
    measures = (
        ("col_interested", now.interested, before.interested),
        ("col_submitted", now.submitted, before.submitted),
        ("col_granted", now.granted, before.granted),
        ("col_granted_amount", now.granted_amount, before.granted_amount),
        ("col_rejected", now.rejected, before.rejected),
    )
    return Table(
        (words("col_measure"), str(data.year - 1), str(data.year), words("col_change")),
        [
            (words(key), words.number(old), words.number(new), _signed(new - old, words))
            for key, new, old in measures
        ],
        numeric=frozenset({1, 2, 3}),
    )


def _signed(value: int, words: ReportWords) -> str:
    # A real minus sign: a hyphen before a number reads as a dash in print.
    if value > 0:
        return "+" + words.number(value)
    if value < 0:
        return "\u2212" + words.number(-value)
    return "±0"


def _kronor(amount: int, words: ReportWords) -> str:
    return words("kronor", amount=words.number(amount))

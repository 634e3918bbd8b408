"""Word the year's figures as a document for the municipal executive board: pure, no I/O."""

from __future__ import annotations

from datetime import date

from monitor.report.applications_section import applications_section
from monitor.report.blocks import (
    Block,
    Cell,
    Chart,
    Document,
    Heading,
    Link,
    Paragraph,
    Series,
    Table,
)
from monitor.report.model import ClosedCall, ReportData, SourceYear
from monitor.report.words import ReportWords

# A reader scans the error column; the whole message is in fetch_log for the admin.
ERROR_LENGTH = 120
TOP_AREAS = 3


def compose(data: ReportData, words: ReportWords) -> Document:
    title = words("title", year=data.year)
    doc = Document(title, words.language, [Heading(1, title)])
    period = words.span(data.period_start, data.period_end)
    if data.ongoing:
        period += words("ongoing")
    doc.blocks.append(Paragraph(words("subtitle", period=period, made=words.day(data.made)), True))
    if data.is_empty:
        doc.blocks.append(Paragraph(words("empty", year=data.year)))
        return doc
    doc.blocks.append(Paragraph(introduction(data, words)))
    doc.blocks += _calls(data, words)
    doc.blocks += _closed(data, words)
    doc.blocks += applications_section(data, words)
    doc.blocks += _sources(data, words)
    return doc


def introduction(data: ReportData, words: ReportWords) -> str:
    """The paragraph a board member reads if nothing else: period, sources, calls, top areas."""
    sentences = [words.n("intro_sources", len(data.watched), year=data.year)]
    calls = words.n("intro_calls", data.seen)
    if data.seen and data.unjudged == data.seen:
        sentences += [calls + ".", words("intro_unjudged")]
    else:
        sentences.append(calls + words.n("intro_relevant", data.matched))
    top = [a for a in data.areas_ranked() if data.matched_by_area.get(a)][:TOP_AREAS]
    if top:
        named = [f"{data.area_name(a)} ({words.number(data.matched_by_area[a])})" for a in top]
        sentences.append(words("intro_top", areas=words.listing(named)))
    if data.closed:
        closed = words.n("intro_closed", data.closed)
        sentences.append(closed + words.n("intro_closed_relevant", len(data.closed_matched)))
    return " ".join(sentences)


def _calls(data: ReportData, words: ReportWords) -> list[Block]:
    blocks: list[Block] = [Heading(2, words("calls"))]
    if not data.seen:
        return [*blocks, Paragraph(words("no_calls"))]
    closed_by_area = data.closed_matched_by_area()
    areas = data.areas_ranked()
    if areas:
        blocks += [
            Heading(3, words("per_area")),
            Table(
                (words("col_area"), words("col_matched"), words("col_closed_matched")),
                [
                    (
                        data.area_name(a),
                        words.number(data.matched_by_area.get(a, 0)),
                        words.number(closed_by_area.get(a, 0)),
                    )
                    for a in areas
                ],
                numeric=frozenset({1, 2}),
            ),
            Paragraph(words("per_area_note"), note=True),
        ]
    blocks += [Heading(3, words("per_month")), _month_table(data, words)]
    blocks += _area_month(data, words)
    blocks += [Heading(3, words("per_programme")), _programme_table(data, words)]
    return blocks


def _month_table(data: ReportData, words: ReportWords) -> Table:
    return Table(
        (words("col_month"), words("col_seen"), words("col_of_which")),
        [
            (
                words.month(m).capitalize(),
                words.number(data.seen_by_month.get(m, 0)),
                words.number(data.matched_by_month.get(m, 0)),
            )
            for m in data.months
        ],
        numeric=frozenset({1, 2}),
        total=(words("whole_year"), words.number(data.seen), words.number(data.matched)),
    )


def _area_month(data: ReportData, words: ReportWords) -> list[Block]:
    """The chart of matched calls per area and month, and the same figures as a table."""
    heading = Heading(3, words("per_area_month"))
    areas = [a for a in data.areas_ranked() if data.matched_by_area.get(a)]
    if not areas:
        return [heading, Paragraph(words("no_matched"))]
    months = list(data.months)
    series = tuple(
        Series(
            data.area_name(a),
            tuple(data.matched_by_area_month.get(a, {}).get(m, 0) for m in months),
        )
        for a in areas
    )
    chart = Chart(
        title=f"{words('per_area_month')} {data.year}",
        description=words("chart_desc"),
        labels=tuple(words.short_month(m) for m in months),
        series=series,
        thousands=words.number(1000)[1],
    )
    table = Table(
        (words("col_area"), *(words.short_month(m) for m in months), words("col_total")),
        [
            (s.name, *(words.number(v) for v in s.values), words.number(sum(s.values)))
            for s in series
        ],
        numeric=frozenset(range(1, len(months) + 2)),
    )
    return [heading, chart, table]


def _programme_table(data: ReportData, words: ReportWords) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for p in data.programmes:
        if p.code and p.name and p.name != p.code:
            name = f"{p.code}: {p.name}"
        else:
            name = p.code or p.name or words("unknown_programme")
        rows.append((name, words.number(p.seen), words.number(p.matched)))
    return Table(
        (words("col_programme"), words("col_seen"), words("col_of_which")),
        rows,
        numeric=frozenset({1, 2}),
    )


def _closed(data: ReportData, words: ReportWords) -> list[Block]:
    blocks: list[Block] = [Heading(2, words("closed_heading", year=data.year))]
    if not data.closed:
        return [*blocks, Paragraph(words("no_closed"))]
    listed = data.closed_matched
    text = words.n("closed_text", data.closed)
    text += words.n("closed_listed", len(listed)) if listed else words("closed_none_listed")
    blocks.append(Paragraph(text))
    by_area: dict[str, list[ClosedCall]] = {}
    for call in listed:
        by_area.setdefault(call.areas[0], []).append(call)  # under its best-scoring area
    order = data.areas_ranked()
    for area in sorted(by_area, key=lambda a: order.index(a) if a in order else len(order)):
        blocks += [Heading(3, data.area_name(area)), _closed_table(data, by_area[area], words)]
    return blocks


def _closed_table(data: ReportData, calls: list[ClosedCall], words: ReportWords) -> Table:
    return Table(
        (
            words("col_title"),
            words("col_identifier"),
            words("col_programme"),
            words("col_deadline"),
            words("col_other_areas"),
        ),
        [
            (
                call.title,
                Link(call.identifier or words("link"), call.url),
                call.programme or words("none"),
                call.deadline,
                ", ".join(data.area_name(a) for a in call.areas[1:]) or words("none"),
            )
            for call in calls
        ],
    )


def _sources(data: ReportData, words: ReportWords) -> list[Block]:
    blocks: list[Block] = [Heading(2, words("sources")), Heading(3, words("new_sources"))]
    if data.new_sources:
        blocks.append(
            Table(
                (words("col_source"), words("col_first_fetch")),
                [(s.name, _iso(s.first_fetch, words)) for s in data.new_sources],
            )
        )
    else:
        blocks.append(Paragraph(words("no_new_sources")))
    blocks.append(Heading(3, words("health")))
    if not data.watched:
        return [*blocks, Paragraph(words("no_runs"))]
    header = [
        words("col_source"),
        words("col_runs"),
        words("col_failed"),
        words("col_success"),
        words("col_new_items"),
        words("col_last_error"),
    ]
    if data.ongoing:
        header.append(words("col_now"))
    rows: list[tuple[Cell, ...]] = []
    for s in data.watched:
        row: list[str] = [
            s.name,
            words.number(s.runs),
            words.number(s.failed),
            _success(s, data.ongoing, words),
            words.number(s.new_items),
            _error(s.last_error, s.last_error_at, words),
        ]
        if data.ongoing:
            row.append(_now(s, words))
        rows.append(tuple(row))
    blocks += [
        Paragraph(words("health_text"), note=True),
        Table(tuple(header), rows, numeric=frozenset({1, 2, 4})),
    ]
    return blocks


def _success(source: SourceYear, ongoing: bool, words: ReportWords) -> str:
    """The share of successful runs in words that match it: none, every one, or n of m."""
    ok = source.runs - source.failed
    if ok == 0:
        return words("worked_never_ongoing" if ongoing else "worked_never")
    if ok == source.runs:
        return words("worked_always")
    share = words.share(ok, source.runs)
    return words("worked_some", ok=words.number(ok), runs=words.number(source.runs), share=share)


def _now(source: SourceYear, words: ReportWords) -> str:
    """The source's state today: a source whose last run failed is not "working"."""
    now = source.health_now
    if now is None or now.word == "ok":
        return words("works")
    if now.word == "failing":  # the error alone: "failed run" is what the words already say
        return words("failed_last", reason=_cut(now.error or ""))
    return words("not_working", reason=_cut(now.reason or ""))


def _iso(day: date | None, words: ReportWords) -> str:
    return day.isoformat() if day else words("none")


def _error(error: str | None, day: date | None, words: ReportWords) -> str:
    if not error:
        return words("none")
    return f"{_iso(day, words)}: {_cut(error)}"


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"

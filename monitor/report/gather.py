"""Read one year out of the store for the yearly report, and fold it into the report's data.

The year and its months are the configured time zone's; each boundary is turned into the UTC
stamp the store writes once (see store/report_reads.py for how the reads use them).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from monitor.health import status
from monitor.models import DEFAULT_GROUP
from monitor.report.applications import applications
from monitor.report.model import ClosedCall, ProgrammeCount, ReportData, SourceYear
from monitor.store import Database
from monitor.store import report_reads as reads


def stamp(day: date, zone: ZoneInfo) -> str:
    """Local midnight at the start of `day`, as the store writes a UTC time stamp."""
    moment = datetime.combine(day, time.min, zone).astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def _bounds(year: int, zone: ZoneInfo) -> dict[str, str]:
    bounds = {f"m{m}": stamp(date(year, m, 1), zone) for m in range(2, 13)}
    bounds["start"] = stamp(date(year, 1, 1), zone)
    bounds["end"] = stamp(date(year + 1, 1, 1), zone)
    return bounds


def gather_report(
    db: Database,
    *,
    year: int,
    zone: ZoneInfo,
    today: date,
    area_names: dict[str, str],
    source_names: dict[str, str],
    group: str = DEFAULT_GROUP,
) -> ReportData:
    """The year as `group` saw it: its calls and verdicts, its areas, its applications; the
    sources' own record is shared."""
    ongoing = year == today.year
    data = ReportData(
        year=year,
        period_start=date(year, 1, 1),
        period_end=today if ongoing else date(year, 12, 31),
        made=today,
        ongoing=ongoing,
        area_names=dict(area_names),
    )
    bounds = _bounds(year, zone)
    _calls(db, data, bounds, group)
    _matched_by_area(db, data, bounds, group)
    data.closed, data.closed_matched = closed_calls(db, year, today, group)
    data.sources = sources_over_year(db, bounds, zone, source_names, ongoing=ongoing)
    data.applications = applications(
        reads.tracking_changes_before(db, bounds["end"], group=group),
        start=bounds["start"],
        end=bounds["end"],
        previous_start=stamp(date(year - 1, 1, 1), zone),
    )
    return data


def _calls(db: Database, data: ReportData, bounds: dict[str, str], group: str) -> None:
    """Calls seen and matched per month and per programme, in one pass over the year's items.

    Programmes are grouped by abbreviation when there is one: the portal writes one
    programme's long name in more than one way over the years.
    """
    programmes: dict[str | None, ProgrammeCount] = {}
    for row in reads.calls_by_month_and_programme(db, bounds, group=group):
        month, matched = row["month"], row["matched"] or 0
        data.seen_by_month[month] = data.seen_by_month.get(month, 0) + row["seen"]
        data.matched_by_month[month] = data.matched_by_month.get(month, 0) + matched
        data.unjudged += row["unjudged"] or 0
        key = row["code"] or row["name"]
        was = programmes.get(key) or ProgrammeCount(row["code"], None, 0, 0)
        names = [n for n in (was.name, row["name"]) if n]
        programmes[key] = replace(
            was,
            name=max(names, default=None),  # the same choice every run, whatever the order
            seen=was.seen + row["seen"],
            matched=was.matched + matched,
        )
    data.programmes = sorted(
        programmes.values(),
        key=lambda p: (-p.matched, -p.seen, (p.code or p.name) is None, p.code or p.name or ""),
    )


def _matched_by_area(db: Database, data: ReportData, bounds: dict[str, str], group: str) -> None:
    for row in reads.matched_by_area_and_month(db, bounds, group=group):
        months = data.matched_by_area_month.setdefault(row["area"], {})
        months[row["month"]] = row["n"]
        data.matched_by_area[row["area"]] = data.matched_by_area.get(row["area"], 0) + row["n"]


def closed_calls(
    db: Database, year: int, today: date, group: str = DEFAULT_GROUP
) -> tuple[int, list[ClosedCall]]:
    """How many calls closed in the year, and the relevant ones with their areas."""
    total, relevant = reads.closed_in_year(db, year, today.isoformat(), group=group)
    # relevant = 1 always comes with matches; a row without any would have no area to go under.
    return total, [call for call in relevant if call.areas]


def sources_over_year(
    db: Database,
    bounds: dict[str, str],
    zone: ZoneInfo,
    source_names: dict[str, str],
    *,
    ongoing: bool,
) -> list[SourceYear]:
    """Per source that ran in the year or first ran in it: runs, failures, the last error."""
    first_run, last_run = reads.runs_in(db, bounds["start"], bounds["end"])
    result = []
    for state in reads.source_states(db):
        source: str = state["source"]
        first = reads.first_fetch(db, source)
        counts = reads.runs_between(db, source, first_run, last_run)
        new_in_year = first is not None and bounds["start"] <= first < bounds["end"]
        if not counts.runs and not new_in_year:
            continue
        error = reads.last_error(db, source, first_run, last_run)
        result.append(
            SourceYear(
                source=source,
                name=source_names.get(source, source),
                runs=counts.runs,
                failed=counts.failed,
                new_items=counts.new_items,
                first_fetch=_local_day(first, zone),
                new_in_year=new_in_year,
                last_error=error[1] if error else None,
                last_error_at=_local_day(error[0], zone) if error else None,
                health_now=status(state) if ongoing else None,
            )
        )
    result.sort(key=lambda s: s.name.casefold())
    return result


def _local_day(value: str | None, zone: ZoneInfo) -> date | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # written without an offset: the store means UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()

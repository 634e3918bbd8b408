"""Read one year out of the store, by index ranges, for the yearly report.

Time stamps in the store are UTC ("2026-03-01T10:00:00+00:00"); the year and its months are the
configured time zone's. Each boundary is turned into a UTC stamp once, so the queries compare
text with text on the indexed column (items.first_seen) and months are counted in SQL with a
CASE over those boundaries, exact across daylight-saving changes. Deadlines are dates.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from monitor.report.model import ClosedCall, ProgrammeCount, ReportData, SourceYear

# A unary + keeps SQLite from choosing an index on kind or relevant (each true for years of
# items) over the first_seen or deadline range that is the narrow part of every query here.
_YEAR_CALLS = "items.first_seen >= :start AND items.first_seen < :end AND +items.kind = 'call'"


def stamp(day: date, zone: ZoneInfo) -> str:
    """Local midnight at the start of `day`, as the store writes a UTC time stamp."""
    moment = datetime.combine(day, time.min, zone).astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def _month_case(column: str) -> str:
    """The month (1-12) of a time stamp, against the bounds :m2 ... :m12 (local month starts)."""
    whens = " ".join(f"WHEN {column} < :m{m} THEN {m - 1}" for m in range(2, 13))
    return f"CASE {whens} ELSE 12 END"


def _bounds(year: int, zone: ZoneInfo) -> dict[str, str]:
    bounds = {f"m{m}": stamp(date(year, m, 1), zone) for m in range(2, 13)}
    bounds["start"] = stamp(date(year, 1, 1), zone)
    bounds["end"] = stamp(date(year + 1, 1, 1), zone)
    return bounds


def gather_report(
    db: sqlite_utils.Database,
    *,
    year: int,
    zone: ZoneInfo,
    today: date,
    area_names: dict[str, str],
    source_names: dict[str, str],
) -> ReportData:
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
    _calls(db, data, bounds)
    _matched_by_area(db, data, bounds)
    data.closed, data.closed_matched = closed_calls(db, year, today)
    data.sources = sources_over_year(db, bounds, zone, source_names, ongoing=ongoing)
    return data


def _calls(db: sqlite_utils.Database, data: ReportData, bounds: dict[str, str]) -> None:
    """Calls seen and matched per month and per programme, in one pass over the year's items.

    Programmes are grouped by abbreviation when there is one: the portal writes one
    programme's long name in more than one way over the years.
    """
    sql = f"""SELECT {_month_case("items.first_seen")} AS month,
                     NULLIF(items.programme_code, '') AS code, MAX(items.programme) AS name,
                     COUNT(*) AS seen, SUM(items.relevant = 1) AS matched,
                     SUM(items.relevant IS NULL) AS unjudged
              FROM items WHERE {_YEAR_CALLS}
              GROUP BY month, COALESCE(NULLIF(items.programme_code, ''), items.programme)"""
    programmes: dict[str | None, ProgrammeCount] = {}
    for row in db.query(sql, bounds):
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


def _matched_by_area(db: sqlite_utils.Database, data: ReportData, bounds: dict[str, str]) -> None:
    sql = f"""SELECT matches.area, {_month_case("items.first_seen")} AS month, COUNT(*) AS n
              FROM items JOIN matches ON matches.item_id = items.id
              WHERE {_YEAR_CALLS} AND +items.relevant = 1
              GROUP BY matches.area, month"""
    for row in db.query(sql, bounds):
        months = data.matched_by_area_month.setdefault(row["area"], {})
        months[row["month"]] = row["n"]
        data.matched_by_area[row["area"]] = data.matched_by_area.get(row["area"], 0) + row["n"]


def closed_calls(db: sqlite_utils.Database, year: int, today: date) -> tuple[int, list[ClosedCall]]:
    """How many calls closed in the year, and the relevant ones with their areas.

    Closed in the year: the deadline fell in it and is behind us, or the source closed the
    call. `deadline` is the next deadline as of the last fetch; a call last fetched before its
    first stage closed still shows that stage, so it counts only when it is the last deadline.
    """
    where = """deadline >= :first AND deadline <= :last AND +kind = 'call'
               AND (status = 'closed'
                    OR (deadline < :today AND deadline = json_extract(deadlines, '$[#-1]')))"""
    args = {"first": f"{year}-01-01", "last": f"{year}-12-31", "today": today.isoformat()}
    total = db.execute(f"SELECT COUNT(*) FROM items WHERE {where}", args).fetchone()[0]
    sql = f"""SELECT id, title, identifier, programme, programme_code, deadline, url,
                     (SELECT json_group_array(area) FROM (SELECT area FROM matches
                       WHERE matches.item_id = items.id ORDER BY score DESC, area)) AS areas
              FROM items WHERE {where} AND +relevant = 1
              ORDER BY deadline, identifier, title"""
    relevant = [
        ClosedCall(
            id=row["id"],
            title=row["title"],
            identifier=row["identifier"],
            programme=row["programme_code"] or row["programme"],
            deadline=row["deadline"],
            url=row["url"],
            areas=tuple(json.loads(row["areas"] or "[]")),
        )
        for row in db.query(sql, args)
    ]
    # relevant = 1 always comes with matches; a row without any would have no area to go under.
    return total, [call for call in relevant if call.areas]


def sources_over_year(
    db: sqlite_utils.Database,
    bounds: dict[str, str],
    zone: ZoneInfo,
    source_names: dict[str, str],
    *,
    ongoing: bool,
) -> list[SourceYear]:
    """Per source that ran in the year or first ran in it: runs, failures, the last error.

    fetch_log has no index on time, only on (source, run_id). Run ids grow with time (one run at
    a time), so the year is the range of run ids whose runs started in it: a scan of the small
    runs table, then one index range per source.
    """
    first_run, last_run = db.execute(
        "SELECT MIN(id), MAX(id) FROM runs WHERE started >= ? AND started < ?",
        [bounds["start"], bounds["end"]],
    ).fetchone()
    result = []
    for state in db.query("SELECT * FROM source_state ORDER BY source"):
        source = state["source"]
        first = _first_fetch(db, source)
        counts = _runs_between(db, source, first_run, last_run)
        new_in_year = first is not None and bounds["start"] <= first < bounds["end"]
        if not counts["runs"] and not new_in_year:
            continue
        error = _last_error(db, source, first_run, last_run)
        result.append(
            SourceYear(
                source=source,
                name=source_names.get(source, source),
                runs=counts["runs"],
                failed=counts["failed"] or 0,
                new_items=counts["new_items"] or 0,
                first_fetch=_local_day(first, zone),
                new_in_year=new_in_year,
                last_error=error["error"] if error else None,
                last_error_at=_local_day(error["started"], zone) if error else None,
                healthy_now=bool(state["healthy"]) if ongoing else None,
                health_reason=state["health_reason"] if ongoing else None,
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


def _first_fetch(db: sqlite_utils.Database, source: str) -> str | None:
    row = db.execute(
        "SELECT started FROM fetch_log WHERE source = ? ORDER BY run_id LIMIT 1", [source]
    ).fetchone()
    return row[0] if row else None


def _runs_between(db: sqlite_utils.Database, source: str, lo: int | None, hi: int | None):
    if lo is None:
        return {"runs": 0, "failed": 0, "new_items": 0}
    rows = db.query(
        """SELECT COUNT(*) AS runs, SUM(outcome = 'error') AS failed, SUM(items_new) AS new_items
           FROM fetch_log WHERE source = ? AND run_id BETWEEN ? AND ?""",
        [source, lo, hi],
    )
    return next(iter(rows))


def _last_error(
    db: sqlite_utils.Database, source: str, lo: int | None, hi: int | None
) -> dict[str, Any] | None:
    if lo is None:
        return None
    rows = list(
        db.query(
            """SELECT started, error FROM fetch_log
               WHERE source = ? AND run_id BETWEEN ? AND ? AND outcome = 'error'
               ORDER BY run_id DESC LIMIT 1""",
            [source, lo, hi],
        )
    )
    return rows[0] if rows else None

"""What the yearly report reads from the store, by index ranges.

Time stamps in the store are UTC ("2026-03-01T10:00:00+00:00"). The caller turns the year's
and its months' local boundaries into such stamps once (`bounds`: start, end, m2 ... m12), so
the queries compare text with text on the indexed column (items.first_seen) and months are
counted in SQL with a CASE over those boundaries, exact across daylight-saving changes.
Deadlines are dates. Every read is one group's: its items as it judged them (`items_of`),
its matches and its tracking.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from monitor.models import DEFAULT_GROUP
from monitor.report.model import ClosedCall
from monitor.store.columns import items_of, quoted

Row = dict[str, Any]

# A unary + keeps SQLite from choosing an index on kind or relevant (each true for years of
# items) over the first_seen or deadline range that is the narrow part of every query here.
_YEAR_CALLS = "items.first_seen >= :start AND items.first_seen < :end AND +items.kind = 'call'"


@dataclass(frozen=True)
class SourceRuns:
    runs: int
    failed: int
    new_items: int


def _month_case(column: str) -> str:
    """The month (1-12) of a time stamp, against the bounds :m2 ... :m12 (local month starts)."""
    whens = " ".join(f"WHEN {column} < :m{m} THEN {m - 1}" for m in range(2, 13))
    return f"CASE {whens} ELSE 12 END"


def calls_by_month_and_programme(
    db: sqlite_utils.Database, bounds: dict[str, str], *, group: str = DEFAULT_GROUP
) -> list[Row]:
    """Per month and programme (abbreviation, else name) of the year's calls: month, code,
    name, seen, matched (relevant) and unjudged (not matched yet)."""
    sql = f"""SELECT {_month_case("items.first_seen")} AS month,
                     NULLIF(items.programme_code, '') AS code, MAX(items.programme) AS name,
                     COUNT(*) AS seen, SUM(items.relevant = 1) AS matched,
                     SUM(items.relevant IS NULL) AS unjudged
              FROM {items_of(group)} WHERE {_YEAR_CALLS}
              GROUP BY month, COALESCE(NULLIF(items.programme_code, ''), items.programme)"""
    return list(db.query(sql, bounds))


def matched_by_area_and_month(
    db: sqlite_utils.Database, bounds: dict[str, str], *, group: str = DEFAULT_GROUP
) -> list[Row]:
    """Per area and month: how many of the year's relevant calls matched it (area, month, n)."""
    sql = f"""SELECT matches.area, {_month_case("items.first_seen")} AS month, COUNT(*) AS n
              FROM {items_of(group)} JOIN matches ON matches.item_id = items.id
              WHERE {_YEAR_CALLS} AND +items.relevant = 1
                AND matches.group_id = {quoted(group)}
              GROUP BY matches.area, month"""
    return list(db.query(sql, bounds))


def closed_in_year(
    db: sqlite_utils.Database, year: int, today: str, *, group: str = DEFAULT_GROUP
) -> tuple[int, list[ClosedCall]]:
    """How many calls closed in the year, and the relevant ones with their areas.

    Closed in the year: the deadline fell in it and is behind us, or the source closed the
    call. `deadline` is the next deadline as of the last fetch; a call last fetched before its
    first stage closed still shows that stage, so it counts only when it is the last deadline.
    """
    where = """deadline >= :first AND deadline <= :last AND +kind = 'call'
               AND (status = 'closed'
                    OR (deadline < :today AND deadline = json_extract(deadlines, '$[#-1]')))"""
    args = {"first": f"{year}-01-01", "last": f"{year}-12-31", "today": today}
    items = items_of(group)
    total = db.execute(f"SELECT COUNT(*) FROM {items} WHERE {where}", args).fetchone()[0]
    sql = f"""SELECT id, title, identifier, programme, programme_code, deadline, url,
                     (SELECT json_group_array(area) FROM (SELECT area FROM matches
                       WHERE matches.item_id = items.id AND matches.group_id = {quoted(group)}
                       ORDER BY score DESC, area)) AS areas
              FROM {items} WHERE {where} AND +relevant = 1
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
    return total, relevant


def runs_in(db: sqlite_utils.Database, start: str, end: str) -> tuple[int | None, int | None]:
    """The first and last run id of the runs that started in [start, end) (None: no run).

    fetch_log has no index on time, only on (source, run_id). Run ids grow with time (one run at
    a time), so a time range is the range of run ids whose runs started in it: a scan of the
    small runs table, then one index range per source.
    """
    first, last = db.execute(
        "SELECT MIN(id), MAX(id) FROM runs WHERE started >= ? AND started < ?", [start, end]
    ).fetchone()
    return first, last


def source_states(db: sqlite_utils.Database) -> list[Row]:
    """Every source's state row, by source id."""
    return list(db.query("SELECT * FROM source_state ORDER BY source"))


def first_fetch(db: sqlite_utils.Database, source: str) -> str | None:
    """When the source was first fetched (the stamp its first fetch started)."""
    row = db.execute(
        "SELECT started FROM fetch_log WHERE source = ? ORDER BY run_id LIMIT 1", [source]
    ).fetchone()
    return row[0] if row else None


def runs_between(
    db: sqlite_utils.Database, source: str, lo: int | None, hi: int | None
) -> SourceRuns:
    """The source's fetches in runs lo..hi: how many, how many failed, new items."""
    if lo is None:
        return SourceRuns(0, 0, 0)
    row = next(
        iter(
            db.query(
                """SELECT COUNT(*) AS runs, SUM(outcome = 'error') AS failed,
                          SUM(items_new) AS new_items
                   FROM fetch_log WHERE source = ? AND run_id BETWEEN ? AND ?""",
                [source, lo, hi],
            )
        )
    )
    return SourceRuns(row["runs"], row["failed"] or 0, row["new_items"] or 0)


def last_error(
    db: sqlite_utils.Database, source: str, lo: int | None, hi: int | None
) -> tuple[str, str] | None:
    """The source's last failed fetch in runs lo..hi: (started, error), else None."""
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
    return (rows[0]["started"], rows[0]["error"]) if rows else None


def tracking_changes_before(
    db: sqlite_utils.Database, end: str, *, group: str = DEFAULT_GROUP
) -> list[Row]:
    """Every tracking change `group` made before `end`, oldest first, with the item's best
    area for the group (None when its rules matched none)."""
    return list(
        db.query(
            """SELECT tracking_changes.*,
                      (SELECT area FROM matches WHERE matches.item_id = tracking_changes.item_id
                         AND matches.group_id = tracking_changes.group_id
                       ORDER BY score DESC, area LIMIT 1) AS area
               FROM tracking_changes WHERE changed_at < ? AND group_id = ? ORDER BY id""",
            [end, group],
        )
    )

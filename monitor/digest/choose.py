"""Choose what goes in a digest. Pure: it reads the candidates the store gathered, no I/O.

- New calls: relevant calls first seen in the period, not already closed, under their best area
  (the other areas are named beside them).
- Closing soon: relevant open calls announced before the period whose next deadline is within
  `closing_soon_days`.
- Changed: relevant calls announced before the period whose deadlines, status, opening date,
  title or budget changed in the period: one net change per field (its value before the
  period's first change -> its value now), none for a field back where it started or whose
  last change restores a value of the source's last `FLIP_BACK_RUNS` runs (churn).
- News: news items first seen in the period that match an area, with the call they name.
- Maybe also ("Kanske också"): calls of the maybe tier first seen in the period, not closed,
  that no section above shows.
- Tracked applications ("Bevakade ansökningar"): calls a förvaltning marked interested or
  applying whose next deadline is within `reminder_days`, with each unit and its state. A
  reminder is not an announcement: it is outside the exactly-once rule and repeated in every
  digest until the deadline or until the state moves on. Such a call is not also listed as
  closing soon (the reminder says more). Reminders alone make a digest worth sending (a quiet
  week is when a deadline is forgotten), but only if no digest was sent in the last
  `REMIND_AGAIN`: once a week, so a second send the same day still has nothing to send.
- Sources tried in the period that failed their last run or are unhealthy, and whether every
  source tried failed (then "nothing new" would not be true: nothing could be fetched).
A call is shown once: as new before changed before closing soon; one call reached through two
sources (the same identifier) is shown once, the others adding their news to it. The row shown
is the call's own record (its uid is the identifier, as the portal's are) whatever the source is
called, so the choice never depends on a source id.

Exactly once across digests (what sent digests announced, `Candidates.announced`, by item id
or call identifier): a call is new in one digest only (and a maybe call, or a news item, shown
once); a change is shown only if made after the last sent digest was built; "Closing soon"
lists a call once, and never in the week after a digest announced it in any section (the next
weekly digest, whether or not an empty week came between), unless its deadline moved since it
was shown. So a second digest with nothing new is empty,
whatever sends it.
New calls and maybe calls: highest learned score first, calls without one after. Closing soon
and changed (and new calls of equal score): soonest deadline first, then the strongest match;
a deadline is what matters in those two sections.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from monitor.config import DEFAULT_TIMEZONE
from monitor.digest.card import as_written, brief
from monitor.digest.eligibility import applicants, cofinancing_rate
from monitor.digest.model import Change, Digest, DigestItem, Mention, Reminder, SourceProblem
from monitor.health import status

Row = Mapping[str, Any]

# A call announced by a digest built less than this before the one being made is not listed as
# closing soon: a week (the digest's cadence) and room for a late send. The weekly digest right
# after the announcing one is always inside it, the one after that never.
JUST_ANNOUNCED = timedelta(days=10)
# Reminders alone make a digest only this long after the last sent one was built: under the
# week's cadence, with room for a send a little early, and far above a second send at once.
REMIND_AGAIN = timedelta(days=6)
# A change that restores a value its field had at most this many of the source's runs before is
# churn (a source alternating two versions), not news. A constant, not a setting: three runs
# damp a flip every run or every other run and still let a value held for days come back as a
# change; no municipality has a reason to tune it, and 0 would bring the noise back.
FLIP_BACK_RUNS = 3


@dataclass
class Candidates:
    """What the store holds that may belong in the digest (see gather.py)."""

    calls: Sequence[Row] = field(default_factory=list)  # relevant calls, with "matches"
    maybe: Sequence[Row] = field(default_factory=list)  # new calls of the maybe tier, "matches"
    news: Sequence[Row] = field(default_factory=list)  # news of the period, with "matches"
    changes: Mapping[str, Sequence[Row]] = field(default_factory=dict)  # item id -> its changes
    mentions: Mapping[str, Sequence[Row]] = field(default_factory=dict)  # identifier -> news
    # What sent digests announced: digest_id, built, item_id, identifier, section, deadline.
    announced: Sequence[Row] = field(default_factory=list)
    last_sent_end: str | None = None  # when the last sent digest was built (its period end)
    sources: Sequence[Row] = field(default_factory=list)  # source_state rows
    source_names: dict[str, str] = field(default_factory=dict)
    # Tracked (item, unit) rows someone works on (store.tracking.tracked_calls).
    tracked: Sequence[Row] = field(default_factory=list)


def choose(
    candidates: Candidates,
    *,
    period_start: datetime,
    period_end: datetime,
    today: date,
    area_names: Mapping[str, str],
    closing_soon_days: int = 30,
    reminder_days: int = 21,
    timezone: str = DEFAULT_TIMEZONE,
) -> Digest:
    start, end = _stamp(period_start), _stamp(period_end)
    names = candidates.source_names
    digest = Digest(period_start, period_end, today, dict(area_names), timezone)
    shown: set[str] = set()  # item ids and call identifiers already placed
    calls = sorted(candidates.calls, key=lambda r: (not _is_the_call(r), r["id"]))
    before = _Announced(candidates.announced, recent_after=_stamp(period_end - JUST_ANNOUNCED))

    def place(row: Row) -> bool:
        keys = {row["id"], *([row["identifier"]] if row.get("identifier") else [])}
        if keys & shown:
            return False
        shown.update(keys)
        return True

    for row in calls:
        fresh = start < row["first_seen"] <= end and not before.any(row, {"new"})
        if fresh and row["status"] != "closed" and place(row):
            item = _item(row, names, candidates)
            if item.area:
                digest.new_by_area.setdefault(item.area, []).append(item)
    for row in calls:
        changes = _net_changes(
            c
            for c in candidates.changes.get(row["id"], [])
            if candidates.last_sent_end is None or c["changed_at"] > candidates.last_sent_end
        )
        if changes and row["first_seen"] <= start and place(row):
            digest.changed.append(replace(_item(row, names, candidates), changes=tuple(changes)))
    reminders = _reminders(candidates.tracked, today, today + timedelta(days=reminder_days))
    reminded = {k for r in reminders for k in (r.id, r.identifier) if k}
    window_end = today + timedelta(days=closing_soon_days)
    for row in calls:
        deadline = _date(row.get("deadline"))
        closing = (
            row["status"] == "open"
            and deadline is not None
            and today <= deadline <= window_end
            and row["first_seen"] <= start
            and before.may_close(row)
            and not {row["id"], row.get("identifier")} & reminded
        )
        if closing and place(row):
            digest.closing_soon.append(_item(row, names, candidates))
    for row in sorted(candidates.maybe, key=lambda r: (not _is_the_call(r), r["id"])):
        fresh = start < row["first_seen"] <= end and not before.any(row, {"new", "maybe"})
        if fresh and row["status"] != "closed" and place(row):
            digest.maybe.append(_item(row, names, candidates))
    for row in candidates.news:
        fresh = start < row["first_seen"] <= end and not before.any(row, {"news"})
        if fresh and row.get("matches"):
            digest.news.append(_news_item(row, names, calls))
    digest.unhealthy, digest.all_sources_failed = _source_problems(
        candidates.sources, names, start, end
    )
    last = candidates.last_sent_end
    if not digest.is_empty or last is None or last <= _stamp(period_end - REMIND_AGAIN):
        digest.reminders = reminders

    order = {area: i for i, area in enumerate(area_names)}
    digest.new_by_area = {
        area: sorted(items, key=_by_learned_score)
        for area, items in sorted(digest.new_by_area.items(), key=lambda kv: order.get(kv[0], 99))
    }
    for section in (digest.closing_soon, digest.changed):
        section.sort(key=_by_deadline_then_score)
    digest.maybe.sort(key=_by_learned_score)
    digest.news.sort(key=lambda i: (-(i.published.timestamp() if i.published else 0), i.title))
    return digest


def _net_changes(events: Iterable[Row]) -> tuple[Change, ...]:
    """One change per field: from its first old value to its last new one (the store records
    every change, so each starts where the one before ended). None for a field that ends where
    it started, nor for one whose last change flips back (restores a value of its last
    FLIP_BACK_RUNS runs): a source alternating two versions is not changing the call."""
    by_field: dict[str, list[Row]] = {}
    for event in events:
        by_field.setdefault(event["field"], []).append(event)
    return tuple(
        Change(name, group[0]["old"], group[-1]["new"])
        for name, group in by_field.items()
        if group[0]["old"] != group[-1]["new"] and not group[-1].get("flips_back")
    )


def _source_problems(
    states: Iterable[Row], names: Mapping[str, str], start: str, end: str
) -> tuple[list[SourceProblem], bool]:
    """The sources tried in the period that are not ok now, and whether all of them failed."""
    tried = [s for s in states if start < (s.get("last_run") or "") <= end]
    problems = []
    for state in sorted(tried, key=lambda s: names.get(s["source"], s["source"]).casefold()):
        now = status(state)
        if now.word == "ok":
            continue
        problems.append(
            SourceProblem(
                state["source"],
                names.get(state["source"], state["source"]),
                now.reason or "",
                state.get("last_success"),
                failures=now.failures,
                error=now.error,
                usual_items=state.get("last_item_count"),
            )
        )
    failed = sum(1 for p in problems if p.failures)
    return problems, bool(tried) and failed == len(tried)


def _reminders(rows: Iterable[Row], today: date, last_day: date) -> list[Reminder]:
    """One reminder per call (its identifier, else its item) due from today to `last_day`,
    with every unit working on it; soonest deadline first."""
    by_call: dict[str, list[Row]] = {}
    for row in rows:
        deadline = _date(row.get("deadline"))
        if deadline is not None and today <= deadline <= last_day:
            by_call.setdefault(row.get("identifier") or row["item_id"], []).append(row)
    reminders = []
    for group in by_call.values():
        first = group[0]
        units = sorted({(r["unit"], r["state"]) for r in group}, key=lambda u: u[0].casefold())
        reminders.append(
            Reminder(
                id=first["item_id"],
                title=first["title"],
                url=first.get("url"),
                identifier=first.get("identifier"),
                deadline=_date(first["deadline"]) or today,
                units=tuple(units),
            )
        )
    return sorted(reminders, key=lambda r: (r.deadline, r.title.casefold()))


class _Announced:
    """What sent digests announced, looked up by a row's item id or call identifier."""

    def __init__(self, rows: Iterable[Row], *, recent_after: str) -> None:
        self._by_key: dict[str, list[Row]] = {}
        self._recent_after = recent_after
        for row in rows:
            for key in _keys(row.get("item_id"), row.get("identifier")):
                self._by_key.setdefault(key, []).append(row)

    def _of(self, row: Row) -> list[Row]:
        seen: dict[tuple, Row] = {}
        for key in _keys(row["id"], row.get("identifier")):
            for shown in self._by_key.get(key, []):
                seen[(shown["digest_id"], shown["item_id"], shown["section"])] = shown
        return list(seen.values())

    def any(self, row: Row, sections: set[str]) -> bool:
        return any(shown["section"] in sections for shown in self._of(row))

    def may_close(self, row: Row) -> bool:
        """Not listed as closing soon before, nor announced by a recent digest, with the
        deadline it has now; a moved deadline is news again."""
        return not any(
            shown["deadline"] == row.get("deadline")
            and (shown["section"] == "closing_soon" or shown["built"] > self._recent_after)
            for shown in self._of(row)
        )


def _keys(item_id: str | None, identifier: str | None) -> set[str]:
    return {k for k in (item_id, f"call:{identifier}" if identifier else None) if k}


def _is_the_call(row: Row) -> bool:
    """The call's own record, not another source's item about it: its uid is the identifier
    (a cascade call's uid adds its number: "<identifier>/<n>")."""
    identifier = row.get("identifier")
    uid = row["id"].removeprefix(f"{row['source']}:")
    return bool(identifier) and (uid == identifier or uid.startswith(f"{identifier}/"))


def _by_deadline_then_score(item: DigestItem) -> tuple:
    return (item.deadline is None, item.deadline or date.max, -item.score, item.title)


def _by_learned_score(item: DigestItem) -> tuple:
    learned = item.learned_score
    return (learned is None, -(learned or 0.0), *_by_deadline_then_score(item))


def _item(row: Row, names: Mapping[str, str], candidates: Candidates) -> DigestItem:
    matches = row.get("matches") or []
    mentions = tuple(
        Mention(n["title"], n.get("url"), names.get(n["source"], n["source"]))
        for key in {k for k in (row.get("identifier"), row.get("call_identifier")) if k is not None}
        for n in candidates.mentions.get(key, [])
    )
    return DigestItem(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        url=row.get("url"),
        source=names.get(row["source"], row["source"]),
        identifier=row.get("identifier"),
        programme=row.get("programme_code") or row.get("programme"),
        status=row.get("status"),
        deadline=_date(row.get("deadline")),
        budget=row.get("budget"),
        published=_datetime(row.get("published")),
        areas=tuple(m["area"] for m in matches),
        score=matches[0]["score"] if matches else 0.0,
        learned_score=row.get("learned_score"),
        phrases=tuple(
            as_written(p, (row["title"], row.get("summary"), row.get("description")))
            for p in _phrases(matches[0])[:4]
        )
        if matches
        else (),
        mentions=mentions,
        **_card_facts(row),
    )


def _card_facts(row: Row) -> dict[str, Any]:
    """What a call's card shows beyond title, dates and matches (see digest/card.py)."""
    types = row.get("types_of_action") or "[]"
    return {
        "summary": brief(row.get("summary") or row.get("description")),
        "types_of_action": tuple(json.loads(types) if isinstance(types, str) else types),
        "opening_date": _date(row.get("opening_date")),
        "deadline_time": _time_of(row.get("deadline"), row.get("deadline_times")),
        "min_contribution": row.get("min_contribution"),
        "max_contribution": row.get("max_contribution"),
        "expected_grants": row.get("expected_grants"),
        "applicants": applicants(row.get("conditions")),
        "cofinancing": cofinancing_rate(row.get("conditions")),
    }


def _news_item(row: Row, names: Mapping[str, str], calls: Iterable[Row]) -> DigestItem:
    named = set(row.get("mentions") or [])
    linked = tuple(
        Mention(call["title"], call.get("url"), names.get(call["source"], call["source"]))
        for call in calls
        if call.get("identifier") in named
    )
    item = _item(row, names, Candidates())
    return replace(item, mentions=linked)


def _phrases(match: Row) -> list[str]:
    phrases = match.get("phrases") or []
    return json.loads(phrases) if isinstance(phrases, str) else list(phrases)


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _time_of(deadline: str | None, times: str | None) -> str | None:
    """The time of day ("17:00") the source gives for the call's next deadline, if any."""
    if not deadline or not times:
        return None
    for stamp in json.loads(times) if isinstance(times, str) else times:
        day, _, time = str(stamp).partition("T")
        if day == deadline and time:
            return time
    return None

"""Read from the store what may belong in one group's digest; choose.py decides what does."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from monitor.digest.choose import FLIP_BACK_RUNS, Candidates
from monitor.models import DEFAULT_GROUP
from monitor.store import Store
from monitor.store import digest_reads as reads
from monitor.store.digests import last_sent_period_end
from monitor.store.tracking import tracked_calls
from monitor.tracking import REMINDED


def gather(
    store: Store,
    *,
    since: datetime,
    today: date,
    closing_soon_days: int,
    source_names: dict[str, str],
    group: str = DEFAULT_GROUP,
    not_served: Collection[str] = (),
) -> Candidates:
    """`not_served`: the sources that serve other groups only, whose failures are not this
    group's news."""
    db = store.db
    start = since.isoformat(timespec="seconds")
    window_end = (today + timedelta(days=closing_soon_days)).isoformat()
    return Candidates(
        calls=reads.relevant_calls(db, start, today.isoformat(), window_end, group=group),
        maybe=reads.maybe_calls(db, start, group=group),
        news=reads.news_since(db, start, group=group),
        changes=reads.changes_since(db, start, runs=FLIP_BACK_RUNS),
        mentions=reads.news_mentions(db, group=group),
        announced=reads.announced(db, group=group),
        last_sent_end=_stamp(last_sent_period_end(db, group=group)),
        sources=[s for s in reads.source_states(db) if s["source"] not in not_served],
        source_names=source_names,
        tracked=tracked_calls(db, states=REMINDED, group=group),
    )


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None

"""Read from the store what may belong in a digest; choose.py decides what does."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from monitor.digest.choose import FLIP_BACK_RUNS, Candidates
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
) -> Candidates:
    db = store.db
    start = since.isoformat(timespec="seconds")
    window_end = (today + timedelta(days=closing_soon_days)).isoformat()
    return Candidates(
        calls=reads.relevant_calls(db, start, today.isoformat(), window_end),
        maybe=reads.maybe_calls(db, start),
        news=reads.news_since(db, start),
        changes=reads.changes_since(db, start, runs=FLIP_BACK_RUNS),
        mentions=reads.news_mentions(db),
        announced=reads.announced(db),
        last_sent_end=_stamp(last_sent_period_end(db)),
        sources=reads.source_states(db),
        source_names=source_names,
        tracked=tracked_calls(db, states=REMINDED),
    )


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None

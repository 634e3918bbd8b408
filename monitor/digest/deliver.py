"""Deliver the weekly digest to Slack exactly once: resume a digest that was cut short, or
record a new one and send it. Shared by `monitor digest --send` and `monitor serve`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from monitor.clock import Clock
from monitor.config import Config
from monitor.digest.build import build_digest
from monitor.notify.retry import RetryPolicy
from monitor.notify.slack import poster_for, send_digest
from monitor.store import Store
from monitor.store.digests import record_digest, unsent_digest


@dataclass
class Delivery:
    ok: bool
    lines: list[str] = field(default_factory=list)  # what to tell the user, in order
    notes: list[str] = field(default_factory=list)  # said on the side (stderr)


def deliver(
    config: Config,
    store: Store,
    clock: Clock,
    since: date | None = None,
    retry: RetryPolicy | None = None,
) -> Delivery:
    """`retry`: how Slack's failures are retried (the usual policy when None)."""
    poster = poster_for(config.slack, retry)
    db = store.db
    delivery = Delivery(ok=True)
    pending = unsent_digest(db)
    if pending is None:
        built = build_digest(config, store, clock, since=since, threads=poster.threads)
        if built.digest.is_empty:
            start = built.digest.period_start.date().isoformat()
            delivery.lines.append(f"Nothing new since {start}: no digest sent.")
            return delivery
        record_digest(
            db,
            clock.now(),
            period_start=built.digest.period_start,
            period_end=built.digest.period_end,
            language=config.settings.language,
            mode="bot" if poster.threads else "webhook",
            parts=built.parts,
            item_ids=built.digest.item_ids(),
        )
        pending = unsent_digest(db)
        assert pending is not None, "the digest was just recorded"
    else:
        delivery.notes.append(
            f"Resuming the digest of {pending.period_end[:10]}: "
            f"{len(pending.missing)} of {len(pending.parts)} messages still to send."
        )
    result = send_digest(db, pending, poster, clock)
    done = result.skipped + result.posted
    if result.error is None:
        delivery.lines.append(
            f"Sent the digest: {result.posted} messages to Slack ({done} in all)."
        )
        return delivery
    delivery.ok = False
    delivery.notes.append(
        f"Error: sent {done} of {result.total} messages; {result.error}. "
        "Run `monitor digest --send` again to send the rest."
    )
    return delivery

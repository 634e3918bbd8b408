"""Deliver the weekly digest to Slack exactly once: resume a digest that was cut short, or
record a new one and send it. Shared by `monitor digest --send` and `monitor serve`.

`print_or_send` is the one place that decides between printing the digest and sending it
(`monitor run`, `monitor digest` and `monitor serve` all use it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from monitor.clock import Clock
from monitor.config import Config
from monitor.digest.build import Built, build_digest
from monitor.notify.console import as_blocks_json, as_markdown, as_text
from monitor.notify.retry import RetryPolicy
from monitor.notify.slack import poster_for, send_digest
from monitor.store import Store
from monitor.store.digests import record_digest, unsent_digest

# Said on the terminal when a send finds nothing the earlier digests have not announced.
# Kept here, not in notify/i18n.py: it is the command's answer, never part of a digest.
NOTHING_NEW = {
    "sv": "Inget nytt sedan {start}: ingenting skickades till Slack.",
    "en": "Nothing new since {start}: nothing was sent to Slack.",
}


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
            digest = built.digest
            start = built.words.day(digest.local(digest.period_start).date())
            delivery.lines.append(NOTHING_NEW[config.settings.language].format(start=start))
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
            deadlines=built.digest.deadlines(),
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


def render(built: Built, fmt: str, channel: str) -> str:
    """The digest for reading: plain text, Markdown, or the Block Kit JSON that would be sent."""
    if fmt == "markdown":
        return as_markdown(built.parts, channel)
    if fmt == "blocks":
        return as_blocks_json(built.parts) + "\n"
    return as_text(built.parts, channel)


def print_or_send(
    config: Config,
    store: Store,
    clock: Clock,
    show: Callable[[str], None],
    *,
    send: bool,
    fmt: str = "text",
    since: date | None = None,
) -> Delivery:
    """Send the digest when asked to and Slack is set up; else give it, rendered, to `show`.

    A send asked for without Slack prints instead and says so in the notes (what `monitor serve`
    does: the digest then shows in the service's log). A printed digest is not recorded, so the
    next one still covers the same period.
    """
    if send and config.slack.configured:
        return deliver(config, store, clock, since)
    built = build_digest(config, store, clock, since=since)
    show(render(built, fmt, config.slack.shown_channel))
    notes = ["Slack is not set up: the digest was printed, not sent"] if send else []
    return Delivery(ok=True, notes=notes)

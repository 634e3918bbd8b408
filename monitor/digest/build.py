"""Put a digest together: its period, what goes in it, and its words (the document)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.clock import Clock
from monitor.config import Config
from monitor.digest.choose import choose
from monitor.digest.compose import compose
from monitor.digest.document import DigestDocument
from monitor.digest.gather import gather
from monitor.digest.model import Digest
from monitor.matching import load_matcher
from monitor.notify.i18n import Words
from monitor.store import Store
from monitor.store.digests import last_sent_period_end

FIRST_PERIOD = timedelta(days=7)


@dataclass
class Built:
    digest: Digest  # what was chosen, with the ids the ledger records as announced
    document: DigestDocument  # the same, worded: what every notifier renders


def period_start(store: Store, since: date | None, zone: ZoneInfo, now: datetime) -> datetime:
    """--since (midnight, local time), else the end of the last digest fully sent, else a week."""
    if since is not None:
        return datetime.combine(since, time.min, zone).astimezone(UTC)
    return last_sent_period_end(store.db) or now - FIRST_PERIOD


def build_digest(
    config: Config,
    store: Store,
    clock: Clock,
    *,
    since: date | None = None,
) -> Built:
    """The digest of everything new from the period start to the clock's now."""
    zone = ZoneInfo(config.settings.timezone)
    now = clock.now().astimezone(UTC).replace(microsecond=0)
    start = period_start(store, since, zone, now)
    matcher = load_matcher(config.settings.rules)
    areas = list(matcher.areas) if matcher is not None else []
    area_names = {area.id: area.name for area in areas}
    source_names = {source.id: source.name for source in config.sources}
    today = clock.today(zone)
    candidates = gather(
        store,
        since=start,
        today=today,
        closing_soon_days=config.digest.closing_soon_days,
        source_names=source_names,
    )
    digest = choose(
        candidates,
        period_start=start,
        period_end=now,
        today=today,
        area_names=area_names,
        closing_soon_days=config.digest.closing_soon_days,
        reminder_days=config.digest.reminder_days,
        timezone=config.settings.timezone,
    )
    return Built(digest, compose(digest, Words(config.settings.language)))

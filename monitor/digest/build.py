"""Put a digest together: its period, what goes in it, and its words (the document).

A digest is one group's: `config` is the config as that group sees it (`Config.for_group`),
and `config.group` says whose verdicts, ledger and tracking it reads."""

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
from monitor.matching import load_group_matcher
from monitor.models import DEFAULT_GROUP
from monitor.notify.i18n import Words
from monitor.store import Store
from monitor.store.digests import last_sent_period_end

FIRST_PERIOD = timedelta(days=7)


@dataclass
class Built:
    digest: Digest  # what was chosen, with the ids the ledger records as announced
    document: DigestDocument  # the same, worded: what every notifier renders


def period_start(
    store: Store,
    since: date | None,
    zone: ZoneInfo,
    now: datetime,
    group: str = DEFAULT_GROUP,
) -> datetime:
    """--since (midnight, local time), else the end of the group's last digest fully sent,
    else a week."""
    if since is not None:
        return datetime.combine(since, time.min, zone).astimezone(UTC)
    return last_sent_period_end(store.db, group=group) or now - FIRST_PERIOD


def build_digest(
    config: Config,
    store: Store,
    clock: Clock,
    *,
    since: date | None = None,
) -> Built:
    """The digest of `config.group` of everything new from the period start to the clock's
    now."""
    group = config.group
    zone = ZoneInfo(config.settings.timezone)
    now = clock.now().astimezone(UTC).replace(microsecond=0)
    start = period_start(store, since, zone, now, group)
    matcher = load_group_matcher(config, group)
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
        group=group,
        not_served=[source.id for source in config.sources if not source.serves(group)],
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
    words = Words(config.settings.language)
    if not config.groups:  # one group, as before groups: worded as it always was
        return Built(digest, compose(digest, words))
    name = next(g.name for g in config.groups if g.id == group)
    return Built(digest, compose(digest, words, group=group, group_name=name))

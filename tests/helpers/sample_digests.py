"""Digests as `digest.choose` would hand them over, for the renderers' tests: calls in the
climate area by default, a week ending Tuesday 24 November 2026 (week 48)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from monitor.digest.compose import compose
from monitor.digest.model import Digest, DigestItem
from monitor.notify.i18n import Words
from monitor.notify.slack_blocks import slack_messages

AREAS = {
    "klimat-miljo": "Klimat och miljö",
    "utbildning": "Utbildning, barn och unga",
    "kultur": "Kultur och fritid",
}
TODAY = date(2026, 11, 24)


def item(n: int, area: str = "klimat-miljo", **extra) -> DigestItem:
    base = dict(
        id=f"eu-portal:CALL-{n}",
        kind="call",
        title=f"Climate adaptation in small towns, part {n}",
        url=f"https://ec.europa.eu/topic-details/CALL-{n}",
        source="EU Funding & Tenders Portal",
        identifier=f"CALL-{n}",
        programme="LIFE",
        status="open",
        deadline=date(2026, 12, 3),
        budget=4_500_000,
        areas=(area,),
        score=6.0,
        phrases=("climate adaptation", "municipalities"),
    )
    base.update(extra)
    return DigestItem(**base)


def digest_of(**sections) -> Digest:
    return Digest(
        period_start=datetime(2026, 11, 17, 7, tzinfo=UTC),
        period_end=datetime(2026, 11, 24, 7, tzinfo=UTC),
        today=TODAY,
        area_names=AREAS,
        **sections,
    )


@dataclass(frozen=True)
class SlackPart:
    """A Slack message as the tests read it: where it goes, its thread parent, its blocks."""

    key: str
    channel: str
    text: str
    blocks: list[dict[str, Any]]
    parent: str | None


def slack_parts(
    digest: Digest, words: Words, *, channel: str, area_channels: dict[str, str] | None = None
) -> list[SlackPart]:
    """The digest as the Slack notifier renders it (compose, then slack_messages)."""
    messages = slack_messages(
        compose(digest, words), words, channel=channel, area_channels=area_channels
    )
    return [SlackPart(m.key, m.target, m.text, m.payload["blocks"], m.parent) for m in messages]

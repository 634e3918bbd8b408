"""One group's verdicts on stored items, written straight into the store as matching would
leave them: the default group's in the items table's own columns and `matches`, any other
group's in `group_verdicts` and `matches` with its group_id (migration 13's layout).

For the digest's tests, until matching writes per-group verdicts itself (another branch).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from helpers.stored_calls import TODAY
from monitor.clock import Clock
from monitor.models import DEFAULT_GROUP
from monitor.store import open_store


def judge(
    database: Path,
    group: str,
    item_ids: Iterable[str],
    areas: Iterable[str] = ("klimat-miljo",),
    *,
    tier: str = "relevant",
) -> None:
    """`group` judges each item of `item_ids` in `tier` (relevant, maybe, no), matched to
    `areas` (strongest first)."""
    stamp = (Clock(TODAY).now() - timedelta(minutes=30)).isoformat(timespec="seconds")
    relevant = int(tier == "relevant")
    store = open_store(database)
    try:
        db = store.db
        with db.atomic():
            for item_id in item_ids:
                if group == DEFAULT_GROUP:
                    db.execute(
                        "UPDATE items SET relevant = ?, relevance = ?, score = NULL, "
                        "matched_at = ? WHERE id = ?",
                        [relevant, tier, stamp, item_id],
                    )
                else:
                    db["group_verdicts"].upsert(
                        {
                            "group_id": group,
                            "item_id": item_id,
                            "relevant": relevant,
                            "relevance": tier,
                            "score": None,
                            "matched_at": stamp,
                        },
                        pk=("group_id", "item_id"),
                    )
                for rank, area in enumerate(areas):
                    db["matches"].upsert(
                        {
                            "item_id": item_id,
                            "group_id": group,
                            "area": area,
                            "score": 5.0 - rank,
                            "phrases": '["klimat"]',
                        },
                        pk=("item_id", "group_id", "area"),
                    )
    finally:
        store.close()

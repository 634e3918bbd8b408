"""Calls stored in a project's database as a run would have left them, for the Slack sends.

`TODAY` is the day they are found: a test pins MONITOR_TODAY to it so the digest sees them as new.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from monitor.clock import Clock
from monitor.models import Item, SourceOutcome
from monitor.store import open_store
from monitor.store.matches import ItemVerdict, StoredMatch, save_verdicts

TOKEN = "xoxb-test-secret-1234"
TODAY = date(2027, 3, 1)  # add_calls stores calls found this day: pin MONITOR_TODAY to it
SLACK_CHANNEL = '[slack]\nchannel = "#eu-bevakning"\n'  # the `sections` of most Slack tests
RULES = Path(__file__).resolve().parents[2] / "rules"  # the default rules a clone ships


def portal_project(
    folder: Path, sections: str = "", name: str = "EU Funding & Tenders Portal"
) -> Path:
    """A project in `folder` as an admin sets one up: the default rules, and a `sources.toml`
    with the database, the TOML `sections` given (`[slack]`, ...) and one portal source."""
    shutil.copytree(RULES, folder / "rules")
    config = folder / "sources.toml"
    config.write_text(
        f'[settings]\ndatabase = "monitor.db"\n\n{sections}\n'
        f'[[sources]]\nid = "eu-portal"\nkind = "eu_portal"\nname = "{name}"\n',
        encoding="utf-8",
    )
    return config


def add_calls(
    config: Path, titles: list[str], areas=("klimat-miljo",), urls: list[str] | None = None
) -> list[str]:
    """Store relevant calls first seen an hour ago, as a run would have left them (with the
    portal's URLs, or `urls` as a source gave them)."""
    store = open_store(config.parent / "monitor.db")
    now = Clock(TODAY).now() - timedelta(hours=1)
    items = [
        Item(
            source="eu-portal",
            uid=f"LIFE-2027-CALL-{n:03d}",
            kind="call",
            title=title,
            url=urls[n] if urls else f"https://ec.europa.eu/topic-details/LIFE-2027-CALL-{n:03d}",
            identifier=f"LIFE-2027-CALL-{n:03d}",
            programme="Programme for the Environment and Climate Action (LIFE)",
            programme_code="LIFE",
            status="open",
            source_status="open",
            deadlines=(TODAY + timedelta(days=60 + n),),
            deadline=TODAY + timedelta(days=60 + n),
        )
        for n, title in enumerate(titles)
    ]
    run_id = store.start_run(now)
    outcome = SourceOutcome("eu-portal", "EU Funding & Tenders Portal")
    store.save_success(run_id, outcome, items, started=now, finished=now)
    with store.db.atomic():
        for item in items:
            store.db.execute("UPDATE items SET relevant = 1 WHERE id = ?", [item.id])
            for rank, area in enumerate(areas):
                store.db["matches"].insert(
                    {"item_id": item.id, "area": area, "score": 5.0 - rank, "phrases": '["klimat"]'}
                )
    return [i.identifier for i in items]


def add_maybe_calls(config: Path, count: int) -> list[str]:
    """Store `count` calls of the maybe tier first seen an hour ago, with learned scores."""
    store = open_store(config.parent / "monitor.db")
    now = Clock(TODAY).now() - timedelta(hours=1)
    items = [
        Item(
            source="eu-portal",
            uid=f"HORIZON-MAYBE-{n:03d}",
            kind="call",
            title=f"Urban resilience and citizen engagement {n} " * 5,
            url=f"https://ec.europa.eu/topic-details/HORIZON-MAYBE-{n:03d}",
            identifier=f"HORIZON-MAYBE-{n:03d}",
            status="open",
            source_status="open",
        )
        for n in range(count)
    ]
    run_id = store.start_run(now)
    outcome = SourceOutcome("eu-portal", "EU Funding & Tenders Portal")
    store.save_success(run_id, outcome, items, started=now, finished=now)
    verdicts = [
        ItemVerdict(
            i.id, False, (StoredMatch("klimat-miljo", 3.0),), tier="maybe", score=0.4 + n / 1000
        )
        for n, i in enumerate(items)
    ]
    save_verdicts(store.db, verdicts, now.isoformat())
    return [i.identifier for i in items]

"""A deployment of two groups ('a' and 'b') over shared sources, with calls stored as a run
would have left them and each group's verdicts given directly (the rules overlay that would
make them differ is another module's)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from monitor.clock import Clock
from monitor.models import Item, SourceOutcome
from monitor.store import Store, open_store
from monitor.store.matches import ItemVerdict, StoredMatch, save_verdicts

TODAY = date(2027, 3, 1)  # pin MONITOR_TODAY to it
CLIMATE = "LIFE-2027-CLIMA-001"  # relevant for a (klimat-miljo), not for b
CULTURE = "CREA-2027-CULT-002"  # relevant for b (kultur), not for a
B_NEWS = "b-news:lokal-nyhet"  # from the source that serves b only

TWO_GROUPS = """\
[settings]
database = "monitor.db"

[[groups]]
id = "a"
name = "Kommun A"
[groups.slack]
channel = "#eu-a"

[[groups]]
id = "b"
name = "Kommun B"
[groups.slack]
channel = "#eu-b"

[[sources]]
id = "eu-portal"
kind = "eu_portal"
name = "EU Funding & Tenders Portal"

[[sources]]
id = "b-news"
kind = "rss"
name = "Kommun B:s nyheter"
url = "https://b.example.se/rss"
groups = ["b"]
"""


def call(uid: str, title: str, days: int) -> Item:
    return Item(
        source="eu-portal",
        uid=uid,
        kind="call",
        title=title,
        url=f"https://ec.europa.eu/topic-details/{uid}",
        identifier=uid,
        status="open",
        source_status="open",
        deadlines=(TODAY + timedelta(days=days),),
        deadline=TODAY + timedelta(days=days),
    )


def store_items(store: Store) -> None:
    """Two portal calls and one news item of b's own source, found an hour before TODAY."""
    now = Clock(TODAY).now() - timedelta(hours=1)
    run_id = store.start_run(now)
    calls = [
        call(CLIMATE, "Climate adaptation of schools in small towns", 30),
        call(CULTURE, "Libraries and cultural heritage in small towns", 40),
    ]
    outcome = SourceOutcome("eu-portal", "EU Funding & Tenders Portal")
    store.save_success(run_id, outcome, calls, started=now, finished=now)
    news = Item(
        source="b-news",
        uid="lokal-nyhet",
        kind="news",
        title="Climate adaptation of schools: B's own news",
        url="https://b.example.se/nyhet",
    )
    outcome = SourceOutcome("b-news", "Kommun B:s nyheter")
    store.save_success(run_id, outcome, [news], started=now, finished=now)


def climate_for_a_culture_for_b(store: Store) -> None:
    """Each group's verdicts of the two calls; b's also of its own news."""
    stamp = (Clock(TODAY).now() - timedelta(minutes=30)).isoformat(timespec="seconds")
    climate, culture = f"eu-portal:{CLIMATE}", f"eu-portal:{CULTURE}"
    klimat, kultur = StoredMatch("klimat-miljo", 6.0, ("climate",)), StoredMatch("kultur", 5.0)
    a = [
        ItemVerdict(climate, True, (klimat,), tier="relevant"),
        ItemVerdict(culture, False, (), tier="no"),
    ]
    b = [
        ItemVerdict(climate, False, (), tier="no"),
        ItemVerdict(culture, True, (kultur,), tier="relevant"),
        ItemVerdict(B_NEWS, True, (klimat,), tier="relevant"),
    ]
    save_verdicts(store.db, a, stamp, group="a")
    save_verdicts(store.db, b, stamp, group="b")


def two_group_project(folder: Path) -> Path:
    """sources.toml of groups a and b and its database, judged as climate_for_a_culture_for_b
    says; returns the config's path."""
    config = folder / "sources.toml"
    config.write_text(TWO_GROUPS, encoding="utf-8")
    store = open_store(folder / "monitor.db")
    store_items(store)
    climate_for_a_culture_for_b(store)
    store.close()
    return config

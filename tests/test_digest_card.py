"""A call's card from a real store: what the topic details say (who may apply, the budget line,
the type of action, the rate) in Slack blocks and in text, and nothing invented without them."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from helpers.paths import FIXTURES
from helpers.sample_digests import slack_parts
from helpers.slack_limits import assert_within_slack_limits
from monitor.digest.choose import choose
from monitor.digest.compose import compose
from monitor.digest.gather import gather
from monitor.models import Item, SourceOutcome
from monitor.notify.i18n import Words
from monitor.notify.markdown import as_markdown
from monitor.notify.plain_text import as_text
from monitor.sources.eu_portal_details import parse_topic_details, with_details
from monitor.store import Store, open_store
from monitor.store.matches import ItemVerdict, StoredMatch, save_verdicts

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=7)
AREAS = {"klimat-miljo": "Klimat och miljö"}
TOPIC = "SMP-COSME-2024-CLUSTER-01"
# The portal's standard eligibility wording, as HTML the way `conditions` holds it.
CONDITIONS = (
    "<div><h4>2. Eligible countries</h4><div><p>In order to be eligible, the applicants "
    "(beneficiaries and affiliated entities) must:</p><ul><li>be legal entities (public or "
    "private bodies)</li><li>be established in one of the eligible countries</li></ul></div>"
    "<h4>3. Other eligible conditions</h4><p>Proposals must be submitted by a consortium of at "
    "least 3 applicants (beneficiaries; not affiliated entities) from 3 different eligible "
    "countries.</p><h4>6. Legal and financial set-up</h4><p>Funding rate: 90% of the eligible "
    "costs.</p></div>"
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(tmp_path / "monitor.db")


def real_details(**budget) -> dict:
    """The real topicDetails answer, with eligibility text and per-grant figures put in (keys,
    nesting and value types as the portal's)."""
    raw = json.loads((FIXTURES / "eu_portal" / "topic-details-raw.json").read_text())
    raw = copy.deepcopy(raw)
    raw["TopicDetails"]["conditions"] = CONDITIONS
    for rows in raw["TopicDetails"]["budgetOverviewJSONItem"]["budgetTopicActionMap"].values():
        for row in rows:
            row.update(budget)
    return raw


def call(identifier: str, **extra) -> Item:
    fields = dict(
        source="eu-portal",
        uid=identifier,
        kind="call",
        title=f"Joint Cluster Initiatives and EU:s recovery ({identifier})",
        url=f"https://ec.europa.eu/topic-details/{identifier}",
        summary=(
            "Expected Outcome: This action will incentivise Joint Cluster Initiatives. "
            "It builds on the COSME projects. It also does a great many other things."
        ),
        identifier=identifier,
        programme_code="SMP",
        status="open",
        source_status="open",
        deadlines=(date(2026, 12, 10),),
        deadline=date(2026, 12, 10),
    )
    return Item(**{**fields, **extra})


def store_call(store: Store, item: Item) -> None:
    seen = NOW - timedelta(days=1)
    run_id = store.start_run(seen)
    outcome = SourceOutcome("eu-portal", "EU Funding & Tenders Portal")
    store.save_success(run_id, outcome, [item], started=seen, finished=seen)
    # The matcher stores phrases tokenised: "EU:s" is "eu s".
    areas = (StoredMatch("klimat-miljo", 5.0, ("eu s", "cluster")),)
    save_verdicts(store.db, [ItemVerdict(item.id, relevant=True, areas=areas)], seen.isoformat())


def chosen(store: Store, language: str = "sv"):
    names = {"eu-portal": "EU Funding & Tenders Portal"}
    candidates = gather(
        store, since=SINCE, today=NOW.date(), closing_soon_days=30, source_names=names
    )
    digest = choose(
        candidates, period_start=SINCE, period_end=NOW, today=NOW.date(), area_names=AREAS
    )
    return digest


def parts_of(store, language: str = "sv"):
    return slack_parts(chosen(store), Words(language), channel="#eu")


def document_of(store, language: str = "sv"):
    return compose(chosen(store), Words(language))


def card_text(parts) -> str:
    return parts[1].blocks[1]["text"]["text"]


def test_a_call_with_topic_details_shows_who_may_apply_and_the_budget_line(store):
    details = parse_topic_details(
        real_details(expectedGrants=20, minContribution=1500000, maxContribution=2000000), TOPIC
    )
    store_call(store, with_details(call(TOPIC), details, "https://example.test/details.json"))
    parts = parts_of(store)
    card = card_text(parts).splitlines()
    assert (
        card[1]
        == f"{TOPIC} · SMP · öppen · Typ av insats: SMP-GFS SMP Grants for Financial Support"
    )
    assert card[2] == "Sista dag 10 dec 2026 (om 16 dagar)"
    assert card[3] == (
        "Vem kan söka: offentliga och privata organisationer; "
        "konsortier om minst 3 parter från minst 3 länder"
    )
    assert card[4] == (
        "Budget: 42 mn € totalt · 1,5–2 mn € per projekt · cirka 20 projekt får stöd · "
        "EU-stöd 90 % av kostnaderna"
    )
    # The brief: the portal's label dropped, two sentences, not the third.
    assert card[5] == (
        "This action will incentivise Joint Cluster Initiatives. It builds on the COSME projects."
    )
    assert card[6].startswith("_Varför: EU:s, Cluster · Källa: EU Funding &amp; Tenders Portal")
    text = as_text(document_of(store))
    assert "Vem kan söka: offentliga och privata organisationer" in text
    assert "Budget: 42 mn € totalt · 1,5–2 mn € per projekt · cirka 20 projekt får stöd" in text
    assert "Varför: EU:s, Cluster" in text and "eu s" not in text
    assert "Vem kan söka: offentliga och privata organisationer" in as_markdown(document_of(store))


def test_in_english_the_same_card(store):
    details = parse_topic_details(real_details(maxContribution=2000000), TOPIC)
    store_call(store, with_details(call(TOPIC), details, "https://example.test/details.json"))
    card = card_text(parts_of(store, "en"))
    assert "Who may apply: public and private bodies; consortia of at least 3 partners" in card
    assert "Budget: €42m in total · up to €2m per project · EU co-financing 90% of costs" in card
    assert "_Why: EU:s, Cluster" in card


def test_a_call_without_details_shows_its_identifier_and_no_invented_eligibility(store):
    store_call(store, call("LIFE-2027-SAP-ENV"))
    parts = parts_of(store)
    card = card_text(parts)
    assert "LIFE-2027-SAP-ENV · SMP · öppen" in card
    assert "Vem kan söka" not in card and "Budget" not in card
    assert "kl." not in card  # no time is known: the date alone, no invented 17:00
    assert "Vem kan söka" not in as_text(document_of(store))


def test_a_forthcoming_call_shows_its_opening_date(store):
    store_call(
        store,
        call("LIFE-2027-NEXT", status="forthcoming", opening_date=date(2027, 1, 12)),
    )
    assert "Öppnar 12 jan 2027 · Sista dag 10 dec 2026" in card_text(parts_of(store))


def test_a_deadline_with_a_time_shows_it_in_brussels_time(store):
    store_call(store, call("LIFE-2027-TIMED", deadline_times=("2026-12-10T17:00",)))
    assert "Sista dag 10 dec 2026 kl. 17:00 (Bryssel)" in card_text(parts_of(store))


def test_a_time_of_another_deadline_is_not_shown_for_this_one(store):
    store_call(store, call("LIFE-2027-STAGES", deadline_times=("2027-04-08T17:00",)))
    text = card_text(parts_of(store))
    assert "Sista dag 10 dec 2026" in text and "kl. 17:00" not in text


def test_many_long_cards_stay_within_slacks_limits(store):
    long_conditions = CONDITIONS + "<p>Eligible applicants: " + "local authorities, " * 300 + "</p>"
    raw = real_details(expectedGrants=3, minContribution=100000, maxContribution=900000)
    raw["TopicDetails"]["conditions"] = long_conditions
    for n in range(120):
        identifier = f"SMP-COSME-2024-CLUSTER-{n:02d}"
        raw["TopicDetails"]["identifier"] = identifier
        for rows in raw["TopicDetails"]["budgetOverviewJSONItem"]["budgetTopicActionMap"].values():
            rows[0]["action"] = f"{identifier} - SMP-GFS SMP Grants for Financial Support"
        details = parse_topic_details(raw, identifier)
        item = call(identifier, summary="A very long sentence " * 80 + ".")
        item = with_details(item, details, "https://example.test/d.json")
        store_call(store, item)
    parts = parts_of(store)
    assert_within_slack_limits(parts)
    assert len(parts) > 2  # the cards did not fit one message
    shown = "".join(json.dumps(p.blocks) for p in parts)
    assert all(f"CLUSTER-{n:02d}|" in shown for n in range(120))

"""The digest's tiers, from a real store: new calls by learned score, and the "Kanske också" list
of maybe calls (once per call, never a main-list call, never a closed one)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from helpers.sample_digests import slack_parts
from helpers.slack_limits import assert_within_slack_limits
from monitor.digest.choose import choose
from monitor.digest.compose import compose
from monitor.digest.gather import gather
from monitor.digest.model import Digest
from monitor.models import Item, SourceOutcome
from monitor.notify.i18n import Words
from monitor.notify.markdown import as_markdown
from monitor.notify.plain_text import as_text
from monitor.store import Store, open_store
from monitor.store.matches import ItemVerdict, StoredMatch, save_verdicts

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=7)
AREAS = {"klimat-miljo": "Klimat och miljö", "utbildning": "Utbildning, barn och unga"}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(tmp_path / "monitor.db")


def add(
    store: Store,
    uid: str,
    tier: str,
    score: float | None,
    *,
    source: str = "eu-portal",
    identifier: str | None = None,
    title: str | None = None,
    status: str = "open",
    deadline: date = date(2027, 3, 1),
    match: float = 5.0,
    days_ago: int = 1,
) -> str:
    """Store a call first seen `days_ago`, with the rules' verdict: its tier and learned score."""
    seen = NOW - timedelta(days=days_ago)
    item = Item(
        source=source,
        uid=uid,
        kind="call",
        title=title or f"Call {uid}",
        url=f"https://ec.europa.eu/topic-details/{uid}",
        identifier=identifier or uid,
        programme_code="LIFE",
        status=status,
        source_status=status,
        deadlines=(deadline,),
        deadline=deadline,
    )
    run_id = store.start_run(seen)
    store.save_success(run_id, SourceOutcome(source, source), [item], started=seen, finished=seen)
    verdict = ItemVerdict(
        item.id,
        relevant=tier == "relevant",
        areas=(StoredMatch("klimat-miljo", match, ("klimat",)),),
        tier=tier,
        score=score,
    )
    save_verdicts(store.db, [verdict], seen.isoformat())
    return item.id


def digest_of(store: Store) -> Digest:
    candidates = gather(store, since=SINCE, today=NOW.date(), closing_soon_days=30, source_names={})
    return choose(
        candidates, period_start=SINCE, period_end=NOW, today=NOW.date(), area_names=AREAS
    )


def preview(digest: Digest, language: str = "sv") -> tuple[str, str, list]:
    parts = slack_parts(digest, Words(language), channel="#eu")
    document = compose(digest, Words(language))
    return as_text(document), as_markdown(document), parts


def test_new_calls_in_an_area_go_by_learned_score_those_without_one_last(store):
    add(store, "LOW", "relevant", 0.62, deadline=date(2026, 12, 1))
    add(store, "HIGH", "relevant", 0.91, deadline=date(2027, 6, 1))
    add(store, "MID", "relevant", 0.75)
    # Without a score: after the scored ones, soonest deadline first as before.
    add(store, "UNSCORED-LATE", "relevant", None, deadline=date(2027, 9, 1), match=20.0)
    add(store, "UNSCORED-SOON", "relevant", None, deadline=date(2027, 1, 1))
    digest = digest_of(store)
    order = [i.identifier for i in digest.new_by_area["klimat-miljo"]]
    assert order == ["HIGH", "MID", "LOW", "UNSCORED-SOON", "UNSCORED-LATE"]
    text, _, _ = preview(digest)
    assert text.index("Call HIGH") < text.index("Call MID") < text.index("Call LOW")


def test_a_maybe_call_is_listed_once_and_a_main_call_never(store):
    add(store, "MAIN-1", "relevant", 0.9)
    # The same call from a second source, there only in the maybe tier: the main one counts.
    add(store, "echo", "maybe", 0.5, source="almi", identifier="MAIN-1", title="Echo of main")
    # One maybe call carried by two sources: listed once, as the call's own record.
    add(store, "MAYBE-1", "maybe", 0.55)
    add(store, "x7", "maybe", 0.55, source="almi", identifier="MAYBE-1", title="Copy of maybe")
    add(store, "MAYBE-CLOSED", "maybe", 0.6, status="closed")
    add(store, "NOT-AT-ALL", "no", 0.1)
    digest = digest_of(store)
    assert [i.id for i in digest.maybe] == ["eu-portal:MAYBE-1"]
    assert [i.identifier for i in digest.new_by_area["klimat-miljo"]] == ["MAIN-1"]

    text, markdown, _ = preview(digest)
    maybe_part = text[text.index("Kanske också (1)") :]
    assert "  - Call MAYBE-1 (https://ec.europa.eu/topic-details/MAYBE-1)" in maybe_part
    for hidden in ("Echo of main", "Copy of maybe", "MAYBE-CLOSED", "NOT-AT-ALL"):
        assert hidden not in text
    assert "Call MAIN-1" not in maybe_part
    assert text.count("Call MAYBE-1") == 1
    # The summary line counts it; the Markdown has it as a list item of its own section.
    assert "• Kanske också: 1" in text
    assert "## Kanske också (1)" in markdown
    assert "- [Call MAYBE-1](https://ec.europa.eu/topic-details/MAYBE-1)" in markdown


def test_a_call_announced_in_the_main_list_before_is_not_a_maybe_now(store):
    add(store, "OLD-MAIN", "relevant", 0.9, days_ago=40)
    add(store, "echo", "maybe", 0.5, source="almi", identifier="OLD-MAIN", title="Late echo")
    digest = digest_of(store)
    assert digest.maybe == [] and digest.is_empty


def test_maybe_calls_one_line_each_by_score_after_the_areas(store):
    add(store, "MAIN-1", "relevant", 0.9)
    add(store, "M-LOW", "maybe", 0.41)
    add(store, "M-HIGH", "maybe", 0.58)
    digest = digest_of(store)
    _, _, parts = preview(digest)
    keys = [p.key for p in parts]
    assert keys.index("area:klimat-miljo:1") < keys.index("maybe:1")
    (maybe_part,) = [p for p in parts if p.key == "maybe:1"]
    assert maybe_part.parent == "top"
    lines = maybe_part.blocks[1]["text"]["text"].splitlines()
    assert lines == [
        "• <https://ec.europa.eu/topic-details/M-HIGH|Call M-HIGH>",
        "• <https://ec.europa.eu/topic-details/M-LOW|Call M-LOW>",
    ]


def test_english_heading(store):
    add(store, "M-1", "maybe", 0.5)
    text, markdown, _ = preview(digest_of(store), "en")
    assert "Maybe also (1)" in text and "• Maybe also: 1" in text
    assert "## Maybe also (1)" in markdown
    assert "Kanske" not in text


def test_no_maybe_calls_no_list(store):
    add(store, "MAIN-1", "relevant", 0.9)
    text, markdown, parts = preview(digest_of(store))
    assert "Kanske också" not in text + markdown
    assert not [p for p in parts if p.key.startswith("maybe")]


def test_only_maybe_calls_is_not_an_empty_digest(store):
    add(store, "M-1", "maybe", 0.5)
    digest = digest_of(store)
    assert not digest.is_empty and digest.item_ids()["maybe"] == ["eu-portal:M-1"]


def test_many_maybe_calls_are_split_within_slacks_limits_and_none_is_lost(store):
    uids = [f"MAYBE-{n:03d}" for n in range(400)]
    for n, uid in enumerate(uids):
        add(store, uid, "maybe", 0.3 + n / 10_000, title=f"Urban climate resilience {n} " * 12)
    text, _, parts = preview(digest_of(store))
    maybe_parts = [p for p in parts if p.key.startswith("maybe:")]
    assert len(maybe_parts) > 1
    assert maybe_parts[0].text.startswith("Kanske också (400) (1/")
    assert_within_slack_limits(parts)
    shown = [u for p in maybe_parts for b in p.blocks for u in uids if f"/{u}|" in str(b)]
    assert sorted(shown) == uids  # every call, exactly once
    assert "• Kanske också: 400" in text

"""Choosing what goes in a digest: pure, from hand-made candidates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from monitor.digest.choose import Candidates, choose

START = datetime(2026, 11, 17, 7, 0, tzinfo=UTC)
END = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
AREAS = {"klimat-miljo": "Klimat och miljö", "utbildning": "Utbildning, barn och unga"}
BEFORE = "2026-10-01T06:00:00+00:00"
DURING = "2026-11-20T06:00:00+00:00"


def call(
    uid,
    *,
    first_seen=DURING,
    deadline="2027-01-15",
    status="open",
    areas=(("klimat-miljo", 5.0),),
    **extra,
):
    return {
        "id": f"eu-portal:{uid}",
        "source": "eu-portal",
        "kind": "call",
        "identifier": uid,
        "call_identifier": None,
        "title": f"Call {uid}",
        "url": f"https://ec.europa.eu/{uid}",
        "programme": "LIFE",
        "programme_code": "LIFE",
        "status": status,
        "deadline": deadline,
        "budget": None,
        "published": None,
        "first_seen": first_seen,
        "matches": [{"area": a, "score": s, "phrases": ["klimat"]} for a, s in areas],
        **extra,
    }


def pick(candidates: Candidates, **kwargs):
    return choose(
        candidates,
        period_start=START,
        period_end=END,
        today=TODAY,
        area_names=AREAS,
        **kwargs,
    )


def shown_in(digest_id, uid, section, deadline="2027-01-15", source="eu-portal"):
    """A row of what a sent digest announced, as the store reads it: digest 2 is last week's
    (it ended this period's start), digest 1 the one a week before it."""
    built = START - timedelta(days=7 * (2 - digest_id))
    return {
        "digest_id": digest_id,
        "built": built.isoformat(timespec="seconds"),
        "item_id": f"{source}:{uid}",
        "identifier": uid,
        "section": section,
        "deadline": deadline,
    }


def test_new_calls_go_under_their_best_area_and_name_the_others():
    both = call("A", areas=(("utbildning", 7.0), ("klimat-miljo", 4.0)))
    digest = pick(Candidates(calls=[both, call("B")]))
    assert [i.identifier for i in digest.new_by_area["utbildning"]] == ["A"]
    assert digest.new_by_area["utbildning"][0].areas == ("utbildning", "klimat-miljo")
    assert [i.identifier for i in digest.new_by_area["klimat-miljo"]] == ["B"]
    assert list(digest.new_by_area) == ["klimat-miljo", "utbildning"]  # the rules' order


def test_sorted_by_deadline_then_score():
    calls = [
        call("late", deadline="2027-05-01", areas=(("klimat-miljo", 9.0),)),
        call("weak", deadline="2027-02-01", areas=(("klimat-miljo", 4.0),)),
        call("strong", deadline="2027-02-01", areas=(("klimat-miljo", 8.0),)),
        call("none", deadline=None, areas=(("klimat-miljo", 20.0),)),
    ]
    digest = pick(Candidates(calls=calls))
    order = [i.identifier for i in digest.new_by_area["klimat-miljo"]]
    assert order == ["strong", "weak", "late", "none"]


def test_closed_new_calls_and_calls_seen_after_the_period_are_left_out():
    digest = pick(
        Candidates(
            calls=[
                call("closed", status="closed"),
                call("later", first_seen="2026-11-24T08:00:00+00:00"),
            ]
        )
    )
    assert digest.is_empty


def test_closing_soon_lists_announced_open_calls_once():
    calls = [
        call("soon", first_seen=BEFORE, deadline="2026-12-10"),
        call("far", first_seen=BEFORE, deadline="2027-06-01"),
        call("shown", first_seen=BEFORE, deadline="2026-12-01"),
        call("forthcoming", first_seen=BEFORE, deadline="2026-12-05", status="forthcoming"),
        call("new-and-soon", deadline="2026-12-02"),
    ]
    shown = [shown_in(1, "shown", "closing_soon", "2026-12-01")]
    digest = pick(Candidates(calls=calls, announced=shown))
    assert [i.identifier for i in digest.closing_soon] == ["soon"]
    # A new call closing soon is shown once, as new.
    assert [i.identifier for i in digest.new_by_area["klimat-miljo"]] == ["new-and-soon"]


def test_closing_soon_window_follows_the_setting():
    calls = [call("far", first_seen=BEFORE, deadline="2027-01-10")]
    assert pick(Candidates(calls=calls)).closing_soon == []
    assert [
        i.identifier for i in pick(Candidates(calls=calls), closing_soon_days=60).closing_soon
    ] == ["far"]


def test_a_fields_changes_fold_into_one_net_change_and_churn_into_none():
    moved = call("moved", first_seen=BEFORE, deadline="2027-03-01")
    title = [("A", "B"), ("B", "A"), ("A", "C")]  # A -> C, however it went
    deadlines = [("2027-02-01", "2027-03-01"), ("2027-03-01", "2027-02-01")]  # back: nothing
    status = [("forthcoming", "open", False), ("open", "forthcoming", True)]  # flips back
    changes = {
        "eu-portal:moved": [
            *({"field": "title", "old": o, "new": n} for o, n in title),
            *({"field": "deadlines", "old": o, "new": n} for o, n in deadlines),
            *({"field": "status", "old": o, "new": n, "flips_back": f} for o, n, f in status),
            {"field": "budget", "old": "1", "new": "2", "flips_back": True},  # churn, not news
        ]
    }
    (item,) = pick(Candidates(calls=[moved], changes=changes)).changed
    assert [(c.field, c.old, c.new) for c in item.changes] == [("title", "A", "C")]


def test_changed_calls_carry_their_changes_and_are_not_repeated_as_closing():
    moved = call("moved", first_seen=BEFORE, deadline="2026-12-03")
    changes = {
        "eu-portal:moved": [
            {"field": "deadlines", "old": "2026-11-05", "new": "2026-12-03"},
            {"field": "status", "old": "forthcoming", "new": "open"},
        ]
    }
    digest = pick(Candidates(calls=[moved], changes=changes))
    (item,) = digest.changed
    assert [(c.field, c.old, c.new) for c in item.changes] == [
        ("deadlines", "2026-11-05", "2026-12-03"),
        ("status", "forthcoming", "open"),
    ]
    assert digest.closing_soon == []


def from_source(row, source):
    uid = row["id"].split(":", 1)[1]
    return {**row, "id": f"{source}:{uid}", "source": source}


@pytest.mark.parametrize("portal", ["eu-portal", "eu-calls", "portal-life"])
def test_one_call_from_two_sources_is_shown_once_as_the_call_itself(portal):
    # Whatever the portal source is called, the call's own record wins over an echo of it.
    own = from_source(call("CERV-2026-CITIZENS-TOWN-TT"), portal)
    echo = {**call("CERV-2026-CITIZENS-TOWN-TT"), "id": "almi:123", "source": "almi"}
    for calls in ([echo, own], [own, echo]):
        digest = pick(Candidates(calls=calls, source_names={portal: "EU-portalen"}))
        (item,) = digest.new_by_area["klimat-miljo"]
        assert item.id == f"{portal}:CERV-2026-CITIZENS-TOWN-TT" and item.source == "EU-portalen"


def test_the_same_call_from_two_portal_sources_is_shown_once_in_every_section():
    new = [from_source(call("LIFE-NEW"), s) for s in ("eu-calls", "eu-portal-life")]
    soon = [
        from_source(call("LIFE-SOON", first_seen=BEFORE, deadline="2026-12-10"), s)
        for s in ("eu-portal-life", "eu-calls")
    ]
    digest = pick(Candidates(calls=[*new, *soon]))
    assert [i.id for i in digest.new_by_area["klimat-miljo"]] == ["eu-calls:LIFE-NEW"]
    assert [i.id for i in digest.closing_soon] == ["eu-calls:LIFE-SOON"]


def test_news_is_linked_to_the_call_it_names_and_the_call_to_the_news():
    town = call("CERV-2026-CITIZENS-TOWN-TT", areas=(("utbildning", 5.0),))
    news = {
        **call("n1", areas=(("utbildning", 4.0),)),
        "id": "skr:n1",
        "source": "skr",
        "kind": "news",
        "identifier": None,
        "title": "Nu kan kommuner söka vänortsstöd",
        "published": "2026-11-19T09:00:00+00:00",
        "mentions": ["CERV-2026-CITIZENS-TOWN-TT"],
    }
    unmatched_news = {**news, "id": "skr:n2", "matches": []}
    mentions = {
        "CERV-2026-CITIZENS-TOWN-TT": [
            {"title": news["title"], "url": "https://skr.se/n1", "source": "skr"}
        ]
    }
    digest = pick(
        Candidates(
            calls=[town],
            news=[news, unmatched_news],
            mentions=mentions,
            source_names={"skr": "SKR"},
        )
    )
    (shown_news,) = digest.news
    assert [m.title for m in shown_news.mentions] == ["Call CERV-2026-CITIZENS-TOWN-TT"]
    (shown_call,) = digest.new_by_area["utbildning"]
    assert [(m.title, m.source) for m in shown_call.mentions] == [
        ("Nu kan kommuner söka vänortsstöd", "SKR")
    ]


def test_unhealthy_sources_tried_in_the_period():
    sources = [
        {
            "source": "skr",
            "healthy": 0,
            "health_reason": "failed 3 runs in a row: HTTP 500",
            "last_run": DURING,
            "last_success": BEFORE,
        },
        {
            "source": "old",
            "healthy": 0,
            "health_reason": "x",
            "last_run": BEFORE,
            "last_success": None,
        },
        {
            "source": "ok",
            "healthy": 1,
            "health_reason": None,
            "last_run": DURING,
            "last_success": DURING,
        },
    ]
    digest = pick(Candidates(sources=sources, source_names={"skr": "SKR nyheter"}))
    (problem,) = digest.unhealthy
    assert (problem.source, problem.name) == ("skr", "SKR nyheter")
    assert problem.reason.startswith("failed 3 runs")
    assert not digest.is_empty


def test_item_ids_by_section_for_the_record():
    digest = pick(
        Candidates(calls=[call("A"), call("B", first_seen=BEFORE, deadline="2026-12-01")])
    )
    assert digest.item_ids() == {
        "new": ["eu-portal:A"],
        "closing_soon": ["eu-portal:B"],
        "changed": [],
        "news": [],
        "maybe": [],
    }


def test_a_call_is_new_in_one_digest_only_whatever_source_announced_it():
    calls = [call("again"), call("twin"), call("fresh")]
    shown = [shown_in(1, "again", "new"), shown_in(1, "twin", "new", source="cordis")]
    digest = pick(Candidates(calls=calls, announced=shown))
    assert [i.identifier for i in digest.new_by_area["klimat-miljo"]] == ["fresh"]


def test_closing_soon_skips_what_last_weeks_digest_announced_unless_the_deadline_moved():
    calls = [
        call("announced-last", first_seen=BEFORE, deadline="2026-12-10"),
        call("announced-earlier", first_seen=BEFORE, deadline="2026-12-11"),
        call("moved", first_seen=BEFORE, deadline="2026-12-12"),
        call("closing-before", first_seen=BEFORE, deadline="2026-12-13"),
    ]
    shown = [
        shown_in(1, "announced-earlier", "new", "2026-12-11"),
        shown_in(1, "closing-before", "closing_soon", "2026-12-13"),
        shown_in(2, "announced-last", "new", "2026-12-10"),
        shown_in(2, "moved", "new", "2026-11-30"),  # a first stage since passed
    ]
    digest = pick(Candidates(calls=calls, announced=shown))
    assert [i.identifier for i in digest.closing_soon] == ["announced-earlier", "moved"]


def test_only_changes_after_the_last_sent_digest_are_shown():
    moved = call("moved", first_seen=BEFORE, deadline="2027-03-03")
    changes = {
        "eu-portal:moved": [
            {"field": "title", "old": "A", "new": "B", "changed_at": "2026-11-18T06:00:00+00:00"},
            {"field": "status", "old": "forthcoming", "new": "open", "changed_at": DURING},
        ]
    }
    candidates = Candidates(
        calls=[moved], changes=changes, last_sent_end="2026-11-19T07:00:00+00:00"
    )
    (item,) = pick(candidates).changed
    assert [c.field for c in item.changes] == ["status"]
    candidates.last_sent_end = DURING
    assert pick(candidates).is_empty

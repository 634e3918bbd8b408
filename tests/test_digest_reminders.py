"""The digest's "Bevakade ansökningar": calls a förvaltning marked interested or applying whose
deadline is within `[digest] reminder_days`, with the förvaltning, its state and the days left,
in every digest and every notifier's rendering; how often a reminder alone sends a digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from helpers.stored_calls import TODAY, add_calls, portal_project
from monitor.cli import cli
from monitor.digest.choose import Candidates, choose

ROOT = Path(__file__).resolve().parent.parent
LIFE = "LIFE-2027-CALL-000"  # deadline TODAY + 60 days; CALL-001 + 61, CALL-002 + 62
LATER = TODAY + timedelta(days=45)  # LIFE-000 is then due in 15 days


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    config = portal_project(tmp_path)
    add_calls(config, ["Climate adaptation of schools", "Urban nature", "Energy poverty"])
    return config


def monitor(runner, config, *args):
    result = runner.invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def track(runner, config, identifier, state, unit):
    monitor(runner, config, "track", identifier, "--state", state, "--unit", unit)


def section(text: str, title: str) -> str:
    return text.split(f"## {title}")[1].split("\n## ")[0]


def test_an_application_closing_within_21_days_is_reminded_with_its_forvaltning(
    runner, project, monkeypatch
):
    track(runner, project, LIFE, "applying", "Miljöförvaltningen")
    track(runner, project, LIFE, "interested", "Kultur- och fritidsförvaltningen")
    track(runner, project, "LIFE-2027-CALL-001", "submitted", "Miljöförvaltningen")
    monkeypatch.setenv("MONITOR_TODAY", LATER.isoformat())
    digest = monitor(runner, project, "digest", "--format", "markdown")

    reminders = section(digest, "Bevakade ansökningar (1)")
    assert LIFE in reminders and "om 15 dagar" in reminders
    assert "Miljöförvaltningen: Söker" in reminders
    assert "Kultur- och fritidsförvaltningen: Intresserad" in reminders
    # Submitted is done: no reminder, the call is only closing soon; the reminded call is not
    # said twice.
    assert "LIFE-2027-CALL-001" not in reminders
    closing = section(digest, "Stänger snart (2)")
    assert "LIFE-2027-CALL-001" in closing and LIFE not in closing
    assert "- Bevakade ansökningar: 1" in digest  # counted at the top


def test_reminder_days_sets_the_window(runner, project, monkeypatch):
    track(runner, project, LIFE, "applying", "Miljöförvaltningen")
    monkeypatch.setenv("MONITOR_TODAY", LATER.isoformat())
    text = project.read_text(encoding="utf-8")
    project.write_text(text + "\n[digest]\nreminder_days = 14\n", encoding="utf-8")
    digest = monitor(runner, project, "digest", "--format", "markdown")
    assert "Bevakade ansökningar" not in digest  # 15 days left, 14 reminded
    assert LIFE in section(digest, "Stänger snart (3)")

    project.write_text(text + "\n[digest]\nreminder_days = 0\n", encoding="utf-8")
    refused = runner.invoke(cli, ["--config", str(project), "digest"])
    assert refused.exit_code == 1 and "reminder_days" in refused.output


@pytest.mark.parametrize("fmt", ["text", "markdown", "blocks", "teams", "email-html"])
def test_every_notifier_shows_the_reminders(runner, project, monkeypatch, fmt):
    track(runner, project, LIFE, "applying", "Miljöförvaltningen")
    monkeypatch.setenv("MONITOR_TODAY", LATER.isoformat())
    shown = monitor(runner, project, "digest", "--format", fmt)
    assert "Bevakade ansökningar" in shown
    assert "Miljöförvaltningen: Söker" in shown or "Miljöförvaltningen: S\\u00f6ker" in shown


# -- how often: pure, on hand-made candidates --------------------------------------------------

END = datetime(2027, 4, 12, 6, 0, tzinfo=UTC)
DAY = date(2027, 4, 12)


def tracked(uid="LIFE-1", unit="Miljöförvaltningen", state="applying", deadline="2027-04-20"):
    return {
        "item_id": f"eu-portal:{uid}",
        "identifier": uid,
        "title": f"Call {uid}",
        "url": f"https://ec.europa.eu/{uid}",
        "deadline": deadline,
        "status": "open",
        "unit": unit,
        "state": state,
    }


def digest_after(last_sent: datetime | None, **candidates):
    return choose(
        Candidates(
            tracked=[tracked()],
            last_sent_end=last_sent.isoformat(timespec="seconds") if last_sent else None,
            **candidates,
        ),
        period_start=last_sent or END - timedelta(days=7),
        period_end=END,
        today=DAY,
        area_names={},
    )


def test_a_reminder_alone_sends_the_weekly_digest_but_not_a_second_one_the_same_day():
    weekly = digest_after(END - timedelta(days=7))
    assert [r.identifier for r in weekly.reminders] == ["LIFE-1"] and not weekly.is_empty
    assert weekly.reminders[0].units == (("Miljöförvaltningen", "applying"),)
    assert digest_after(None).reminders  # the first digest ever
    again = digest_after(END - timedelta(hours=1))
    assert again.is_empty and not again.reminders


def test_a_digest_with_news_shows_the_reminders_even_right_after_another():
    news = {
        "id": "rss:1",
        "source": "rss",
        "kind": "news",
        "title": "Ny utlysning",
        "url": None,
        "first_seen": (END - timedelta(minutes=5)).isoformat(timespec="seconds"),
        "matches": [{"area": "klimat-miljo", "score": 3.0, "phrases": []}],
    }
    digest = digest_after(END - timedelta(hours=1), news=[news])
    assert digest.news and [r.identifier for r in digest.reminders] == ["LIFE-1"]


def test_only_deadlines_from_today_within_the_window_are_reminded():
    rows = [
        tracked("PASSED", deadline="2027-04-11"),
        tracked("TODAY", deadline="2027-04-12"),
        tracked("LAST", deadline="2027-05-03"),  # 21 days
        tracked("LATER", deadline="2027-05-04"),
        tracked("NONE", deadline=None),
    ]
    digest = choose(
        Candidates(tracked=rows),
        period_start=END - timedelta(days=7),
        period_end=END,
        today=DAY,
        area_names={},
    )
    assert [r.identifier for r in digest.reminders] == ["TODAY", "LAST"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "teams", "email-html"])
def test_cards_without_buttons_say_how_to_mark_a_call(runner, project, fmt):
    shown = monitor(runner, project, "digest", "--format", fmt)
    assert "monitor track" in shown and "--state" in shown


def test_slack_has_its_menu_instead_of_the_command_line(runner, project):
    assert "monitor track" not in monitor(runner, project, "digest", "--format", "blocks")

"""Exactly once across digests, on the portal emulator's real calls and a fake Slack.

A call is announced as new in one digest only; "Stänger snart" lists it at most once and never
in the digest right after the one that announced it, unless its deadline moved since.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.portal_emulator import SNAPSHOT_DAY, portal_config
from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "xoxb-test-once"
LINKED = re.compile(r"/topic-details/([^|>]+)\|")


@pytest.fixture
def slack(send_waits):
    with FakeSlack(tokens={TOKEN}, channels={"#eu-bevakning": "C0001"}) as fake:
        yield fake


@pytest.fixture
def project(runner, write_config, live_portal, tmp_path, snapshot_day):
    """A project that has run once against the real calls (the snapshot's day pinned)."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    path = write_config(portal_config(live_portal.base_url))
    path.write_text(path.read_text() + '\n[slack]\nchannel = "#eu-bevakning"\n')
    run(runner, path)
    return path


def run(runner, config):
    result = runner.invoke(cli, ["--config", str(config), "run", "--no-digest"], env=_env(None))
    assert result.exit_code == 0, result.output


def send(runner, config, slack):
    return runner.invoke(cli, ["--config", str(config), "digest", "--send"], env=_env(slack))


def _env(slack) -> dict[str, str]:
    api = {"SLACK_API_URL": slack.api_url} if slack else {}
    return {"SLACK_BOT_TOKEN": TOKEN if slack else "", "SLACK_WEBHOOK_URL": "", **api}


def week(monkeypatch, weeks: int) -> None:
    """Move the pinned day on by whole weeks (the time of day stays real)."""
    monkeypatch.setenv("MONITOR_TODAY", (SNAPSHOT_DAY + timedelta(weeks=weeks)).isoformat())


def shown(messages) -> Counter[str]:
    """How many times each call (by identifier) is linked in these messages."""
    return Counter(m for message in messages for m in LINKED.findall(str(message.blocks)))


def closing_soon(messages) -> list[str]:
    return [m for msg in messages if msg.text.startswith("Stänger snart") for m in shown([msg])]


def test_a_second_send_right_after_a_complete_one_posts_nothing(runner, project, slack):
    first = send(runner, project, slack)
    assert first.exit_code == 0, first.output
    posted = len(slack.messages)
    assert posted >= 2 and set(shown(slack.messages).values()) == {1}
    second = send(runner, project, slack)
    assert second.exit_code == 0, second.output
    assert len(slack.messages) == posted
    assert "Inget nytt sedan " in second.stdout and "ingenting skickades" in second.stdout


def test_slack_failing_midway_then_every_part_once_and_a_third_send_posts_nothing(
    runner, project, slack
):
    slack.fail_on_call(4, "invalid_auth")  # the fourth message is refused
    first = send(runner, project, slack)
    assert first.exit_code == 1
    assert len(slack.messages) == 3
    second = send(runner, project, slack)
    assert second.exit_code == 0, second.output
    (top,) = slack.top_level("#eu-bevakning")
    assert len(slack.replies("#eu-bevakning", top.ts)) == len(slack.messages) - 1
    counts = shown(slack.messages)
    assert len(counts) > 100 and set(counts.values()) == {1}  # every call exactly once
    posted = len(slack.messages)
    third = send(runner, project, slack)
    assert third.exit_code == 0 and len(slack.messages) == posted
    assert "Inget nytt sedan " in third.stdout


def test_weeks_later_each_closing_call_is_listed_once_never_right_after_its_announcement(
    runner, project, slack, monkeypatch
):
    assert send(runner, project, slack).exit_code == 0
    announced = set(shown(slack.messages))
    weeks = []
    for n in (1, 2, 3, 4):
        week(monkeypatch, n)
        run(runner, project)
        before = len(slack.messages)
        assert send(runner, project, slack).exit_code == 0
        weeks.append(slack.messages[before:])
    # The week after the first digest has nothing new: every call in it was just announced.
    assert weeks[0] == []
    listed = [ident for messages in weeks for ident in closing_soon(messages)]
    assert listed and set(listed) <= announced
    assert len(listed) == len(set(listed))  # each closing-soon call at most once, over the weeks
    for earlier, later in pairwise(weeks):
        assert not set(closing_soon(later)) & set(shown(earlier))


def test_a_moved_deadline_brings_a_call_back_once(runner, project, slack, portal, monkeypatch):
    assert send(runner, project, slack).exit_code == 0
    call = "LIFE-2026-SAP-CLIMA-CCA"
    assert shown(slack.messages)[call] == 1
    week(monkeypatch, 1)
    moved = (SNAPSHOT_DAY + timedelta(days=20)).isoformat()
    portal.row(call)["metadata"]["deadlineDate"] = [f"{moved}T00:00:00.000+0000"]
    run(runner, project)
    before = len(slack.messages)
    assert send(runner, project, slack).exit_code == 0
    assert shown(slack.messages[before:]) == Counter({call: 1})

"""Churn damping, on the portal emulator's real calls and a fake Slack: a call whose title and
deadline flip between two versions run after run is not a changed call; a real change still
shows once, from the value before the period to the value now.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.portal_emulator import SNAPSHOT_DAY, portal_config
from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "xoxb-test-churn"
LINKED = re.compile(r"/topic-details/([^|>]+)\|")
CALL = "LIFE-2026-SAP-CLIMA-CCA"
TITLE = "Climate Change Adaptation"
# Far from the snapshot day, so the call is never "closing soon": only a change can show it.
DEADLINE, OTHER_DEADLINE = "2027-09-22", "2027-10-20"


@pytest.fixture
def slack(send_waits):
    with FakeSlack(tokens={TOKEN}, channels={"#eu-bevakning": "C0001"}) as fake:
        yield fake


@pytest.fixture
def project(runner, write_config, live_portal, portal, tmp_path, snapshot_day, slack):
    """A project that has run once and sent its first digest (announcing the call)."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    path = write_config(portal_config(live_portal.base_url))
    path.write_text(path.read_text() + '\n[slack]\nchannel = "#eu-bevakning"\n')
    version(portal, TITLE, DEADLINE)
    run(runner, path)
    assert send(runner, path, slack).exit_code == 0
    assert shown(slack.messages)[CALL] == 1
    return path


def version(portal, title: str, deadline: str) -> None:
    row = portal.row(CALL)
    row["metadata"]["title"] = [title]
    row["summary"] = title
    row["metadata"]["deadlineDate"] = [f"{deadline}T00:00:00.000+0000"]


def run(runner, config) -> None:
    result = runner.invoke(cli, ["--config", str(config), "run", "--no-digest"], env=_env(None))
    assert result.exit_code == 0, result.output


def send(runner, config, slack):
    return runner.invoke(cli, ["--config", str(config), "digest", "--send"], env=_env(slack))


def _env(slack) -> dict[str, str]:
    api = {"SLACK_API_URL": slack.api_url} if slack else {}
    return {"SLACK_BOT_TOKEN": TOKEN if slack else "", "SLACK_WEBHOOK_URL": "", **api}


def week(monkeypatch, weeks: int) -> None:
    monkeypatch.setenv("MONITOR_TODAY", (SNAPSHOT_DAY + timedelta(weeks=weeks)).isoformat())


def shown(messages) -> Counter[str]:
    return Counter(m for message in messages for m in LINKED.findall(str(message.blocks)))


def flip(runner, project, portal, versions) -> None:
    """One run per version, the portal answering each in turn."""
    for title, deadline in versions:
        version(portal, title, deadline)
        run(runner, project)


def week_digest(runner, project, slack) -> str:
    before = len(slack.messages)
    assert send(runner, project, slack).exit_code == 0
    return "\n".join(str(m.blocks) for m in slack.messages[before:])


A = (TITLE, DEADLINE)
B = (f"{TITLE} (EU Mission)", OTHER_DEADLINE)


def test_a_call_flipping_back_to_where_it_was_is_not_a_change(
    runner, project, slack, portal, monkeypatch
):
    week(monkeypatch, 1)
    flip(runner, project, portal, [B, A, B, A, B, A])
    assert CALL not in week_digest(runner, project, slack)


def test_a_call_still_flipping_at_the_digest_is_not_a_change_week_after_week(
    runner, project, slack, portal, monkeypatch
):
    for n, versions in enumerate(([B, A, B], [A, B, A], [B, A, B]), start=1):
        week(monkeypatch, n)
        flip(runner, project, portal, versions)
        assert CALL not in week_digest(runner, project, slack), f"week {n}"


def test_a_real_change_among_flips_shows_once_with_its_net_change(
    runner, project, slack, portal, monkeypatch
):
    week(monkeypatch, 1)
    new_title = f"{TITLE} and Resilience"
    flip(runner, project, portal, [B, A, B, A, (new_title, DEADLINE), (new_title, DEADLINE)])
    text = week_digest(runner, project, slack)
    assert shown_in(text) == Counter({CALL: 1})
    assert text.count("→") == 1  # the title only: the deadline is back where it was
    assert re.search(rf"{re.escape(TITLE)}\S* → \S*{re.escape(new_title)}", text), text


def shown_in(text: str) -> Counter[str]:
    return Counter(LINKED.findall(text))

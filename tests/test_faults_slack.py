"""Slack's faults after the fact: a Retry-After of a day, an answer lost after Slack accepted the
message (within one send, and a send killed between the accept and the answer) and an area
channel that refuses its copy (a webhook's lost answer: test_faults_lost_answers.py). Through
`monitor digest --send`, a fake Slack on loopback and the ledger; no test waits (the
`send_waits` fixture records the waits)."""

from __future__ import annotations

from pathlib import Path

import pytest

import monitor.notify.retry
from helpers.fake_slack import FakeSlack
from helpers.stored_calls import SLACK_CHANNEL, TODAY, TOKEN, add_calls, portal_project
from monitor.cli import cli
from monitor.fetch import MAX_RETRY_AFTER
from monitor.notify.retry import RetryPolicy

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def slack(send_waits):
    with FakeSlack(
        tokens={TOKEN},
        channels={"#eu-bevakning": "C0001", "#eu-skola": "C0002"},
        not_member={"#privat": "C0009"},
    ) as fake:
        yield fake


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    return portal_project(tmp_path, SLACK_CHANNEL)


def send(runner, config, slack, *, webhook=False):
    env = {"SLACK_API_URL": slack.api_url}
    if webhook:
        env |= {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": slack.webhook_url}
    else:
        env |= {"SLACK_BOT_TOKEN": TOKEN, "SLACK_WEBHOOK_URL": ""}
    return runner.invoke(cli, ["--config", str(config), "digest", "--send"], env=env)


def school_channel(project, channel):
    rules = project.parent / "rules" / "utbildning.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(
            '# slack_channel = "#eu-utbildning"', f'slack_channel = "{channel}"'
        ),
        encoding="utf-8",
    )


def test_a_retry_after_of_a_day_waits_no_longer_than_the_fetcher_would(
    runner, project, slack, send_waits
):
    add_calls(project, ["Climate adaptation of schools"])
    slack.fail_next("ratelimited", retry_after=86_400)
    assert send(runner, project, slack).exit_code == 0
    assert len(send_waits) == 1 and send_waits[0] <= MAX_RETRY_AFTER + 1
    assert len(slack.messages) == 2


@pytest.mark.parametrize("lost", [1, 2], ids=["top message", "thread reply"])
def test_an_answer_lost_after_slack_accepted_is_looked_up_not_posted_again(
    runner, project, slack, lost
):
    add_calls(project, ["Climate adaptation of schools"])
    slack.fail_on_call(lost, "drop_answer")
    result = send(runner, project, slack)
    assert result.exit_code == 0, result.output
    (top,) = slack.top_level("#eu-bevakning")
    assert len(slack.replies("#eu-bevakning", top.ts)) == 1  # the reply found its parent
    assert slack.call_count("chat.postMessage") == 2 and len(slack.messages) == 2

    again = send(runner, project, slack)
    assert again.exit_code == 0 and "ingenting skickades" in again.stdout
    assert len(slack.messages) == 2


def test_a_send_killed_between_the_accept_and_the_answer_is_completed_without_a_second_post(
    runner, project, slack, monkeypatch
):
    add_calls(project, ["Climate adaptation of schools"])
    # As a kill would leave it: Slack has the reply, the ledger has no receipt for it.
    monkeypatch.setattr(monitor.notify.retry, "USUAL", RetryPolicy(retries=0, sleep=print))
    slack.fail_on_call(2, "drop_answer")
    first = send(runner, project, slack)
    assert first.exit_code == 1 and "sent 1 of 2 messages" in first.stderr
    assert len(slack.messages) == 2

    monkeypatch.setattr(monitor.notify.retry, "USUAL", RetryPolicy(sleep=lambda s: None))
    second = send(runner, project, slack)
    assert second.exit_code == 0, second.output
    assert "already had message" in second.stderr
    assert slack.call_count("chat.postMessage") == 2 and len(slack.messages) == 2
    third = send(runner, project, slack)
    assert "ingenting skickades" in third.stdout and len(slack.messages) == 2


@pytest.mark.parametrize(
    ("channel", "refusal"),
    [("#privat", "not_in_channel"), ("#finns-inte", "channel_not_found"), ("#eu-skola", None)],
)
def test_an_area_channel_that_refuses_is_skipped_and_the_digest_is_sent(
    runner, project, slack, channel, refusal
):
    school_channel(project, channel)
    add_calls(project, ["Erasmus school partnerships"], areas=("utbildning",))
    if refusal is None:  # an archived channel: refused on its first post, the third
        refusal = "is_archived"
        slack.fail_on_call(3, refusal)
    result = send(runner, project, slack)
    assert result.exit_code == 0, result.output
    assert f"skipped {channel}" in result.stderr and refusal in result.stderr
    (top,) = slack.top_level("#eu-bevakning")
    assert len(slack.replies("#eu-bevakning", top.ts)) == 1
    assert slack.call_count("chat.postMessage") == 3  # the area's reply was not even tried

    again = send(runner, project, slack)  # the digest is sent: nothing blocks the next one
    assert again.exit_code == 0 and "ingenting skickades" in again.stdout


def test_the_main_channel_refusing_still_stops_the_send(runner, project, slack):
    project.write_text(project.read_text().replace("#eu-bevakning", "#privat"))
    add_calls(project, ["Climate adaptation of schools"])
    result = send(runner, project, slack)
    assert result.exit_code == 1 and "not_in_channel" in result.stderr
    assert "skipped" not in result.stderr

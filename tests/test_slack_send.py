"""`monitor digest --send` through slack-sdk to a local fake of Slack's Web API (real HTTP)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.stored_calls import (
    SLACK_CHANNEL,
    TODAY,
    TOKEN,
    add_calls,
    add_maybe_calls,
    portal_project,
)
from monitor.cli import cli

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
    """A config with the default rules and a database of calls found this week."""
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    return portal_project(tmp_path, SLACK_CHANNEL)


def send(runner, config, slack, env=None):
    environment = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.api_url,
        "SLACK_WEBHOOK_URL": "",
        **(env or {}),
    }
    return runner.invoke(cli, ["--config", str(config), "digest", "--send"], env=environment)


def shown_identifiers(slack) -> list[str]:
    return re.findall(r"LIFE-2027-CALL-\d{3}(?=\|)", slack.all_text())


def test_a_digest_of_300_calls_is_split_into_thread_replies_each_sent_once(runner, project, slack):
    identifiers = add_calls(project, [f"Climate adaptation measure {n} " * 4 for n in range(300)])
    result = send(runner, project, slack)
    assert result.exit_code == 0, result.output
    (top,) = slack.top_level("#eu-bevakning")
    assert top.blocks[0]["text"]["text"].startswith("EU-bevakning vecka ")
    replies = slack.replies("#eu-bevakning", top.ts)
    assert len(replies) == len(slack.messages) - 1 >= 7
    assert sorted(shown_identifiers(slack)) == identifiers  # every call, exactly once
    assert f"Sent the digest to Slack: {len(slack.messages)} messages." in result.stdout


def test_many_maybe_calls_go_in_kanske_ocksa_replies_slack_accepts(runner, project, slack):
    add_calls(project, ["Climate adaptation in small towns"])
    identifiers = add_maybe_calls(project, 300)
    result = send(runner, project, slack)
    assert result.exit_code == 0, result.output
    (top,) = slack.top_level("#eu-bevakning")
    assert "• Kanske också: 300" in top.blocks[1]["text"]["text"]
    maybe = [m for m in slack.replies("#eu-bevakning", top.ts) if "Kanske också" in m.text]
    assert len(maybe) > 1  # split into several replies, each within Slack's limits
    shown = re.findall(r"HORIZON-MAYBE-\d{3}(?=\|)", slack.all_text())
    assert sorted(shown) == identifiers  # every maybe call, exactly once


def test_a_malicious_title_pings_nobody(runner, project, slack):
    add_calls(project, ["<!channel> Free money for <@U123> – <https://evil.example|click here>"])
    assert send(runner, project, slack).exit_code == 0
    text = slack.all_text()
    for ping in ("<!channel>", "<@U123>", "<https://evil.example"):
        assert ping not in text
    assert "&lt;!channel&gt; Free money for &lt;@U123&gt;" in text


def test_a_failure_midway_then_a_rerun_posts_every_part_exactly_once(runner, project, slack):
    add_calls(project, [f"Climate call {n} " * 6 for n in range(200)])
    slack.fail_on_call(3, "invalid_auth")  # the third message is refused
    first = send(runner, project, slack)
    assert first.exit_code == 1
    assert "sent 2 of " in first.stderr and "monitor digest --send` again" in first.stderr
    assert len(slack.messages) == 2

    second = send(runner, project, slack)
    assert second.exit_code == 0, second.output
    assert "Resuming the digest" in second.stderr
    (top,) = slack.top_level("#eu-bevakning")
    assert len(slack.replies("#eu-bevakning", top.ts)) == len(slack.messages) - 1
    assert len(set(shown_identifiers(slack))) == len(shown_identifiers(slack)) == 200

    before = len(slack.messages)
    third = send(runner, project, slack)
    assert third.exit_code == 0
    assert "Inget nytt sedan " in third.stdout and "ingenting skickades" in third.stdout
    assert len(slack.messages) == before  # a second --send posts nothing


def test_server_errors_and_rate_limits_are_retried(runner, project, slack, send_waits):
    add_calls(project, ["Climate adaptation of schools"])
    slack.fail_next("ratelimited", retry_after=2)
    slack.fail_next("server_error")
    result = send(runner, project, slack)
    assert result.exit_code == 0, result.output
    assert len(slack.messages) == 2
    assert slack.call_count() == 4
    assert len(send_waits) == 2 and send_waits[0] >= 2  # as long as Slack asked, then back-off


def test_slack_down_for_good_is_reported_and_resumable(runner, project, slack):
    add_calls(project, ["Climate adaptation of schools"])
    slack.fail_next("server_error", times=10, method="chat.postMessage")
    result = send(runner, project, slack)
    assert result.exit_code == 1
    assert "sent 0 of 2 messages" in result.stderr
    assert slack.call_count() == 4  # the first message, retried three times, then it gives up
    # before each retry it looked whether Slack had it after all
    assert slack.call_count("conversations.history") == 3
    slack.reset()
    assert send(runner, project, slack).exit_code == 0
    assert len(slack.messages) == 2


@pytest.mark.parametrize(
    ("channel", "error", "advice"),
    [
        ("#eu-bevakning", "invalid_auth", "check SLACK_BOT_TOKEN"),
        ("#finns-inte", None, "Slack has no channel #finns-inte that the bot can see"),
        ("#privat", None, "the bot is not a member of #privat: invite it"),
    ],
)
def test_errors_an_admin_can_fix_say_what_to_do(runner, project, slack, channel, error, advice):
    project.write_text(project.read_text().replace("#eu-bevakning", channel))
    add_calls(project, ["Climate adaptation of schools"])
    env = {"SLACK_BOT_TOKEN": "xoxb-wrong"} if error else {}
    result = send(runner, project, slack, env)
    assert result.exit_code == 1
    assert advice in result.stderr
    assert TOKEN not in result.output and "xoxb-wrong" not in result.output


def test_an_area_channel_gets_its_own_thread(runner, project, slack):
    rules = project.parent / "rules" / "utbildning.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(
            '# slack_channel = "#eu-utbildning"', 'slack_channel = "#eu-skola"'
        ),
        encoding="utf-8",
    )
    add_calls(project, ["Erasmus school partnerships"], areas=("utbildning",))
    assert send(runner, project, slack).exit_code == 0
    (local_top,) = slack.top_level("#eu-skola")
    (reply,) = slack.replies("#eu-skola", local_top.ts)
    assert "Erasmus school partnerships" in json.dumps(reply.blocks)
    (main_top,) = slack.top_level("#eu-bevakning")
    assert len(slack.replies("#eu-bevakning", main_top.ts)) == 1


def test_a_webhook_posts_every_part_as_its_own_message(runner, project, slack):
    add_calls(project, ["Climate adaptation of schools", "Nature-based solutions in towns"])
    env = {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": slack.webhook_url}
    result = send(runner, project, slack, env)
    assert result.exit_code == 0, result.output
    posts = slack.webhook_posts
    assert len(posts) == 2 and all(p.thread_ts is None for p in posts)
    assert posts[0].blocks[0]["type"] == "header"

"""One digest through Slack, Teams and e-mail at once, each exactly once, on the portal
emulator's real calls: a local fake Slack, a local fake Teams webhook and a real SMTP server.

A failure midway in each notifier leaves each with part of the digest; the next send completes
each where it stopped, and a further send sends nothing anywhere.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.fake_teams import FakeTeams
from helpers.portal_emulator import portal_config
from helpers.smtp_server import SmtpServer
from monitor.cli import cli
from monitor.store import open_store

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "xoxb-test-notifiers"
CHANNEL = "#eu-bevakning"
# A call's link ends in its identifier, in each notifier's own markup.
SLACK_LINK = re.compile(r"/topic-details/([^|>]+)\|")
TEAMS_LINK = re.compile(r"/topic-details/([^)\s]+)\)")
HTML_LINK = re.compile(r'href="[^"]*/topic-details/([^"]+)"')
TEXT_LINK = re.compile(r"/topic-details/([^)\s]+)\)")


@pytest.fixture
def slack(send_waits):
    with FakeSlack(tokens={TOKEN}, channels={CHANNEL: "C0001"}) as fake:
        yield fake


@pytest.fixture
def teams():
    with FakeTeams() as fake:
        yield fake


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def project(runner, write_config, live_portal, tmp_path, snapshot_day, smtp):
    """The real calls stored once, with all three notifiers in sources.toml."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    path = write_config(portal_config(live_portal.base_url))
    path.write_text(
        path.read_text()
        + f"""
[notify]
send = ["slack", "teams", "email"]

[slack]
channel = "{CHANNEL}"

[email]
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
starttls = false
from = "EU-bevakning <eu-bevakning@kommun.example>"
to = ["internationella-gruppen@kommun.example"]

[teams]
"""
    )
    result = runner.invoke(cli, ["--config", str(path), "run", "--no-digest"])
    assert result.exit_code == 0, result.output
    return path


def send(runner, config, slack, teams, *extra):
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.api_url,
        "TEAMS_WEBHOOK_URL": teams.webhook_url,
    }
    return runner.invoke(cli, ["--config", str(config), "digest", "--send", *extra], env=env)


def in_slack(slack) -> Counter[str]:
    return Counter(m for msg in slack.messages for m in SLACK_LINK.findall(str(msg.blocks)))


def in_teams(teams) -> Counter[str]:
    return Counter(m for card in teams.cards for m in TEAMS_LINK.findall(json.dumps(card.card)))


def in_mail(smtp) -> tuple[Counter[str], Counter[str]]:
    """The calls linked in the HTML parts and written out in the text parts of every mail."""
    html, text = Counter[str](), Counter[str]()
    for received in smtp.received:
        message = received.message
        html.update(HTML_LINK.findall(message.get_body(("html",)).get_content()))
        text.update(TEXT_LINK.findall(message.get_body(("plain",)).get_content()))
    return html, text


def test_one_send_delivers_the_same_calls_through_each_notifier(
    runner, project, slack, teams, smtp
):
    result = send(runner, project, slack, teams)
    assert result.exit_code == 0, result.output
    slack_calls = in_slack(slack)
    assert len(slack_calls) > 100 and set(slack_calls.values()) == {1}
    assert in_teams(teams) == slack_calls  # every call in one card or another, once
    assert len(teams.cards) > 1  # long: a card per section
    assert len(smtp.received) == 1
    html, text = in_mail(smtp)
    assert html == slack_calls and text == slack_calls
    subject = smtp.received[0].message["Subject"]
    assert re.fullmatch(r"EU-bevakning vecka \d+: \d+ nya utlysningar", subject), subject
    for said in ("Sent the digest to Slack", "Sent the digest to Teams", "to e-mail: 1 message."):
        assert said in result.stdout


def test_a_failure_midway_in_each_is_completed_once_and_a_further_send_sends_nothing(
    runner, project, slack, teams, smtp
):
    slack.fail_on_call(4, "invalid_auth")  # three messages reach Slack, then it refuses
    teams.fail_from(2, 404)  # the first card, then the webhook is gone
    smtp.answer_next("550 5.7.1 message refused")  # the only mail, refused
    first = send(runner, project, slack, teams)
    assert first.exit_code == 1
    for said in ("Error (Slack): sent 3 of", "Error (Teams): sent 1 of", "Error (e-mail): sent 0"):
        assert said in first.stderr
    assert (len(slack.messages), len(teams.cards), len(smtp.received)) == (3, 1, 0)

    teams.recover()
    second = send(runner, project, slack, teams)
    assert second.exit_code == 0, second.output
    assert "Resuming the digest of " in second.stderr
    slack_calls = in_slack(slack)
    assert len(slack_calls) > 100 and set(slack_calls.values()) == {1}
    (top,) = slack.top_level(CHANNEL)  # the rest went into the same thread
    assert len(slack.replies(CHANNEL, top.ts)) == len(slack.messages) - 1
    assert in_teams(teams) == slack_calls
    assert len(smtp.received) == 1 and in_mail(smtp) == (slack_calls, slack_calls)

    sent = (len(slack.messages), len(teams.cards), len(smtp.received))
    third = send(runner, project, slack, teams)
    assert third.exit_code == 0, third.output
    assert (len(slack.messages), len(teams.cards), len(smtp.received)) == sent
    assert "Inget nytt sedan " in third.stdout


def test_sending_to_one_keeps_the_digest_for_the_others(runner, project, slack, teams, smtp):
    first = send(runner, project, slack, teams, "--to", "email")
    assert first.exit_code == 0, first.output
    assert (len(slack.messages), len(teams.cards), len(smtp.received)) == (0, 0, 1)
    assert "Slack still has " in first.stderr and "Teams still has " in first.stderr
    second = send(runner, project, slack, teams)
    assert second.exit_code == 0, second.output
    assert len(smtp.received) == 1  # not again
    html, _ = in_mail(smtp)
    assert in_slack(slack) == in_teams(teams) == html


def test_a_notifier_named_but_not_set_up_stops_the_send_before_anything_is_kept(
    runner, project, slack, teams, smtp
):
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack.api_url}  # no TEAMS_WEBHOOK_URL
    result = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env=env)
    assert result.exit_code == 1
    assert "Error: Teams is not set up: set TEAMS_WEBHOOK_URL" in result.stderr
    assert (len(slack.messages), len(smtp.received)) == (0, 0)
    assert open_store(project.parent / "monitor.db").db["digests"].count == 0


def test_a_slack_digest_cut_short_before_the_notifiers_is_resumed_in_its_thread(
    runner, write_config, tmp_path, slack
):
    import sqlite_utils
    from slack_sdk import WebClient

    from monitor.store.schema import MIGRATIONS

    db_path = tmp_path / "monitor.db"
    old = sqlite_utils.Database(db_path)
    # the database as it was before digests went to several notifiers
    before = MIGRATIONS[: [m.__name__ for m in MIGRATIONS].index("_notifiers")]
    for number, migration in enumerate(before, start=1):
        migration(old)
        old.execute(f"PRAGMA user_version = {number}")
    stamp = "2026-11-23T07:00:00+00:00"
    old["digests"].insert(
        {"id": 1, "created": stamp, "period_start": stamp, "period_end": stamp}
        | {"language": "sv", "mode": "bot"}
    )
    # What Slack got before the stop: the top message, whose ts the old digest kept.
    client = WebClient(token=TOKEN, base_url=slack.api_url)
    top = client.chat_postMessage(channel=CHANNEL, text="EU-bevakning vecka 48")["ts"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Klimat: 1 ny utlysning"}}]
    for seq, key, parent, ts in ((0, "top", None, top), (1, "area:klimat:1", 0, None)):
        old["digest_parts"].insert(
            {"digest_id": 1, "seq": seq, "key": key, "channel": CHANNEL, "parent_seq": parent}
            | {"text": key, "blocks": json.dumps(blocks), "ts": ts}
        )
    old.conn.commit()
    old.conn.close()
    config = write_config(
        f'[settings]\ndatabase = "monitor.db"\n\n[slack]\nchannel = "{CHANNEL}"\n'
    )
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack.api_url}
    result = runner.invoke(cli, ["--config", str(config), "digest", "--send"], env=env)
    assert result.exit_code == 0, result.output
    assert "Resuming the digest of 2026-11-23 for Slack: 1 of 2 messages" in result.stderr
    (reply,) = slack.replies(CHANNEL, top)
    assert reply.blocks == blocks


def without_notify_send(config: Path, send: str = "") -> None:
    """The project's sources.toml with `[notify] send` replaced by `send` (none: every notifier
    that is set up)."""
    text = config.read_text()
    chosen = '[notify]\nsend = ["slack", "teams", "email"]\n'
    assert chosen in text
    config.write_text(text.replace(chosen, send))


def test_a_forgotten_slack_token_keeps_the_half_sent_digest_for_slack(runner, project, slack, smtp):
    without_notify_send(project)  # Slack and e-mail chosen as the ones set up
    with_token = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack.api_url}
    slack.fail_on_call(4, "invalid_auth")
    first = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env=with_token)
    assert first.exit_code == 1 and "Error (Slack): sent 3 of" in first.stderr
    assert (len(slack.messages), len(smtp.received)) == (3, 1)

    # A shell without the token: nothing sent, nothing given up, the variable named once.
    forgot = {"SLACK_API_URL": slack.api_url}
    second = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env=forgot)
    assert second.exit_code == 1, second.output
    assert second.stderr.count("SLACK_BOT_TOKEN") == 2  # "waits for X ... set X"
    assert "Slack väntar på SLACK_BOT_TOKEN, som inte är satt" in second.stderr
    assert "no longer" not in second.output
    assert (len(slack.messages), len(smtp.received)) == (3, 1)

    third = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env=with_token)
    assert third.exit_code == 0, third.output
    assert "Resuming the digest of " in third.stderr
    slack_calls = in_slack(slack)
    assert len(slack_calls) > 100 and set(slack_calls.values()) == {1}
    (top,) = slack.top_level(CHANNEL)  # the rest in the same thread
    assert len(slack.replies(CHANNEL, top.ts)) == len(slack.messages) - 1
    assert len(smtp.received) == 1 and in_mail(smtp) == (slack_calls, slack_calls)

    sent = len(slack.messages)
    fourth = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env=with_token)
    assert fourth.exit_code == 0 and "Inget nytt sedan " in fourth.stdout
    assert (len(slack.messages), len(smtp.received)) == (sent, 1)


def test_slack_taken_out_of_notify_send_is_given_up_for_the_half_sent_digest(
    runner, project, slack, smtp
):
    without_notify_send(project)
    with_token = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack.api_url}
    slack.fail_on_call(4, "invalid_auth")
    first = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env=with_token)
    assert first.exit_code == 1 and (len(slack.messages), len(smtp.received)) == (3, 1)

    project.write_text(project.read_text() + '\n[notify]\nsend = ["email"]\n')  # Slack out
    second = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env=with_token)
    assert second.exit_code == 0, second.output
    assert "Slack is no longer in [notify] send: the " in second.stderr
    assert "Inget nytt sedan " in second.stdout  # e-mail has had it; the next digest is due
    assert (len(slack.messages), len(smtp.received)) == (3, 1)


def test_with_slack_alone_a_forgotten_token_says_what_the_digest_waits_for(runner, project, slack):
    text = project.read_text()
    email = text[text.index("[email]") : text.index("[teams]")]
    project.write_text(text.replace(email, ""))
    without_notify_send(project)  # Slack is the only notifier
    with_token = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack.api_url}
    slack.fail_on_call(4, "invalid_auth")
    first = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env=with_token)
    assert first.exit_code == 1 and len(slack.messages) == 3

    forgot = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env={})
    assert forgot.exit_code == 1
    assert "Slack väntar på SLACK_BOT_TOKEN, som inte är satt" in forgot.stderr
    assert "no notifier is set up" not in forgot.stderr and len(slack.messages) == 3

    back = runner.invoke(cli, ["--config", str(project), "digest", "--send"], env=with_token)
    assert back.exit_code == 0, back.output
    slack_calls = in_slack(slack)
    assert len(slack_calls) > 100 and set(slack_calls.values()) == {1}

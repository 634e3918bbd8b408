"""The menu on each call's Slack card, and clicks on it reaching `monitor serve` over Socket Mode:
a digest sent to the fake Slack, then real `block_actions` envelopes from a local fake of Socket
Mode (helpers.fake_socket_mode), answered by slack-sdk's own Socket Mode client."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.fake_socket_mode import FakeSocketMode
from helpers.slack_limits import assert_overflow_within_limits
from helpers.stored_calls import SLACK_CHANNEL, TODAY, TOKEN, add_calls, portal_project
from monitor.cli import cli
from monitor.clock import Clock
from monitor.config import load_config
from monitor.notify.slack_actions import ACTION_ID, Click, overflow, read_value, value
from monitor.slack_listener import SlackListener
from monitor.sources.kinds import KINDS

ROOT = Path(__file__).resolve().parent.parent
APP_TOKEN = "xapp-1-A0EUBEV-test-secret"
ANNA = "U0ANNA"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    config = portal_project(tmp_path, SLACK_CHANNEL + 'units = { U0ANNA = "Miljöförvaltningen" }\n')
    add_calls(config, ["Climate adaptation of schools", "Urban nature"])
    return config


@pytest.fixture
def slack(send_waits):
    with (
        FakeSocketMode() as socket,
        FakeSlack(
            tokens={TOKEN},
            app_tokens={APP_TOKEN},
            users={ANNA: {"name": "anna", "profile": {"real_name": "Anna Svensson"}}},
            socket_url=None,
        ) as fake,
    ):
        fake.socket_url = socket.url
        fake.socket = socket
        yield fake


def environment(slack) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.api_url,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_WEBHOOK_URL": "",
    }


def monitor(runner, config, *args, env=None):
    result = runner.invoke(cli, ["--config", str(config), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def sent_card(runner, project, slack):
    """Send the digest; the first call card's message and its menu."""
    monitor(runner, project, "digest", "--send", env=environment(slack))
    for message in slack.messages:
        for block in message.blocks or []:
            if "accessory" in block:
                return message, block["accessory"]
    raise AssertionError("no card has a menu")


@pytest.fixture
def listening(project, slack):
    config = load_config(project, environ=environment(slack), kinds=KINDS)
    listener = SlackListener(lambda: config, Clock(TODAY))
    listener.start()
    yield listener
    listener.stop()


def click(slack, message, option_value, user=ANNA):
    posts = len(slack.messages)
    card = {"ts": message.ts, "thread_ts": message.thread_ts, "text": message.text}
    envelope = slack.socket.click(
        option_value,
        user_id=user,
        user_name="anna",
        channel=message.channel,
        message={**card, "blocks": message.blocks},
        action_id=ACTION_ID,
    )
    ack = slack.socket.wait_for_ack(envelope)
    answer = slack.wait_for_messages(posts + 1)[posts]
    return ack, answer


def option(menu, text):
    return next(o["value"] for o in menu["options"] if o["text"]["text"] == text)


def rows(project, table):
    with sqlite3.connect(project.parent / "monitor.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(f"SELECT * FROM {table}")]


def test_each_call_card_has_the_menu_within_slacks_limits(runner, project, slack):
    _, menu = sent_card(runner, project, slack)  # the fake Slack checked every block it took
    assert_overflow_within_limits(menu)
    labels = [o["text"]["text"] for o in menu["options"]]
    assert labels == ["Intressant", "Vi söker", "Inte för oss", "Fel område"]
    assert read_value(option(menu, "Inte för oss")) == Click(
        "not-for-us", "eu-portal:LIFE-2027-CALL-000"
    )


def test_a_click_on_not_for_us_is_stored_with_the_user_and_counted_by_rules_eval(
    runner, project, slack, listening
):
    message, menu = sent_card(runner, project, slack)
    ack, answer = click(slack, message, option(menu, "Inte för oss"))
    assert set(ack) == {"envelope_id"}  # acknowledged, nothing asked back

    [tracked] = json.loads(monitor(runner, project, "tracked", "--format", "json"))
    assert tracked["identifier"] == "LIFE-2027-CALL-000" and tracked["state"] == "not-for-us"
    assert tracked["unit"] == "Miljöförvaltningen" and tracked["changed_by"] == "Anna Svensson"
    # Answered in the digest's thread, where the card is.
    top = slack.top_level("#eu-bevakning")[0]
    assert answer.thread_ts == top.ts == message.thread_ts
    assert answer.text == (
        "Anna Svensson markerade LIFE-2027-CALL-000 som Inte för oss för Miljöförvaltningen."
    )
    out = monitor(runner, project, "rules", "eval", "--feedback", "--folds", "0")
    assert "Gruppens bedömningar etiketterar 1 utlysning." in out


def test_a_user_without_a_forvaltning_is_recorded_for_the_group(runner, project, slack, listening):
    message, menu = sent_card(runner, project, slack)
    _, answer = click(slack, message, option(menu, "Vi söker"), user="U0OTHER")
    [row] = rows(project, "tracking")
    assert (row["unit"], row["state"], row["changed_by"]) == (
        "Internationella gruppen",
        "applying",
        "anna",  # no users.info answer for this user: the payload's name
    )
    assert "Vi söker för Internationella gruppen" in answer.text


def test_wrong_area_is_feedback_for_the_cards_area(runner, project, slack, listening):
    message, menu = sent_card(runner, project, slack)
    click(slack, message, option(menu, "Fel område"))
    [row] = rows(project, "feedback")
    assert (row["verdict"], row["area"], row["given_by"]) == (
        "not-relevant",
        "klimat-miljo",
        "Anna Svensson",
    )
    assert rows(project, "tracking") == []


def test_a_click_for_a_call_not_stored_changes_nothing_and_says_so(
    runner, project, slack, listening
):
    message, _ = sent_card(runner, project, slack)
    gone = value(Click("not-for-us", "eu-portal:LIFE-2027-GONE"))
    ack, answer = click(slack, message, gone)
    assert ack["envelope_id"]
    assert answer.text == (
        "eu-portal:LIFE-2027-GONE finns inte i EU-bevakningens databas: inget ändrades."
    )
    assert rows(project, "tracking") == [] and rows(project, "feedback") == []


def test_an_item_id_too_long_for_slacks_value_gets_no_menu():
    assert overflow("eu-portal:" + "X" * 120, "klimat-miljo", "sv") is None
    assert overflow("eu-portal:LIFE-1", "klimat-miljo", "sv") is not None


def test_serve_listens_only_with_both_slack_tokens(project, slack, monkeypatch, caplog):
    from monitor.schedule import Service, start_listener, weekly_digest

    def service(**env):
        for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_WEBHOOK_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, secret in env.items():
            monkeypatch.setenv(name, secret)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        return Service(project, None, weekly_digest, Clock(TODAY))

    assert start_listener(service(SLACK_BOT_TOKEN=TOKEN)) is None
    assert start_listener(service(SLACK_APP_TOKEN=APP_TOKEN)) is None
    assert "SLACK_BOT_TOKEN is not" in caplog.text
    listener = start_listener(service(SLACK_BOT_TOKEN=TOKEN, SLACK_APP_TOKEN=APP_TOKEN))
    assert listener is not None
    try:
        slack.socket.wait_connected()
        assert slack.call_count("apps.connections.open") == 1
    finally:
        listener.stop()


def test_slack_units_must_be_a_table_of_names(runner, project):
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("units = { U0ANNA", "units = [ U0ANNA"), encoding="utf-8")
    broken = runner.invoke(cli, ["--config", str(project), "digest"])
    assert broken.exit_code == 1
    project.write_text(text.replace('"Miljöförvaltningen"', "3"), encoding="utf-8")
    wrong = runner.invoke(cli, ["--config", str(project), "digest"])
    assert wrong.exit_code == 1 and "'units'" in wrong.output and "text" in wrong.output

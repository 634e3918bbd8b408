"""Each group's digest to its own notifiers (issue 16): two kommuner in one sources.toml, one
store, a local fake Slack with a channel each and a real SMTP server with recipients each.

The calls are stored once; each group's verdicts are written as matching leaves them
(helpers.group_verdicts): Linköping finds the climate call and the shared call under "Klimat
och miljö", Norrköping the museum call and the shared call under "Kultur och fritid". The
items' own verdict columns (the default group's, no group here) call all three relevant.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.fake_socket_mode import FakeSocketMode
from helpers.group_verdicts import judge
from helpers.smtp_server import SmtpServer
from helpers.stored_calls import TODAY, TOKEN, add_calls
from monitor.cli import cli
from monitor.clock import Clock
from monitor.config import load_config
from monitor.notify.slack_actions import ACTION_ID, Click, read_value, value
from monitor.slack_listener import SlackListener
from monitor.sources.kinds import KINDS
from monitor.store import open_store
from monitor.store.tracking import track

ROOT = Path(__file__).resolve().parent.parent
APP_TOKEN = "xapp-1-A0EUBEV-groups-secret"
ANNA = "U0ANNA"
CHANNELS = {"#eu-bevakning": "C0001", "#eu-linkoping": "C0LKPG", "#eu-norrkoping": "C0NKPG"}
LINKOPING_MAIL = "internationella@linkoping.se"
NORRKOPING_MAIL = "eu@norrkoping.se"
CLIMATE, MUSEUM, SHARED = (f"eu-portal:LIFE-2027-CALL-{n:03d}" for n in range(3))
TITLES = {CLIMATE: "Climate adaptation of schools", MUSEUM: "Museums for all", SHARED: "Shared"}


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def slack(send_waits):
    with (
        FakeSocketMode() as socket,
        FakeSlack(
            tokens={TOKEN},
            channels=CHANNELS,
            app_tokens={APP_TOKEN},
            users={ANNA: {"name": "anna", "profile": {"real_name": "Anna Svensson"}}},
            socket_url=None,
        ) as fake,
    ):
        fake.socket_url = socket.url
        fake.socket = socket
        yield fake


def write_project(tmp_path: Path, smtp: SmtpServer, norrkoping_extra: str = "") -> Path:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    config = tmp_path / "sources.toml"
    config.write_text(
        f"""[settings]
database = "monitor.db"

[notify]
send = ["slack", "email"]

[digest]
reminder_days = 90

[slack]
channel = "#eu-bevakning"

[email]
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
starttls = false
from = "EU-bevakning <eu-bevakning@kommun.example>"
to = ["alla@kommun.example"]

[[groups]]
id = "linkoping"
name = "Linköpings kommun"
[groups.slack]
channel = "#eu-linkoping"
[groups.email]
to = ["{LINKOPING_MAIL}"]

[[groups]]
id = "norrkoping"
name = "Norrköpings kommun"
[groups.slack]
channel = "#eu-norrkoping"
units = {{ U0ANNA = "Kulturförvaltningen" }}
[groups.email]
to = ["{NORRKOPING_MAIL}"]
{norrkoping_extra}
[[sources]]
id = "eu-portal"
kind = "eu_portal"
name = "EU Funding & Tenders Portal"
""",
        encoding="utf-8",
    )
    add_calls(config, list(TITLES.values()), areas=())
    database = tmp_path / "monitor.db"
    judge(database, "linkoping", [CLIMATE, SHARED], ["klimat-miljo"])
    judge(database, "norrkoping", [MUSEUM, SHARED], ["kultur"])
    # a weak match below Linköping's bar: it must not be in Linköping's digest
    judge(database, "linkoping", [MUSEUM], ["kultur"], tier="no")
    return config


@pytest.fixture
def project(tmp_path, monkeypatch, smtp):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    return write_project(tmp_path, smtp)


def environment(slack) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.api_url,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_WEBHOOK_URL": "",
    }


def monitor(runner, config, slack, *args, code=0):
    result = runner.invoke(cli, ["--config", str(config), *args], env=environment(slack))
    assert result.exit_code == code, result.output
    return result


def in_channel(slack, channel: str) -> str:
    """Everything posted to `channel`, as one text."""
    channel_id = CHANNELS[channel]
    return "\n".join(t for m in slack.messages if m.channel == channel_id for t in m.texts)


def mail_to(smtp, address: str) -> list[str]:
    """The text part of each mail sent to `address`, its subject first."""
    return [
        r.message["Subject"] + "\n" + r.message.get_body(("plain",)).get_content()
        for r in smtp.received
        if r.rcpt_tos == [address]
    ]


def test_each_groups_digest_goes_only_to_its_own_channel_and_recipients(
    runner, project, slack, smtp
):
    out = monitor(runner, project, slack, "digest", "--send").stdout
    assert "Linköpings kommun (linkoping):" in out and "Norrköpings kommun (norrkoping):" in out

    linkoping, norrkoping = in_channel(slack, "#eu-linkoping"), in_channel(slack, "#eu-norrkoping")
    assert "EU-bevakning för Linköpings kommun, vecka 9" in linkoping
    assert TITLES[CLIMATE] in linkoping and TITLES[SHARED] in linkoping
    assert TITLES[MUSEUM] not in linkoping and "Kultur och fritid" not in linkoping
    assert "EU-bevakning för Norrköpings kommun, vecka 9" in norrkoping
    assert TITLES[MUSEUM] in norrkoping and TITLES[SHARED] in norrkoping
    assert TITLES[CLIMATE] not in norrkoping and "Klimat och miljö" not in norrkoping
    assert in_channel(slack, "#eu-bevakning") == ""  # the common channel is no group's

    assert {tuple(r.rcpt_tos) for r in smtp.received} == {(LINKOPING_MAIL,), (NORRKOPING_MAIL,)}
    [to_linkoping] = mail_to(smtp, LINKOPING_MAIL)
    assert to_linkoping.startswith("EU-bevakning för Linköpings kommun, vecka 9: 2 nya")
    assert TITLES[CLIMATE] in to_linkoping and TITLES[MUSEUM] not in to_linkoping
    assert "--group linkoping" in to_linkoping  # the footer's track command names the group
    [to_norrkoping] = mail_to(smtp, NORRKOPING_MAIL)
    assert TITLES[MUSEUM] in to_norrkoping and TITLES[CLIMATE] not in to_norrkoping


def test_sending_one_groups_digest_announces_nothing_to_the_other(runner, project, slack, smtp):
    monitor(runner, project, slack, "digest", "--send", "--group", "linkoping")
    assert in_channel(slack, "#eu-norrkoping") == ""
    assert mail_to(smtp, NORRKOPING_MAIL) == []
    posted = len(slack.messages)

    again = monitor(runner, project, slack, "digest", "--send").stdout
    linkoping_part, norrkoping_part = again.split("Norrköpings kommun (norrkoping):")
    assert "Inget nytt sedan" in linkoping_part  # Linköping's calls were announced to it
    assert "Sent the digest to Slack" in norrkoping_part
    norrkoping = in_channel(slack, "#eu-norrkoping")
    # the shared call is new to Norrköping though Linköping was told of it
    assert TITLES[SHARED] in norrkoping and TITLES[MUSEUM] in norrkoping
    assert all(m.channel != CHANNELS["#eu-linkoping"] for m in slack.messages[posted:])
    assert len(mail_to(smtp, LINKOPING_MAIL)) == 1 and len(mail_to(smtp, NORRKOPING_MAIL)) == 1


def test_a_half_sent_digest_is_resumed_for_its_group_alone(runner, project, slack, smtp):
    slack.fail_on_call(2, "invalid_auth")  # Linköping's top message, then Slack refuses
    first = monitor(runner, project, slack, "digest", "--send", code=1)
    assert "Error (Slack): sent 1 of" in first.stderr
    # Linköping's e-mail and all of Norrköping's digest went out all the same
    assert len(mail_to(smtp, LINKOPING_MAIL)) == 1 and len(mail_to(smtp, NORRKOPING_MAIL)) == 1
    norrkoping_posts = [m for m in slack.messages if m.channel == CHANNELS["#eu-norrkoping"]]
    assert norrkoping_posts and TITLES[MUSEUM] in in_channel(slack, "#eu-norrkoping")

    second = monitor(runner, project, slack, "digest", "--send")
    assert "Resuming the digest of" in second.stderr
    linkoping_posts = [m for m in slack.messages if m.channel == CHANNELS["#eu-linkoping"]]
    tops = [m for m in linkoping_posts if m.thread_ts is None]
    assert len(tops) == 1  # the rest replied in the first send's thread, nothing twice
    assert all(m.thread_ts == tops[0].ts for m in linkoping_posts[1:])
    assert TITLES[CLIMATE] in in_channel(slack, "#eu-linkoping")
    # Norrköping's digest was whole: nothing more to it, and no mail twice
    assert [m for m in slack.messages if m.channel == CHANNELS["#eu-norrkoping"]] == (
        norrkoping_posts
    )
    assert len(smtp.received) == 2


def card_in(slack, channel: str):
    """The first call card posted to `channel` and its menu."""
    for message in slack.messages:
        if message.channel != CHANNELS[channel]:
            continue
        for block in message.blocks or []:
            if "accessory" in block:
                return message, block["accessory"]
    raise AssertionError(f"no card with a menu in {channel}")


def click(slack, message, option_value):
    posts = len(slack.messages)
    card = {"ts": message.ts, "thread_ts": message.thread_ts, "text": message.text}
    envelope = slack.socket.click(
        option_value,
        user_id=ANNA,
        user_name="anna",
        channel=message.channel,
        message={**card, "blocks": message.blocks},
        action_id=ACTION_ID,
    )
    slack.socket.wait_for_ack(envelope)
    return slack.wait_for_messages(posts + 1)[posts]


def option(menu, text):
    return next(o["value"] for o in menu["options"] if o["text"]["text"] == text)


def tracking_rows(project):
    with sqlite3.connect(project.parent / "monitor.db") as db:
        return db.execute(
            "SELECT group_id, item_id, unit, state FROM tracking ORDER BY group_id"
        ).fetchall()


def test_a_click_on_a_card_in_a_groups_channel_tracks_the_call_for_that_group(
    runner, project, slack
):
    monitor(runner, project, slack, "digest", "--send")
    config = load_config(project, environ=environment(slack), kinds=KINDS)
    listener = SlackListener(lambda: config, Clock(TODAY))
    listener.start()
    try:
        message, menu = card_in(slack, "#eu-norrkoping")
        chosen = option(menu, "Intressant")
        assert chosen.endswith("|norrkoping")
        answer = click(slack, message, chosen)
        assert answer.channel == CHANNELS["#eu-norrkoping"]
        assert "för Kulturförvaltningen" in answer.text  # Norrköping's [groups.slack] units
        item = read_value(chosen).item_id
        assert tracking_rows(project) == [("norrkoping", item, "Kulturförvaltningen", "interested")]

        # Anna has no förvaltning in Linköping: its click is the default unit's there
        message, menu = card_in(slack, "#eu-linkoping")
        click(slack, message, option(menu, "Vi söker"))
    finally:
        listener.stop()
    rows = tracking_rows(project)
    assert [r[0] for r in rows] == ["linkoping", "norrkoping"]
    assert rows[0][2:] == ("Internationella gruppen", "applying")


def test_the_menus_value_names_a_group_only_when_it_is_not_the_default():
    # values sent before groups, and by a config without them, read as the default group's
    assert value(Click("interested", "eu:X")) == "interested|eu:X"
    assert value(Click("wrong-area", "eu:X", "kultur")) == "wrong-area|eu:X|kultur"
    assert read_value("wrong-area|eu:X|kultur") == Click("wrong-area", "eu:X", "kultur")
    assert read_value("interested|eu:X").group == "default"
    # a group's card carries it as the fourth part
    for click_ in (
        Click("interested", "eu:X", None, "norrkoping"),
        Click("wrong-area", "eu:X", "kultur", "norrkoping"),
    ):
        assert read_value(value(click_)) == click_
    assert value(Click("applying", "eu:X", None, "norrkoping")) == "applying|eu:X||norrkoping"
    assert read_value("applying|eu:X||norrkoping|more") is None


def test_reminders_of_tracked_calls_are_the_tracking_groups_own(runner, project, slack):
    store = open_store(project.parent / "monitor.db")
    track(store.db, SHARED, "Miljöförvaltningen", "applying", now=Clock(TODAY).now(),
          group="linkoping")  # fmt: skip
    store.close()
    linkoping = monitor(runner, project, slack, "digest", "--group", "linkoping").stdout
    norrkoping = monitor(runner, project, slack, "digest", "--group", "norrkoping").stdout
    assert "Bevakade ansökningar" in linkoping and "Miljöförvaltningen" in linkoping
    assert "Bevakade ansökningar" not in norrkoping and "Miljöförvaltningen" not in norrkoping


def test_a_preview_shows_every_group_under_its_heading_and_one_document_asks_which(
    runner, project, slack
):
    out = monitor(runner, project, slack, "digest").stdout
    first, second = out.split("== Norrköpings kommun (norrkoping) ==")
    assert first.startswith("== Linköpings kommun (linkoping) ==\n\nEU-bevakning för Linköpings")
    assert TITLES[CLIMATE] in first and TITLES[MUSEUM] not in first
    assert TITLES[MUSEUM] in second and TITLES[CLIMATE] not in second

    asked = monitor(runner, project, slack, "digest", "--format", "blocks", code=1)
    assert "several groups (linkoping, norrkoping): say which with --group ID" in asked.output
    blocks = json.loads(
        monitor(
            runner, project, slack, "digest", "--format", "blocks", "--group", "norrkoping"
        ).stdout
    )
    assert {m["channel"] for m in blocks} == {"#eu-norrkoping"}
    assert "|norrkoping" in json.dumps(blocks)

    # a preview records nothing: the send still sends both
    monitor(runner, project, slack, "digest", "--send")
    assert in_channel(slack, "#eu-linkoping") and in_channel(slack, "#eu-norrkoping")


def test_a_group_whose_notifier_is_not_set_up_is_reported_and_the_other_still_sent(
    runner, tmp_path, monkeypatch, slack, smtp
):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    project = write_project(tmp_path, smtp, '[groups.notify]\nsend = ["teams"]\n')
    result = monitor(runner, project, slack, "digest", "--send", code=1)
    assert "Error: Teams is not set up" in result.stderr
    assert TITLES[CLIMATE] in in_channel(slack, "#eu-linkoping")
    assert in_channel(slack, "#eu-norrkoping") == "" and mail_to(smtp, NORRKOPING_MAIL) == []


def test_serves_weekly_job_sends_every_groups_digest_and_logs_each_by_name(project, slack):
    from monitor.schedule import weekly_digest

    config = load_config(project, environ=environment(slack), kinds=KINDS)
    store = open_store(project.parent / "monitor.db")
    try:
        said = weekly_digest(config, store, Clock(TODAY))
    finally:
        store.close()
    assert "Linköpings kommun (linkoping): Sent the digest to Slack" in said
    assert "Norrköpings kommun (norrkoping): Sent the digest to Slack" in said
    assert TITLES[CLIMATE] in in_channel(slack, "#eu-linkoping")
    assert TITLES[MUSEUM] in in_channel(slack, "#eu-norrkoping")


def test_run_prints_every_groups_digest_under_its_heading_when_none_is_sent(
    runner, write_config, live_portal, snapshot_day
):
    from helpers.portal_emulator import portal_config

    groups = '\n[[groups]]\nid = "linkoping"\nname = "Linköpings kommun"\n'
    groups += '\n[[groups]]\nid = "norrkoping"\nname = "Norrköpings kommun"\n'
    path = write_config(portal_config(live_portal.base_url) + groups)
    result = runner.invoke(cli, ["--config", str(path), "run"])
    assert result.exit_code == 0, result.output
    linkoping, norrkoping = result.stdout.split("== Norrköpings kommun (norrkoping) ==")
    assert "== Linköpings kommun (linkoping) ==" in linkoping
    assert "EU-bevakning för Linköpings kommun, vecka" in linkoping
    assert "EU-bevakning för Norrköpings kommun, vecka" in norrkoping


def test_a_resent_message_goes_to_the_webhook_of_its_digests_group(runner, tmp_path, monkeypatch):
    import re

    from helpers.fake_teams import FakeTeams

    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    config = tmp_path / "sources.toml"
    config.write_text(
        '[settings]\ndatabase = "monitor.db"\n\n'
        '[[groups]]\nid = "linkoping"\nname = "Linköpings kommun"\n'
        '[groups.teams]\nwebhook_env = "TEAMS_WEBHOOK_URL_LINKOPING"\n'
        '[groups.notify]\nsend = ["teams"]\n\n'
        '[[groups]]\nid = "norrkoping"\nname = "Norrköpings kommun"\n'
        '[groups.teams]\nwebhook_env = "TEAMS_WEBHOOK_URL_NORRKOPING"\n'
        '[groups.notify]\nsend = ["teams"]\n\n'
        '[[sources]]\nid = "eu-portal"\nkind = "eu_portal"\nname = "EU portal"\n',
        encoding="utf-8",
    )
    add_calls(config, list(TITLES.values()), areas=())
    judge(tmp_path / "monitor.db", "linkoping", [CLIMATE], ["klimat-miljo"])
    judge(tmp_path / "monitor.db", "norrkoping", [MUSEUM], ["kultur"])
    with FakeTeams() as linkoping, FakeTeams() as norrkoping:
        env = {
            "TEAMS_WEBHOOK_URL_LINKOPING": linkoping.webhook_url,
            "TEAMS_WEBHOOK_URL_NORRKOPING": norrkoping.webhook_url,
        }
        norrkoping.fail_next("drop_answer")  # Norrköping's card arrives, its answer is lost
        sent = runner.invoke(cli, ["--config", str(config), "digest", "--send"], env=env)
        assert sent.exit_code == 0, sent.output
        assert TITLES[CLIMATE] in json.dumps(linkoping.cards[0].card, ensure_ascii=False)
        (ref,) = re.findall(r"`monitor digest --resend (\S+)`", sent.stderr)
        before = (len(linkoping.cards), len(norrkoping.cards))
        resent = runner.invoke(cli, ["--config", str(config), "digest", "--resend", ref], env=env)
        assert resent.exit_code == 0, resent.output
        assert (len(linkoping.cards), len(norrkoping.cards)) == (before[0], before[1] + 1)
        assert TITLES[MUSEUM] in json.dumps(norrkoping.cards[-1].card, ensure_ascii=False)


def test_a_group_with_its_own_rules_names_its_areas_as_they_do(runner, tmp_path, monkeypatch, smtp):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    project = write_project(tmp_path, smtp, "")
    own = tmp_path / "rules" / "norrkoping"
    own.mkdir()
    kultur = (tmp_path / "rules" / "kultur.toml").read_text(encoding="utf-8")
    assert 'name = "Kultur och fritid"' in kultur
    replaced = kultur.replace('name = "Kultur och fritid"', 'name = "Kultur och evenemang"')
    (own / "kultur.toml").write_text(replaced, encoding="utf-8")
    text = project.read_text(encoding="utf-8")
    text = text.replace(
        'name = "Norrköpings kommun"\n', 'name = "Norrköpings kommun"\nrules = "rules/norrkoping"\n'
    )
    project.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["--config", str(project), "digest", "--group", "norrkoping"])
    assert result.exit_code == 0, result.output
    assert "Kultur och evenemang" in result.stdout and "Kultur och fritid" not in result.stdout

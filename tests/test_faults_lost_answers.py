"""A webhook's lost answer (Slack's incoming webhook, Teams' Workflows webhook): the message may
have arrived and nothing can be asked, so the rerun posts nothing twice; the ledger marks it
uncertain, says so once, and `monitor digest --resend` sends it again when the admin asks.
Through `monitor digest --send`, local fakes that take a message and then drop the connection,
and the ledger; no test waits (the `send_waits` fixture records the waits)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import monitor.digest.deliver
from helpers.fake_slack import FakeSlack
from helpers.fake_teams import FakeTeams
from helpers.smtp_server import SmtpServer
from helpers.stored_calls import SLACK_CHANNEL, TODAY, add_calls, portal_project
from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RESEND = re.compile(r"`monitor digest --resend (\S+)`")


class Killed(BaseException):
    """The process killed: no handler of the program catches it."""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    config = portal_project(tmp_path, SLACK_CHANNEL)
    add_calls(config, ["Climate adaptation of schools"])
    return config


class Webhook:
    """One of the two webhooks, as the tests need it: the fake, its env and what it posted."""

    def __init__(self, name: str, fake: FakeSlack | FakeTeams) -> None:
        self.name = name
        self.fake = fake

    @property
    def env(self) -> dict[str, str]:
        empty = {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": "", "TEAMS_WEBHOOK_URL": ""}
        if isinstance(self.fake, FakeSlack):
            return empty | {"SLACK_WEBHOOK_URL": self.fake.webhook_url}
        return empty | {"TEAMS_WEBHOOK_URL": self.fake.webhook_url}

    @property
    def posted(self) -> int:
        if isinstance(self.fake, FakeSlack):
            return len(self.fake.webhook_posts)
        return len(self.fake.cards)

    def drop_first_answer(self) -> None:
        if isinstance(self.fake, FakeSlack):
            self.fake.fail_on_call(1, "drop_answer", method="webhook")
        else:
            self.fake.fail_next("drop_answer")


@pytest.fixture(params=["slack", "teams"])
def webhook(request, send_waits):
    if request.param == "slack":
        with FakeSlack(channels={"#eu-bevakning": "C0001"}) as fake:
            yield Webhook("Slack", fake)
    else:
        with FakeTeams() as fake:
            yield Webhook("Teams", fake)


def digest(runner, config, env, *args):
    return runner.invoke(cli, ["--config", str(config), "digest", *args], env=env)


def test_an_answer_lost_after_the_webhook_took_it_is_not_posted_again_until_asked(
    runner, project, webhook
):
    webhook.drop_first_answer()
    first = digest(runner, project, webhook.env, "--send")
    assert first.exit_code == 0, first.output
    assert "Varning: meddelande 1 av " in first.stderr
    assert f"till {webhook.name}" in first.stderr
    assert "kan ha kommit fram men svaret kom aldrig" in first.stderr
    assert "kontrollera kanalen" in first.stderr
    posted = webhook.posted  # the dropped one and the rest of the digest, each once
    assert posted >= 1

    again = digest(runner, project, webhook.env, "--send")
    assert again.exit_code == 0, again.output
    assert "ingenting skickades" in again.stdout
    assert "kan ha kommit fram" not in again.stderr  # said once
    assert webhook.posted == posted

    (ref,) = RESEND.findall(first.stderr)
    resent = digest(runner, project, webhook.env, "--resend", ref)
    assert resent.exit_code == 0, resent.output
    assert f"to {webhook.name} again" in resent.stdout
    assert webhook.posted == posted + 1
    twice = digest(runner, project, webhook.env, "--resend", ref)
    assert twice.exit_code == 1 and "not uncertain" in twice.stderr
    assert webhook.posted == posted + 1


def test_a_send_killed_before_the_receipt_was_kept_is_not_posted_again(
    runner, project, webhook, monkeypatch
):
    real = monitor.digest.deliver.mark_posted

    def killed(*args, **kwargs):
        raise Killed  # the webhook has the message; the ledger never hears it

    monkeypatch.setattr(monitor.digest.deliver, "mark_posted", killed)
    with pytest.raises(Killed):
        digest(runner, project, webhook.env, "--send")
    assert webhook.posted == 1

    monkeypatch.setattr(monitor.digest.deliver, "mark_posted", real)
    resumed = digest(runner, project, webhook.env, "--send")
    assert resumed.exit_code == 0, resumed.output
    assert "meddelande 1 av " in resumed.stderr and "(cut-short)" in resumed.stderr
    assert webhook.posted == resumed_posts(webhook, 1)

    again = digest(runner, project, webhook.env, "--send")
    assert "ingenting skickades" in again.stdout and "kan ha kommit" not in again.stderr
    assert webhook.posted == resumed_posts(webhook, 1)


def resumed_posts(webhook: Webhook, before: int) -> int:
    """What the webhook holds once the rest of the digest is sent after the first message."""
    return before + (1 if webhook.name == "Slack" else 0)  # Slack: a top and an area message


def test_resend_names_what_it_cannot_resend(runner, project, send_waits):
    with FakeTeams() as fake:
        env = {"TEAMS_WEBHOOK_URL": fake.webhook_url, "SLACK_WEBHOOK_URL": ""}
        env |= {"SLACK_BOT_TOKEN": ""}
        assert digest(runner, project, env, "--send").exit_code == 0
        sent = digest(runner, project, env, "--resend", "1/teams/1")
        assert sent.exit_code == 1 and "was sent (teams-run-" in sent.stderr
        for ref, said in [
            ("1/teams", "DIGEST/NOTIFIER/N"),
            ("9/teams/1", "there is no digest 9"),
            ("1/teams/5", "not a message 5"),
        ]:
            result = digest(runner, project, env, "--resend", ref)
            assert result.exit_code == 1 and said in result.stderr, result.output
        both = digest(runner, project, env, "--resend", "1/teams/1", "--send")
        assert both.exit_code == 2 and "use it alone" in both.stderr
        assert len(fake.cards) == 1


def test_e_mail_killed_before_its_receipt_is_sent_again_with_the_same_message_id(
    runner, project, send_waits, monkeypatch
):
    # At least once: a mail program folds the copy by its Message-ID.
    with SmtpServer() as smtp:
        project.write_text(
            project.read_text()
            + f'\n[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\nstarttls = false\n'
            'from = "bevakning@kommun.se"\nto = ["eu@kommun.se"]\n'
        )
        env = {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": "", "TEAMS_WEBHOOK_URL": ""}

        def killed(*args, **kwargs):
            raise Killed

        real = monitor.digest.deliver.mark_posted
        monkeypatch.setattr(monitor.digest.deliver, "mark_posted", killed)
        with pytest.raises(Killed):
            digest(runner, project, env, "--send")
        monkeypatch.setattr(monitor.digest.deliver, "mark_posted", real)
        resumed = digest(runner, project, env, "--send")
        assert resumed.exit_code == 0, resumed.output
        assert "kan ha kommit" not in resumed.stderr
        ids = [str(r.message["Message-ID"]) for r in smtp.received]
        assert len(ids) == 2 and ids[0] == ids[1]

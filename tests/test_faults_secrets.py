"""No secret in any log line: with -v, a failing Slack webhook, a Slack bot, a Teams webhook
and an SMTP login print neither the webhook addresses, the token nor the password, though
slack-sdk and httpx log request URLs. Through the real `monitor` process where nothing is
retried (so nothing waits), and in-process at DEBUG (libraries' most talkative level) where
the retries' waits go through `send_waits`."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.fake_slack import WEBHOOK_PATH, FakeSlack
from helpers.fake_teams import SIGNATURE, FakeTeams
from helpers.smtp_server import SmtpServer
from helpers.stored_calls import TODAY, TOKEN, add_calls
from monitor.cli import cli
from monitor.redact import Redactor

MONITOR = Path(sys.executable).parent / "monitor"
PASSWORD = "hemligt-lösen-42"


@pytest.fixture
def project(tmp_path):
    def make(notifier: str, extra: str = "") -> Path:
        config = tmp_path / "sources.toml"
        config.write_text(
            f'[settings]\ndatabase = "monitor.db"\nrules = "none"\n\n[notify]\n'
            f'send = ["{notifier}"]\n\n[slack]\nchannel = "#eu-bevakning"\n{extra}\n'
            '[[sources]]\nid = "eu-portal"\nkind = "eu_portal"\nname = "EU portal"\n'
        )
        add_calls(config, ["Climate adaptation of schools"])
        return config

    return make


def monitor_v(config: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    return subprocess.run(
        [str(MONITOR), "-v", "--config", str(config), "digest", "--send"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "MONITOR_TODAY": TODAY.isoformat(), **env},
    )


def test_a_refusing_teams_webhook_shows_no_signature_at_v(project):
    config = project("teams", "\n[teams]\n")
    with FakeTeams() as teams:
        teams.fail_next(400)
        result = monitor_v(config, {"TEAMS_WEBHOOK_URL": teams.webhook_url})
    assert result.returncode == 1
    assert "HTTP Request: POST" in result.stderr  # httpx did log the request, masked
    assert SIGNATURE not in result.stderr + result.stdout


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_a_refused_smtp_login_shows_no_password_at_v(project):
    with SmtpServer(logins={"eu-bevakning": "the-right-one"}) as smtp:
        email = (
            f'\n[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\nstarttls = false\n'
            'from = "EU-bevakning <eu@kommun.example>"\nto = ["grupp@kommun.example"]\n'
        )
        config = project("email", email)
        env = {"MONITOR_SMTP_USER": "eu-bevakning", "MONITOR_SMTP_PASSWORD": PASSWORD}
        result = monitor_v(config, env)
    assert result.returncode == 1
    assert PASSWORD not in result.stderr + result.stdout


@pytest.mark.parametrize("failure", ["server_error", "connection_reset"])
def test_a_failing_slack_webhook_or_bot_logs_no_secret_even_at_debug(
    runner, project, send_waits, caplog, monkeypatch, failure
):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    caplog.set_level(logging.DEBUG)
    config = project("slack")
    with FakeSlack(tokens={TOKEN}) as slack:
        slack.fail_next(failure, times=10)
        bot = runner.invoke(
            cli,
            ["-v", "--config", str(config), "digest", "--send"],
            env={"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack.api_url},
        )
        hook = runner.invoke(  # resumes the digest the bot could not send
            cli,
            ["-v", "--config", str(config), "digest", "--send"],
            env={"SLACK_WEBHOOK_URL": slack.webhook_url, "SLACK_BOT_TOKEN": ""},
        )
        base_url = slack.base_url
    # a webhook's connection reset after the post is a lost answer: marked uncertain, not failed
    assert bot.exit_code == 1 and hook.exit_code == (1 if failure == "server_error" else 0)
    assert slack.call_count("webhook") > 0
    said = caplog.text + hook.output + bot.output
    assert base_url in caplog.text  # slack-sdk did log its requests, masked
    assert WEBHOOK_PATH not in said and TOKEN not in said


def test_secrets_look_like_themselves_whatever_their_values():
    redact = Redactor(["s3cret-value"])
    line = (
        "POST https://hooks.slack.com/services/T0/B0/abc token=xoxb-1-2-abc xapp-1-A-9 "
        "https://x.logic.azure.com/workflows/1/triggers?api-version=1&sig=AbC%2F&sp=1 s3cret-value"
    )
    masked = redact(line)
    for secret in ("T0/B0/abc", "xoxb-1-2-abc", "xapp-1-A-9", "AbC%2F", "s3cret-value"):
        assert secret not in masked
    assert "api-version=1" in masked and "&sp=1" in masked

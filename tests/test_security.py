"""Secrets stay secret; nothing from a source becomes a Slack command or a non-web link."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.stored_calls import TODAY, add_calls
from monitor.cli import cli
from monitor.config import load_config
from monitor.sources.kinds import KINDS

SECRET = "xoxb-0000-secret-token-do-not-leak"


@pytest.fixture
def project(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", tmp_path / "rules")
    config = tmp_path / "sources.toml"
    config.write_text(
        '[settings]\ndatabase = "monitor.db"\n\n[slack]\nchannel = "#eu-bevakning"\n\n'
        '[[sources]]\nid = "eu-portal"\nkind = "eu_portal"\n'
    )
    add_calls(config, ["Climate adaptation of schools"])
    return config


def test_the_token_is_in_no_log_error_database_or_export(runner, project, caplog):
    caplog.set_level(logging.DEBUG)
    with FakeSlack(tokens={SECRET}, channels={"#eu-bevakning": "C0001"}) as slack:
        slack.fail_on_call(2, "not_in_channel")
        env = {"SLACK_BOT_TOKEN": SECRET, "SLACK_API_URL": slack.api_url, "SLACK_WEBHOOK_URL": ""}
        failed = runner.invoke(cli, ["-v", "--config", str(project), "digest", "--send"], env=env)
        sent = runner.invoke(cli, ["-v", "--config", str(project), "digest", "--send"], env=env)
    assert failed.exit_code == 1 and sent.exit_code == 0
    exported = runner.invoke(cli, ["--config", str(project), "export"], env=env)
    for text in (failed.output, sent.output, exported.output, caplog.text):
        assert SECRET not in text
    for path in project.parent.glob("monitor.db*"):
        assert SECRET.encode() not in path.read_bytes()
    config = load_config(project, environ={"SLACK_BOT_TOKEN": SECRET}, kinds=KINDS)
    assert config.slack.token == SECRET and SECRET not in repr(config)


@pytest.mark.usefixtures("send_waits")  # the refused connection is retried, without waiting
def test_a_webhook_url_is_a_secret_too(runner, project):
    secret_hook = "http://127.0.0.1:9/services/T000/B000/secret-hook-path"
    env = {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": secret_hook}
    result = runner.invoke(cli, ["-v", "--config", str(project), "digest", "--send"], env=env)
    assert result.exit_code == 1
    assert "could not reach Slack" in result.output
    assert "secret-hook-path" not in result.output
    assert "secret-hook-path" not in repr(load_config(project, environ=env, kinds=KINDS))

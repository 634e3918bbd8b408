"""`monitor digest` without Slack: the preview a municipal officer reads, in three formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers.portal_emulator import portal_config
from monitor.cli import cli
from monitor.store import open_store

ROOT = Path(__file__).resolve().parent.parent
NO_SLACK = {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": ""}


@pytest.fixture
def stored(runner, write_config, live_portal, tmp_path, snapshot_day):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    path = write_config(portal_config(live_portal.base_url, extra="", settings=""))
    path.write_text(path.read_text() + '\n[slack]\nchannel = "#eu-bevakning"\n')
    result = runner.invoke(cli, ["--config", str(path), "run", "--no-digest"], env=NO_SLACK)
    assert result.exit_code == 0, result.output
    return path


def test_preview_in_swedish_text(runner, stored):
    result = runner.invoke(cli, ["--config", str(stored), "digest"], env=NO_SLACK)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("EU-bevakning vecka ")
    assert "• Nya utlysningar: " in result.stdout
    assert "Klimat och miljö: " in result.stdout
    assert "Sista dag " in result.stdout and "Källa: EU Funding & Tenders Portal" in result.stdout
    assert "<https://" not in result.stdout  # links are readable, not Slack markup


def test_markdown_to_a_file_and_blocks_as_json(runner, stored, tmp_path):
    out = tmp_path / "digest.md"
    args = ["--config", str(stored), "digest", "--format", "markdown", "--output", str(out)]
    result = runner.invoke(cli, args, env=NO_SLACK)
    assert result.exit_code == 0, result.output
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("# EU-bevakning vecka ")
    assert "\n## Klimat och miljö: " in markdown
    assert "](https://ec.europa.eu/" in markdown

    blocks = runner.invoke(
        cli, ["--config", str(stored), "digest", "--format", "blocks"], env=NO_SLACK
    )
    messages = json.loads(blocks.stdout)
    assert messages[0]["thread_of"] is None and messages[0]["channel"] == "#eu-bevakning"
    assert all(m["thread_of"] == "top" for m in messages[1:])
    assert all(len(m["blocks"]) <= 50 for m in messages)


def test_since_widens_the_period(runner, stored):
    args = ["--config", str(stored), "digest", "--since", "2026-01-01"]
    result = runner.invoke(cli, args, env=NO_SLACK)
    assert "Nytt sedan 1 jan 2026." in result.stdout


def test_english_digest(runner, stored):
    stored.write_text(stored.read_text().replace("[settings]", '[settings]\nlanguage = "en"'))
    result = runner.invoke(cli, ["--config", str(stored), "digest"], env=NO_SLACK)
    assert result.stdout.startswith("EU monitoring week ")
    assert "Deadline " in result.stdout


def test_send_without_slack_says_what_to_set(runner, stored):
    result = runner.invoke(cli, ["--config", str(stored), "digest", "--send"], env=NO_SLACK)
    assert result.exit_code == 1
    assert "no notifier is set up" in result.output
    for named in ("Slack: set SLACK_BOT_TOKEN", "Teams: set TEAMS_WEBHOOK_URL", "e-mail: add an"):
        assert named in result.output
    assert open_store(stored.parent / "monitor.db").db["digests"].count == 0  # none to resume

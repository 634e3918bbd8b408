"""The digest after failed runs: it names the sources that failed, and never says "nothing new"
when nothing could be fetched."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from helpers.portal_emulator import portal_config
from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
NO_SLACK = {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": ""}


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def offline_source(source_id: str, name: str) -> str:
    url = closed_url()
    return f"""
[[sources]]
id = "{source_id}"
kind = "eu_portal"
name = "{name}"
url = "{url}/search"
facet_url = "{url}/facet"
"""


@pytest.fixture
def project(tmp_path, snapshot_day) -> Path:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path


def run_then_digest(runner, config: Path, *digest_args: str) -> str:
    ran = runner.invoke(cli, ["--config", str(config), "run", "--no-digest"], env=NO_SLACK)
    assert ran.exit_code == 3, ran.output  # a source failed
    result = runner.invoke(cli, ["--config", str(config), "digest", *digest_args], env=NO_SLACK)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_an_offline_run_says_every_source_failed_not_nothing_new(runner, write_config, project):
    offline = closed_url()
    config = write_config(portal_config(offline) + offline_source("interreg", "Interreg Östersjön"))
    text = run_then_digest(runner, config)
    assert "Inget nytt" not in text
    assert (
        "Inga nya utlysningar kunde hämtas: alla källor misslyckades senast "
        "(EU Funding & Tenders Portal, Interreg Östersjön)."
    ) in text
    assert "Källor som inte fungerar (2)" in text
    assert "Interreg Östersjön (interreg): hämtningen misslyckades senast: kunde inte ansluta" in (
        text
    )

    config.write_text(config.read_text().replace("[settings]", '[settings]\nlanguage = "en"'))
    english = runner.invoke(cli, ["--config", str(config), "digest"], env=NO_SLACK).stdout
    assert "Nothing new" not in english
    assert "No new calls could be fetched: every source failed its last run (" in english


def test_a_partly_failing_run_names_the_failing_source(runner, write_config, live_portal, project):
    config = write_config(
        portal_config(live_portal.base_url) + offline_source("interreg", "Interreg Östersjön")
    )
    text = run_then_digest(runner, config)
    assert "• Nya utlysningar: " in text  # the portal's calls came in
    assert "alla källor misslyckades" not in text
    assert "Källor som inte fungerar (1)" in text
    problem = next(line for line in text.splitlines() if "Interreg Östersjön (interreg)" in line)
    assert "hämtningen misslyckades senast: kunde inte ansluta till 127.0.0.1" in problem
    assert problem.endswith("(har aldrig fungerat)")
    assert "EU Funding & Tenders Portal (eu-portal)" not in text  # it worked

"""The digest after failed runs: it names the sources that failed, and never says "nothing new"
when nothing could be fetched."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.fault_server import FaultServer, respond
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


@pytest.fixture
def html_instead_of_feed() -> Iterator[str]:
    """A loopback server answering a real news page (Region Östergötland's, from
    tests/fixtures/html) where a feed was configured: what a site gives after a redesign."""
    page = (ROOT / "tests/fixtures/html/region_ostergotland_aktuellt.html").read_bytes()
    html = {"Content-Type": "text/html; charset=utf-8"}
    with FaultServer() as server:
        server.route("/rss.xml")(lambda request, conn: respond(conn, 200, page, html))
        yield server.url("/rss.xml")


def test_why_a_source_stopped_working_is_said_in_swedish(
    runner, write_config, live_portal, project, html_instead_of_feed
):
    feed = '\n[[sources]]\nid = "ro-nyheter"\nkind = "rss"\nname = "Region Östergötland"\n'
    feed += f'url = "{html_instead_of_feed}"\n'
    config = write_config(portal_config(live_portal.base_url) + feed)
    text = run_then_digest(runner, config)
    problem = next(line for line in text.splitlines() if "Region Östergötland (ro-nyheter)" in line)
    assert (
        "hämtningen misslyckades senast: svaret är inte ett RSS- eller Atom-flöde: "
        "det är en HTML-sida (text/html)"
    ) in problem

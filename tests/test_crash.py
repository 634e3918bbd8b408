"""A process killed in the middle (SIGKILL) and started again: the database stays consistent and
no digest is sent twice."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.fault_server import FaultServer, respond, trickle_body
from helpers.portal_emulator import portal_config
from helpers.stored_calls import TODAY, TOKEN, add_calls

MONITOR = Path(sys.executable).parent / "monitor"


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [str(MONITOR), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": "", **(env or {})},
    )


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never came true")
        time.sleep(0.02)


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_a_run_killed_mid_fetch_leaves_a_consistent_database(write_config, portal, tmp_path):
    original = portal.handle
    third_page_asked = threading.Event()

    def slow_third_page(method, url, content_type, body):
        if "pageNumber=3" in url:
            third_page_asked.set()
            time.sleep(30)  # the process is killed long before this answers
        return original(method, url, content_type, body)

    portal.handle = slow_third_page
    with portal.serve() as server:
        config = write_config(portal_config(server.base_url))
        process = start(["--config", str(config), "run", "--no-digest"])
        wait_for(third_page_asked.is_set)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)  # reaps it and closes its pipes
        database = tmp_path / "monitor.db"
        assert integrity(database) == "ok"
        with sqlite3.connect(database) as conn:
            # The source's items are written in one transaction at its end: none are half there.
            assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM runs WHERE finished IS NULL").fetchone()[0]
        portal.handle = original
        again = start(["--config", str(config), "run", "--no-digest"])
        out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert "341 items, 341 new, 0 changed" in out
    assert integrity(database) == "ok"


def test_a_send_killed_midway_is_resumed_and_no_message_is_posted_twice(project_with_calls):
    config, slack = project_with_calls
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack.api_url}
    slack.fail_on_call(3, "hang")  # Slack holds the third message; the process dies waiting
    process = start(["--config", str(config), "digest", "--send"], env)
    wait_for(lambda: slack.call_count() >= 3)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)  # reaps it and closes its pipes
    slack.release()
    assert len(slack.messages) == 2
    assert integrity(config.parent / "monitor.db") == "ok"

    resumed = start(["--config", str(config), "digest", "--send"], env)
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    assert "Resuming the digest" in err
    (top,) = slack.top_level("#eu-bevakning")
    replies = slack.replies("#eu-bevakning", top.ts)
    assert len(replies) == len(slack.messages) - 1
    shown = re.findall(r"LIFE-2027-CALL-\d{3}(?=\|)", slack.all_text())
    assert len(shown) == len(set(shown)) == 150  # every call once, none twice

    before = len(slack.messages)
    third = start(["--config", str(config), "digest", "--send"], env)
    out, _ = third.communicate(timeout=60)
    assert "Inget nytt sedan" in out and len(slack.messages) == before


def test_serve_stops_on_sigterm_while_a_source_trickles(tmp_path):
    # The request deadline is a minute, so only the stop itself can end the fetch in hand; the
    # source beside it was stored and stays stored.
    feed = (Path(__file__).parent / "fixtures" / "rss" / "eurocities_feed.xml").read_bytes()
    with FaultServer() as server:
        server.route("/good.xml")(lambda r, c: respond(c, 200, feed))
        server.route("/trickle")(trickle_body)
        config = tmp_path / "sources.toml"
        config.write_text(
            '[settings]\ndatabase = "monitor.db"\ntimeout = 60\nhost_delay = 0\n'
            "allow_private = true\n\n"
            f'[[sources]]\nid = "good"\nkind = "rss"\nurl = "{server.url("/good.xml")}"\n\n'
            f'[[sources]]\nid = "trickle"\nkind = "rss"\nurl = "{server.url("/trickle")}"\n'
        )
        process = start(["--config", str(config), "serve"])
        try:
            database = tmp_path / "monitor.db"
            wait_for(lambda: server.hits.get("/trickle") and _logged(database) == ["good"])
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=20)  # ends long before the minute's deadline
        finally:
            process.kill()
    assert process.returncode == 0, err
    assert "SIGTERM received: stopping the fetch in hand" in err
    assert "the fetch was stopped before every source was done" in err
    assert "monitor serve stopped" in err
    assert _logged(database) == ["good"] and integrity(database) == "ok"


def _logged(database: Path) -> list[str]:
    try:
        with sqlite3.connect(database) as conn:
            return [row[0] for row in conn.execute("SELECT source FROM fetch_log")]
    except sqlite3.Error:
        return []


@pytest.fixture
def project_with_calls(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())  # the sends see the calls' day
    root = Path(__file__).resolve().parent.parent
    shutil.copytree(root / "rules", tmp_path / "rules")
    config = tmp_path / "sources.toml"
    config.write_text(
        '[settings]\ndatabase = "monitor.db"\n\n[slack]\nchannel = "#eu-bevakning"\n\n'
        '[[sources]]\nid = "eu-portal"\nkind = "eu_portal"\nname = "EU Funding & Tenders Portal"\n'
    )
    add_calls(config, [f"Climate adaptation measure {n} " * 5 for n in range(150)])
    with FakeSlack(tokens={TOKEN}, channels={"#eu-bevakning": "C0001"}) as slack:
        yield config, slack

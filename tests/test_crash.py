"""A process killed in the middle (SIGKILL) and started again, stopped by SIGTERM, or meeting a
database another program holds: the database stays consistent, nothing fetched is lost and no
digest is sent twice."""

from __future__ import annotations

import logging
import os
import re
import shutil
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
from monitor.cli import cli
from monitor.store import open_store

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
    assert "341 poster, 341 nya, 0 ändrade" in out
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


@pytest.mark.parametrize("rules", [False, True])
def test_serve_stops_on_sigterm_while_a_source_trickles(tmp_path, rules):
    # The request deadline is a minute, so only the stop itself can end the fetch in hand; the
    # source beside it was stored and stays stored, and with rules it was judged too (each
    # batch of sources is matched once it is stored, not after the whole fetch).
    feed = (Path(__file__).parent / "fixtures" / "rss" / "eurocities_feed.xml").read_bytes()
    if rules:
        shutil.copytree(Path(__file__).resolve().parent.parent / "rules", tmp_path / "rules")
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
    with sqlite3.connect(database) as conn:
        judged = "SELECT count(*) FROM items WHERE matched_at IS NOT NULL"
        assert conn.execute(judged).fetchone()[0] == (3 if rules else 0)


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


# -- a database held by another program -----------------------------------------------------

FEED = (Path(__file__).parent / "fixtures" / "rss" / "eurocities_feed.xml").read_bytes()


def feed_config(folder: Path, url: str) -> Path:
    config = folder / "sources.toml"
    config.write_text(
        '[settings]\ndatabase = "monitor.db"\nretries = 0\nhost_delay = 0\n'
        f'allow_private = true\n\n[[sources]]\nid = "feed"\nkind = "rss"\nurl = "{url}"\n'
    )
    open_store(folder / "monitor.db").close()  # made and migrated before anyone holds it
    return config


def holder(database: Path) -> sqlite3.Connection:
    """Another program's connection (an admin's sqlite3 shell), usable from any thread."""
    return sqlite3.connect(database, isolation_level=None, check_same_thread=False)


class OnWaiting(logging.Handler):
    """Calls `then` when the store says it waits for the database."""

    def __init__(self, then) -> None:
        super().__init__()
        self.then, self.times = then, 0

    def emit(self, record: logging.LogRecord) -> None:
        if "används av ett annat program" in record.getMessage():
            self.times += 1
            self.then()


@pytest.fixture
def short_waits(monkeypatch):
    import monitor.store.busy

    monkeypatch.setattr(monitor.store.busy, "ATTEMPT", 0.1)  # SQLite's busy_timeout at a time
    monkeypatch.setattr(monitor.store.busy, "BUSY_WAIT", 1.0)
    return monitor.store.busy


def test_a_run_waits_for_a_write_lock_taken_mid_run_and_then_stores_everything(
    tmp_path, runner, short_waits
):
    # The admin's shell takes the write lock while the feed is being fetched: the source's
    # transaction waits, says so, and is stored once the shell lets go.
    shell = holder(tmp_path / "monitor.db")
    with FaultServer() as server:

        @server.route("/feed.xml")
        def feed(request, conn):
            shell.execute("BEGIN IMMEDIATE")
            shell.execute("INSERT INTO cache (name, value, updated) VALUES ('x', '1', 'now')")
            respond(conn, 200, FEED)

        waiting = OnWaiting(lambda: shell.execute("ROLLBACK"))
        logging.getLogger("monitor.store.busy").addHandler(waiting)
        try:
            result = runner.invoke(
                cli, ["--config", str(feed_config(tmp_path, server.url("/feed.xml"))), "run"]
            )
        finally:
            logging.getLogger("monitor.store.busy").removeHandler(waiting)
    assert result.exit_code == 0, result.output
    assert waiting.times == 1  # it did wait for the shell
    assert "feed  3 poster, 3 nya, 0 ändrade" in result.output
    assert open_store(tmp_path / "monitor.db").db["items"].count == 3


def test_a_run_against_a_database_held_throughout_fails_with_one_line_and_fetches_nothing(
    tmp_path, runner, short_waits
):
    with FaultServer() as server:
        server.route("/feed.xml")(lambda r, c: respond(c, 200, FEED))
        config = feed_config(tmp_path, server.url("/feed.xml"))
        shell = holder(tmp_path / "monitor.db")
        shell.execute("BEGIN IMMEDIATE")
        held = runner.invoke(cli, ["--config", str(config), "run", "--no-digest"])
        shell.execute("ROLLBACK")
        assert server.hits == {}  # it gave up before fetching: nothing fetched was lost
        again = runner.invoke(cli, ["--config", str(config), "run", "--no-digest"])
    assert held.exit_code == 1
    *_, line = held.output.strip().splitlines()  # (after the warning that rules/ is missing)
    assert line.startswith("Fel: databasen har använts av ett annat program i mer än 1 s: ")
    assert "monitor.db; avsluta det andra programmets transaktion" in line
    assert again.exit_code == 0 and "3 poster, 3 nya" in again.output


def test_rules_reapply_takes_the_run_lock(tmp_path, runner, monkeypatch):
    import monitor.cli.rules
    from monitor.lock import run_lock

    monkeypatch.setattr(monitor.cli.rules, "LOCK_WAIT", 0.1)
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", tmp_path / "rules")
    config = feed_config(tmp_path, "http://127.0.0.1:9/feed.xml")
    with run_lock(tmp_path / "monitor.db", wait=0):  # a run is writing
        held = runner.invoke(cli, ["--config", str(config), "rules", "reapply"])
    assert held.exit_code == 1
    assert "Fel: en annan körning skriver till" in held.output
    free = runner.invoke(cli, ["--config", str(config), "rules", "reapply"])
    assert free.exit_code == 0 and "Matchade 0 poster igen" in free.output


def test_search_reads_while_another_program_holds_the_write_lock(tmp_path, runner):
    with FaultServer() as server:
        server.route("/feed.xml")(lambda r, c: respond(c, 200, FEED))
        config = feed_config(tmp_path, server.url("/feed.xml"))
        assert runner.invoke(cli, ["--config", str(config), "run", "--no-digest"]).exit_code == 0
    shell = holder(tmp_path / "monitor.db")
    shell.execute("BEGIN IMMEDIATE")
    try:
        found = runner.invoke(cli, ["--config", str(config), "search", "--format", "json"])
    finally:
        shell.execute("ROLLBACK")
    assert found.exit_code == 0, found.output
    assert found.output.count('"id"') == 3


def test_read_only_commands_open_read_only_and_an_old_database_is_still_migrated(tmp_path):
    from helpers.old_databases import version_4_with_one_call
    from monitor.store.schema import MIGRATIONS

    old = version_4_with_one_call(tmp_path / "old.db", summary="Cities adapting to floods")
    old.close()
    migrated = open_store(tmp_path / "old.db", read_only=True)  # needs migrating: opened to write
    assert migrated.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    migrated.close()
    reader = open_store(tmp_path / "old.db", read_only=True)  # current now: read-only
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.db.execute("DELETE FROM items")
    assert reader.db["items"].count == 1


def test_search_works_on_a_read_only_file_system(tmp_path):
    with FaultServer() as server:
        server.route("/feed.xml")(lambda r, c: respond(c, 200, FEED))
        config = feed_config(tmp_path, server.url("/feed.xml"))
        # A process of its own: its exit closes the database, folding the WAL back in.
        ran = subprocess.run([MONITOR, "--config", config, "run", "--no-digest"], check=True)
    assert ran.returncode == 0 and not (tmp_path / "monitor.db-wal").exists()
    search = f"{MONITOR} --config {config} search --format json"
    mount = f"mount --bind -o ro {tmp_path} {tmp_path}"
    if (
        shutil.which("unshare") is None
        or subprocess.run(
            ["unshare", "-m", "sh", "-c", f"{mount} && ! touch {tmp_path}/probe"],
            capture_output=True,
        ).returncode
    ):
        pytest.skip("no private mount namespace here to make a read-only file system")
    found = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"{mount} && {search}"], capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.count('"id"') == 3

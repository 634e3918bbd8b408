"""`monitor serve`: the scheduler's jobs driven with a fake clock, the run lock, and signals."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from helpers.portal_emulator import SNAPSHOT_DAY, portal_config
from monitor.cli import cli
from monitor.clock import Clock
from monitor.config import load_config
from monitor.lock import run_lock
from monitor.schedule import Service, build_scheduler, digest_trigger, due_sources, jitter
from monitor.sources.kinds import KINDS
from monitor.store import open_store

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class StoppedClock(Clock):
    """Stands still at `instant` until a test moves it."""

    def __init__(self, instant: datetime) -> None:
        super().__init__()
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


ON_SNAPSHOT_DAY = Clock(SNAPSHOT_DAY)


def no_digest(config, store, clock) -> str:
    return "digest skipped in this test"


@pytest.fixture
def config_path(write_config, live_portal):
    return write_config(portal_config(live_portal.base_url))


def test_the_digest_fires_on_the_weekday_and_hour_in_stockholm_across_dst(write_config):
    config = load_config(
        write_config('[digest]\nweekday = "monday"\ntime = "08:30"\n[settings]\nrules = "r"\n'),
        kinds=KINDS,
    )
    trigger = digest_trigger(config)
    # Summer time starts on Sunday 29 March 2026.
    before = trigger.get_next_fire_time(None, datetime(2026, 3, 20, tzinfo=UTC))
    after = trigger.get_next_fire_time(before, before + timedelta(minutes=1))
    assert [t.astimezone(STOCKHOLM).strftime("%a %d %H:%M") for t in (before, after)] == [
        "Mon 23 08:30",
        "Mon 30 08:30",
    ]
    assert before.astimezone(UTC).hour == 7 and after.astimezone(UTC).hour == 6
    # And back to winter time on Sunday 25 October 2026.
    october = trigger.get_next_fire_time(None, datetime(2026, 10, 24, tzinfo=UTC))
    assert october.astimezone(STOCKHOLM).strftime("%a %d %H:%M") == "Mon 26 08:30"
    assert october.astimezone(UTC).hour == 7


def test_jitter_is_small_and_fixed_per_source():
    six_hours = timedelta(hours=6)
    assert jitter("eu-portal", six_hours) == jitter("eu-portal", six_hours)
    assert timedelta(0) <= jitter("skr", six_hours) <= timedelta(minutes=10)
    assert jitter("a", timedelta(hours=1)) <= timedelta(minutes=3)
    assert len({jitter(f"source-{n}", six_hours) for n in range(20)}) > 10


def test_sources_are_fetched_when_due_on_a_fake_clock(config_path, portal):
    clock = StoppedClock(datetime(2026, 8, 22, 9, 0, tzinfo=UTC))
    service = Service(config_path, None, no_digest, clock)
    first = service.fetch_due()
    assert first[-1] == "Totalt: 1 källa (0 misslyckades), 341 poster, 341 nya, 0 ändrade"
    searches = len(portal.search_requests())
    assert service.fetch_due() == []  # not due again a minute later
    clock.instant += timedelta(hours=5, minutes=59)
    assert service.fetch_due() == []
    clock.instant += timedelta(minutes=12)  # past 6 h and the source's jitter
    assert service.fetch_due()[0].startswith("eu-portal  341 poster, 0 nya")
    assert len(portal.search_requests()) == 2 * searches


def test_a_disabled_source_is_never_due(write_config, live_portal):
    path = write_config(portal_config(live_portal.base_url, extra="enabled = false"))
    config = load_config(path, kinds=KINDS)
    now = datetime(2026, 8, 22, 9, 0, tzinfo=UTC)
    assert due_sources(config, open_store(config.settings.database), now) == []


def test_no_overlap_the_scheduler_skips_while_a_manual_run_holds_the_database(config_path):
    service = Service(config_path, None, no_digest, ON_SNAPSHOT_DAY)
    with run_lock(service.config.settings.database, wait=0):
        assert service.fetch_due() == []
    assert open_store(service.config.settings.database).db["fetch_log"].count == 0
    assert service.fetch_due() != []  # free again: the next minute fetches


def test_a_manual_run_says_clearly_that_a_run_is_in_progress(runner, config_path, tmp_path):
    with run_lock(tmp_path / "monitor.db", wait=0):
        result = runner.invoke(cli, ["--config", str(config_path), "run", "--wait", "0.2"])
    assert result.exit_code == 1
    assert "En annan körning pågår; väntar på att den blir klar …" in result.stderr
    assert "en annan körning skriver till" in result.stderr


def test_jobs_never_overlap_and_are_coalesced(config_path):
    scheduler = build_scheduler(
        Service(config_path, None, no_digest, ON_SNAPSHOT_DAY), BackgroundScheduler
    )
    scheduler.start(paused=True)
    try:
        jobs = scheduler.get_jobs()
        assert {job.id for job in jobs} == {"fetch", "digest"}
        for job in jobs:
            assert job.max_instances == 1 and job.coalesce
        assert scheduler.get_job("digest").misfire_grace_time >= 3600  # late rather than never
    finally:
        scheduler.shutdown(wait=False)


def test_a_bug_in_a_job_is_one_line_in_the_log_without_a_traceback(
    config_path, caplog, monkeypatch
):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("monitor.schedule.fetch_and_match", broken)
    service = Service(config_path, None, no_digest, ON_SNAPSHOT_DAY)
    caplog.set_level(logging.INFO)
    assert service.fetch_due() == []
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == (
        "the fetch failed unexpectedly: ZeroDivisionError: division by zero "
        "(run with -v for details)"
    )
    assert not record.exc_info  # the traceback only with -v
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    service.fetch_due()
    assert any(r.exc_info for r in caplog.records)
    assert service.fetch_due() == []  # the scheduler goes on: the next minute tries again


def test_a_broken_config_edit_keeps_the_last_good_config(config_path, caplog):
    service = Service(config_path, None, no_digest, ON_SNAPSHOT_DAY)
    good = service.config
    config_path.write_text(config_path.read_text() + "\n[[sources]]\nid = 'x'\nkind = 'nope'\n")
    service.reload()
    assert service.config is good
    assert "unknown kind 'nope'" in caplog.text


def test_serve_stops_cleanly_on_sigterm(config_path, tmp_path, snapshot_day):
    # MONITOR_TODAY pins the day months back: the fetch still starts at once (APScheduler runs
    # on the machine's time) and the run is stamped on the pinned day.
    monitor = Path(sys.executable).parent / "monitor"
    process = subprocess.Popen(
        [str(monitor), "--config", str(config_path), "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": ""},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = tmp_path / "monitor.db"
            if state.exists() and b"eu-portal" in _fetch_log(state):
                break
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    # start and stop are news, not warnings; each source's line names it
    assert "INFO monitor.schedule: monitor serve: 1 sources" in stderr
    assert "INFO monitor.schedule: SIGTERM received: stopping the fetch in hand" in stderr
    assert "INFO monitor.schedule: monitor serve stopped" in stderr
    assert "WARNING" not in stderr, stderr
    assert "INFO monitor.schedule: source eu-portal: 341 items, 341 new" in stderr, stderr
    store = open_store(tmp_path / "monitor.db")
    assert [r["started"][:10] for r in store.db["runs"].rows] == [snapshot_day.isoformat()]


def _fetch_log(database: Path) -> bytes:
    import sqlite3

    try:
        with sqlite3.connect(database) as conn:
            rows = conn.execute("SELECT source FROM fetch_log").fetchall()
    except sqlite3.Error:
        return b""
    return " ".join(r[0] for r in rows).encode()

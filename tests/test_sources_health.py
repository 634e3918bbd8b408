"""Source health as an admin sees it: `monitor sources` and `monitor sources check`."""

from __future__ import annotations

import socket

import pytest

from helpers.portal_emulator import portal_config
from monitor.cli import cli
from monitor.health import after_failure, after_success, status
from monitor.store import open_store


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def two_sources(write_config, live_portal):
    offline = closed_url()
    extra = f"""
[[sources]]
id = "portal-copy"
kind = "eu_portal"
name = "A copy that is offline"
every = "1d"
url = "{offline}/search"
facet_url = "{offline}/facet"

[[sources]]
id = "portal-spare"
kind = "eu_portal"
name = "Not in use"
enabled = false
"""
    return write_config(portal_config(live_portal.base_url, settings="unhealthy_after = 2") + extra)


def test_health_rules():
    assert after_success(None, 0, False).healthy  # a new source with nothing yet is fine
    assert after_success(12, 10, False).healthy
    assert after_success(12, 0, True).healthy  # 304: nothing parsed, nothing wrong
    empty = after_success(12, 0, False)
    assert not empty.healthy and "used to return 12" in empty.reason
    assert after_failure(1, 3, "HTTP 500").healthy
    failing = after_failure(3, 3, "HTTP 500 Internal Server Error from x")
    assert not failing.healthy
    assert failing.reason == "failed 3 runs in a row: HTTP 500 Internal Server Error from x"
    # What every view shows: failing from the first failed run, unhealthy as the store says.
    once = {"healthy": 1, "consecutive_failures": 1, "last_error": "HTTP 500"}
    assert status(once).word == "failing"
    assert status(once).reason == "failed run: HTTP 500"
    assert status({"healthy": 1, "consecutive_failures": 0}).word == "ok"
    empty_now = {"healthy": 0, "consecutive_failures": 0, "health_reason": empty.reason}
    assert status(empty_now).word == "unhealthy" and status(empty_now).error is None


def test_sources_lists_kind_last_run_items_and_health(runner, two_sources):
    config = ["--config", str(two_sources)]
    before = runner.invoke(cli, [*config, "sources"])
    assert before.exit_code == 0, before.output
    assert "never run" in before.stdout and "disabled" in before.stdout

    for _ in range(2):
        assert runner.invoke(cli, [*config, "run"]).exit_code == 3
    listing = runner.invoke(cli, [*config, "sources"]).stdout.splitlines()
    assert listing[0].split() == ["ID", "KIND", "EVERY", "LAST", "RUN", "ITEMS", "HEALTH"]
    portal, copy, spare = listing[1:]
    assert portal.split()[:3] == ["eu-portal", "eu_portal", "6h"]
    assert portal.split()[-2:] == ["341", "ok"]
    assert copy.split()[:3] == ["portal-copy", "eu_portal", "1d"]
    assert "UNHEALTHY: failed 2 runs in a row: kunde inte ansluta till 127.0.0.1" in copy
    assert spare.split()[-1] == "disabled"


def health_column(runner, path, source="eu-portal") -> str:
    listing = runner.invoke(cli, ["--config", str(path), "sources"]).stdout.splitlines()
    header = listing[0]
    row = next(line for line in listing[1:] if line.split()[0] == source)
    return row[header.index("HEALTH") :]


def test_a_source_is_failing_from_its_first_failed_run(runner, write_config, live_portal, portal):
    path = write_config(portal_config(live_portal.base_url))  # unhealthy_after = 3, the default
    assert runner.invoke(cli, ["--config", str(path), "run"]).exit_code == 0
    assert health_column(runner, path) == "ok"

    shown = []
    for _ in range(3):
        portal.failures = [(500, {"type": "throwable"})] * 2  # facet and search both fail
        assert runner.invoke(cli, ["--config", str(path), "run"]).exit_code == 3
        shown.append(health_column(runner, path))
    assert shown[0].startswith("FAILING: failed run: HTTP 500")
    assert shown[1].startswith("FAILING: failed 2 runs in a row: HTTP 500")
    assert shown[2].startswith("UNHEALTHY: failed 3 runs in a row: HTTP 500")

    portal.failures = []
    assert runner.invoke(cli, ["--config", str(path), "run"]).exit_code == 0
    assert health_column(runner, path) == "ok"


def test_health_returns_with_the_next_good_run(runner, write_config, live_portal, portal):
    path = write_config(portal_config(live_portal.base_url, settings="unhealthy_after = 1"))
    portal.failures = [(500, {"type": "throwable"})] * 2  # facet and search both fail
    assert runner.invoke(cli, ["--config", str(path), "run"]).exit_code == 3
    store = open_store(path.parent / "monitor.db")
    assert store.source_state("eu-portal")["healthy"] == 0
    assert runner.invoke(cli, ["--config", str(path), "run"]).exit_code == 0
    state = store.source_state("eu-portal")
    assert (state["healthy"], state["health_reason"], state["consecutive_failures"]) == (
        1,
        None,
        0,
    )


def test_a_source_that_suddenly_returns_nothing_is_unhealthy(
    runner, write_config, live_portal, portal
):
    path = write_config(portal_config(live_portal.base_url))
    runner.invoke(cli, ["--config", str(path), "run"])
    portal.rows = []  # the "page" still answers, but with nothing in it
    result = runner.invoke(cli, ["--config", str(path), "run"])
    assert result.exit_code == 0  # it did answer; the admin is told through health
    listing = runner.invoke(cli, ["--config", str(path), "sources"]).stdout
    assert "UNHEALTHY: returned no items where it used to return 341" in listing
    store = open_store(path.parent / "monitor.db")
    assert store.db["items"].count == 341  # nothing stored is lost


def test_check_shows_items_without_storing(runner, two_sources, tmp_path):
    result = runner.invoke(
        cli, ["--config", str(two_sources), "sources", "check", "eu-portal", "--limit", "2"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "eu-portal: 341 items"
    assert lines[1].split()[0] == "2026-09-30"  # the first call's deadline
    assert lines[2].strip().startswith("https://ec.europa.eu/")
    assert lines[-1] == "  ... and 339 more"
    store = open_store(tmp_path / "monitor.db")
    assert store.db["items"].count == 0 and store.db["fetch_log"].count == 0

    failing = runner.invoke(cli, ["--config", str(two_sources), "sources", "check", "portal-copy"])
    assert failing.exit_code == 3
    assert failing.stdout.startswith("portal-copy: FAILED: kunde inte ansluta")

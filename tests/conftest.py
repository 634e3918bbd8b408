from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

import monitor.notify.retry
from helpers.portal_emulator import SNAPSHOT_DAY, LiveServer, PortalEmulator
from monitor.notify.retry import RetryPolicy

# One Hypothesis profile for every property test. CI runs on two cores next to other jobs, so
# how fast an example is generated or run says nothing about the code: no deadline, and no health
# checks (they judge the tests' inputs, not the code). On CI (CI=true) the examples are also
# derandomized, so a run that passed once passes every time; elsewhere they keep exploring.
settings.register_profile(
    "eu-bevakning",
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=bool(os.environ.get("CI")),
    database=None if os.environ.get("CI") else settings.default.database,
)
settings.load_profile("eu-bevakning")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack-sdk sends everything through HTTP(S)_PROXY when set and ignores NO_PROXY; tests
    # talk to servers on this machine only.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_notifier_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    # A token or webhook in a developer's shell must not set up a notifier a test did not ask
    # for (nor send anything anywhere); each test sets the ones it uses.
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_WEBHOOK_URL",
        "SLACK_API_URL",
        "TEAMS_WEBHOOK_URL",
        "MONITOR_SMTP_USER",
        "MONITOR_SMTP_PASSWORD",
        "MONITOR_GROUP",  # an official's own group would pick the group for the tests
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    # The search vocabulary is kept in the user's cache folder (monitor/vocabulary_cache.py):
    # each test gets its own, so none reads what another (or the developer's own runs) left.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # A MONITOR_TODAY left in a developer's shell must not move the day under the tests.
    monkeypatch.delenv("MONITOR_TODAY", raising=False)


@pytest.fixture
def send_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Sends in this test (Slack, Teams, e-mail) retry as usual but do not wait: the waits they
    would have made (seconds, in order) are recorded here instead."""
    waits: list[float] = []
    monkeypatch.setattr(monitor.notify.retry, "USUAL", RetryPolicy(sleep=waits.append))
    return waits


@pytest.fixture
def snapshot_day(monkeypatch: pytest.MonkeyPatch) -> date:
    """Commands (and `monitor serve` started from this test) see the snapshot's day as today:
    what is open, closing soon or due then does not change as years pass."""
    monkeypatch.setenv("MONITOR_TODAY", SNAPSHOT_DAY.isoformat())
    return SNAPSHOT_DAY


@pytest.fixture
def portal() -> PortalEmulator:
    """The portal emulator holding the 341 real calls of the 2026-08-22 snapshot."""
    return PortalEmulator()


@pytest.fixture
def live_portal(portal: PortalEmulator) -> Iterator[LiveServer]:
    """The emulator on a real loopback port."""
    with portal.serve() as server:
        yield server


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a sources.toml into tmp_path and return its path."""

    def write(text: str, name: str = "sources.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()

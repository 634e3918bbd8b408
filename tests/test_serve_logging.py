"""What `monitor serve` says in its log, and that each source is fetched on its own `every`."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta

from helpers.portal_emulator import portal_config
from monitor.clock import Clock
from monitor.schedule import Service


class MovingClock(Clock):
    """At `instant`, moving on two seconds each time it is read: a run ends after its tick."""

    def __init__(self, instant: datetime) -> None:
        super().__init__()
        self.instant = instant

    def now(self) -> datetime:
        self.instant += timedelta(seconds=2)
        return self.instant


def no_digest(config, store, clock) -> str:
    return "digest skipped in this test"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/search"


def test_every_minute_means_every_tick(write_config, live_portal, portal):
    path = write_config(portal_config(live_portal.base_url).replace('every = "6h"', 'every = "1m"'))
    start = datetime(2026, 8, 22, 9, 0, tzinfo=UTC)
    clock = MovingClock(start)
    service = Service(path, None, no_digest, clock)
    assert service.fetch_due()  # stamped a few seconds after the tick
    for minute in (1, 2, 3):
        clock.instant = start + timedelta(minutes=minute)  # the next tick
        assert service.fetch_due(), f"not fetched at minute {minute}"


def test_the_log_names_each_source_at_the_right_level(write_config, live_portal, caplog):
    good = portal_config(live_portal.base_url, settings="unhealthy_after = 2")
    broken = good.replace(f"{live_portal.base_url}/search", closed_port_url())
    path = write_config(broken)
    clock = MovingClock(datetime(2026, 8, 22, 9, 0, tzinfo=UTC))
    caplog.set_level(logging.INFO, logger="monitor")
    service = Service(path, None, no_digest, clock)

    def fetch_hours_later() -> list[logging.LogRecord]:
        caplog.clear()
        clock.instant += timedelta(hours=7)
        service.fetch_due()
        return [r for r in caplog.records if r.name == "monitor.schedule"]

    first = fetch_hours_later()
    failed = [r for r in first if "eu-portal failed" in r.getMessage()]
    assert [r.levelno for r in failed] == [logging.WARNING]
    assert failed[0].getMessage().startswith("source eu-portal failed: kunde inte ansluta")
    assert not any("unhealthy" in r.getMessage() for r in first)  # failing, not yet unhealthy

    second = fetch_hours_later()
    (turned,) = [r for r in second if "became unhealthy" in r.getMessage()]
    assert turned.levelno == logging.WARNING
    assert turned.getMessage().startswith("source eu-portal became unhealthy: failed 2 runs")

    path.write_text(good, encoding="utf-8")  # the admin fixes the address
    third = fetch_hours_later()
    (back,) = [r for r in third if "recovered" in r.getMessage()]
    assert back.levelno == logging.INFO and back.getMessage().startswith("source eu-portal")
    ok = [r for r in third if r.getMessage().startswith("source eu-portal: 341 items")]
    assert [r.levelno for r in ok] == [logging.INFO]


def test_a_retry_line_names_the_source(write_config, live_portal, caplog):
    path = write_config(portal_config(live_portal.base_url))
    Service(path, None, no_digest, Clock())
    caplog.set_level(logging.INFO, logger="monitor")
    logging.getLogger("monitor.fetch").info(
        "%s; retrying in %.1f s", "HTTP 503 Service Unavailable from 127.0.0.1", 2.0
    )
    (line,) = [r.getMessage() for r in caplog.records if r.name == "monitor.fetch"]
    assert (
        line == "source eu-portal: HTTP 503 Service Unavailable from 127.0.0.1; retrying in 2.0 s"
    )

"""`monitor serve`: APScheduler runs the same one-pass jobs as the CLI, unattended.

Two jobs, run one at a time (a single worker thread, `max_instances=1`, coalesced):
- every minute, fetch the sources that are due: a source is due when its `every` has passed
  since its last run, plus a small fixed jitter of its own so that sources added together do
  not all fire at once, or will have passed before the next tick (a run is stamped when it
  ends, seconds after the tick that started it: without that, `every = "1m"` waited for the
  second tick and ran every two minutes);
- the digest, on `[digest] weekday` and `time` in the configured time zone (DST-safe: the
  trigger works in local time): sent through each notifier (Slack, Teams, e-mail), or printed
  when none is set up (`weekly_digest`).
With SLACK_APP_TOKEN set, the Slack listener (monitor/slack_listener.py) also runs, hearing
clicks on the cards' menus over Socket Mode; it stops with the scheduler.
A missed run within its grace time runs late rather than never. The config is read again before
each fetch, so an admin's edit to sources.toml takes effect without a restart; a broken edit
is logged and the last good config is kept. The run lock keeps a manual `monitor run` and the
scheduler from writing at the same time: the scheduler skips a tick while a manual run holds it.
No job holds the worker for long: each request has its deadline (settings.timeout) and each
source its budget (settings.source_timeout), and SIGTERM cuts a fetch in hand short (what was
stored stays stored; the rest is fetched at the next start).
"""

from __future__ import annotations

import hashlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.clock import Clock
from monitor.config import LOCK_WAIT, Config, SourceConfig, load_config
from monitor.digest.deliver import each_group, print_or_send
from monitor.errors import MonitorError
from monitor.health import status
from monitor.lock import RunInProgress, run_lock
from monitor.models import RunSummary
from monitor.service import fetch_and_match, summary_lines
from monitor.sources.kinds import KINDS
from monitor.stop import Stopped, StopRequested
from monitor.store import Store, open_store

if TYPE_CHECKING:  # the listener (slack-sdk's Socket Mode) is imported only when it runs
    from monitor.slack_listener import SlackListener

log = logging.getLogger(__name__)

TICK = timedelta(minutes=1)
MAX_JITTER = timedelta(minutes=10)
FETCH_GRACE = 5 * 60  # seconds: a tick more than this late is skipped; the next one comes soon
DIGEST_GRACE = 6 * 3600  # seconds: a digest missed (the server was down) is sent up to 6 h late


def jitter(source_id: str, every: timedelta) -> timedelta:
    """A fixed offset per source, up to 5% of its interval (at most ten minutes)."""
    span = min(every * 0.05, MAX_JITTER).total_seconds()
    fraction = int(hashlib.sha1(source_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return timedelta(seconds=round(span * fraction))


def due_sources(config: Config, store: Store, now: datetime) -> list[SourceConfig]:
    """The enabled sources whose next run falls before the next tick: fetched at the tick
    nearest their `every`, never a whole tick late."""
    due = []
    for source in config.sources:
        if not source.enabled:
            continue
        last = (store.source_state(source.id) or {}).get("last_run")
        if last is None:
            due.append(source)
            continue
        next_run = datetime.fromisoformat(last) + source.every + jitter(source.id, source.every)
        if next_run < now + TICK:
            due.append(source)
    return due


class _NamesTheSource(logging.Filter):
    """Names the source in the fetcher's lines ("HTTP 503 from host; retrying"), which know
    only the host: each line gets the ids of the sources fetched from that host."""

    def __init__(self) -> None:
        super().__init__()
        self.by_host: dict[str, list[str]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        named = [ids for host, ids in self.by_host.items() if host and host in message and ids]
        if named:
            sources = ", ".join(dict.fromkeys(i for ids in named for i in ids))
            record.msg, record.args = f"source {sources}: {message}", None
        return True

    def use(self, config: Config) -> None:
        by_host: dict[str, list[str]] = {}
        for source in config.sources:
            for value in vars(source.options).values() if source.options else ():
                if isinstance(value, str) and value.startswith(("http://", "https://")):
                    host = urlsplit(value).hostname or ""
                    by_host.setdefault(host, [])
                    if source.id not in by_host[host]:
                        by_host[host].append(source.id)
        self.by_host = by_host


_NAMES = _NamesTheSource()
logging.getLogger("monitor.fetch").addFilter(_NAMES)


def digest_trigger(config: Config) -> CronTrigger:
    hour, minute = (int(part) for part in config.digest.time.split(":"))
    return CronTrigger(
        day_of_week=config.digest.weekday[:3],
        hour=hour,
        minute=minute,
        timezone=config.settings.timezone,
    )


def weekly_digest(config: Config, store: Store, clock: Clock) -> str:
    """The digest job: each group's digest in turn, sent through its [notify] send (every
    notifier of the group set up by default); a group with none set up has its digest printed
    (it then shows in the service's log). Returns what happened, for the log: with [[groups]]
    each line begins with the group's name."""
    said = []
    for done in each_group(
        config, lambda seen: print_or_send(seen, store, clock, _print, send=True)
    ):
        prefix = f"{done.heading}: " if done.heading else ""
        said += [prefix + line for line in [*done.delivery.notes, *done.delivery.lines]]
    return "\n".join(said)


def _print(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()  # a service's stdout is a pipe: show the digest now, not at exit


class Service:
    """The jobs, with the config read again before each fetch."""

    def __init__(
        self,
        config_path: Path | None,
        database: Path | None,
        send_digest: Callable[[Config, Store, Clock], str],
        clock: Clock,
    ) -> None:
        self.config_path = config_path
        self.database = database
        self.config = load_config(config_path, database, kinds=KINDS)
        open_store(self.config.settings.database).close()  # a database problem shows at start
        self._send_digest = send_digest
        self.clock = clock
        self.stop = StopRequested()  # asked by SIGTERM: the fetch in hand stops at once
        _NAMES.use(self.config)

    @contextmanager
    def _store(self) -> Iterator[Store]:
        # Opened in the job's own thread: an SQLite connection belongs to one thread.
        store = open_store(self.config.settings.database)
        try:
            yield store
        finally:
            store.close()

    def reload(self) -> None:
        try:
            self.config = load_config(self.config_path, self.database, kinds=KINDS)
        except MonitorError as exc:
            log.error("the config could not be read again; keeping the last good one: %s", exc)
        _NAMES.use(self.config)

    def fetch_due(self) -> list[str]:
        """Fetch the sources that are due; returns the summary lines (empty if none was due)."""
        self.reload()
        try:
            with run_lock(self.config.settings.database, wait=0), self._store() as store:
                sources = due_sources(self.config, store, self.clock.now())
                if not sources:
                    return []
                before = {s.id: status(store.source_state(s.id) or {}).word for s in sources}
                summary, _ = fetch_and_match(
                    self.config, store, sources, self.clock, stop=self.stop
                )
                after = {s.id: status(store.source_state(s.id) or {}) for s in sources}
        except RunInProgress:
            log.info("a manual run holds the database; this check waits for the next minute")
            return []
        except Stopped as exc:  # asked for by SIGTERM: news, not a problem
            log.info("%s", exc)
            return []
        except MonitorError as exc:
            log.error("the fetch did not run: %s", exc)
            return []
        except Exception as exc:  # a bug: one line in the log, the traceback only with -v
            _log_unexpected("the fetch", exc)
            return []
        _log_outcomes(summary)
        for source_id, now in after.items():
            was = before[source_id]
            if now.word == "unhealthy" and was != "unhealthy":
                log.warning("source %s became unhealthy: %s", source_id, now.reason)
            elif now.word == "ok" and was != "ok":
                log.info("source %s recovered: it works again (it was %s)", source_id, was)
        return summary_lines(summary, self.config.settings.language)

    def digest(self) -> str:
        try:
            with run_lock(self.config.settings.database, wait=LOCK_WAIT), self._store() as store:
                outcome = self._send_digest(self.config, store, self.clock)
        except MonitorError as exc:
            outcome = f"the digest was not sent: {exc}"
            log.error("%s", outcome)
            return outcome
        except Exception as exc:  # a bug: one line in the log, the traceback only with -v
            _log_unexpected("the digest", exc)
            return f"the digest was not sent: unexpected error {type(exc).__name__}"
        log.info("%s", outcome)
        return outcome


def _log_unexpected(job: str, exc: Exception) -> None:
    """Without -v (DEBUG) a service's log gets one line, as the commands print one; APScheduler
    would otherwise log the whole traceback of the job."""
    log.error(
        "%s failed unexpectedly: %s: %s (run with -v for details)",
        job,
        type(exc).__name__,
        exc,
        exc_info=log.isEnabledFor(logging.DEBUG),
    )


def _log_outcomes(summary: RunSummary) -> None:
    """One line per source, naming it: a failure and a warning at WARNING, the rest INFO."""
    for outcome in summary.outcomes:
        if outcome.ok:
            log.info(
                "source %s: %d items, %d new, %d changed%s",
                outcome.source,
                outcome.items_seen,
                outcome.items_new,
                outcome.items_changed,
                " (not modified)" if outcome.not_modified else "",
            )
        else:
            log.warning("source %s failed: %s", outcome.source, outcome.error)
        for warning in outcome.warnings:
            log.warning("source %s: %s", outcome.source, warning)
    log.info("%s", summary_lines(summary)[-1])


def build_scheduler(
    service: Service, kind: type[BaseScheduler] = BlockingScheduler
) -> BaseScheduler:
    scheduler = kind(
        timezone=service.config.settings.timezone,
        # One worker: a fetch and the digest never run at the same time.
        executors={"default": ThreadPoolExecutor(max_workers=1)},
    )
    scheduler.add_job(
        service.fetch_due,
        IntervalTrigger(seconds=TICK.total_seconds()),
        id="fetch",
        name="fetch the sources that are due",
        next_run_time=service.clock.machine_now(),  # APScheduler fires on the machine's time
        misfire_grace_time=FETCH_GRACE,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        service.digest,
        digest_trigger(service.config),
        id="digest",
        name="send the weekly digest",
        misfire_grace_time=DIGEST_GRACE,
        coalesce=True,
        max_instances=1,
    )
    return scheduler


def start_listener(service: Service) -> SlackListener | None:
    """The Slack listener when SLACK_APP_TOKEN is set (it answers with SLACK_BOT_TOKEN)."""
    slack = service.config.slack
    if not slack.listens:
        return None
    if not slack.token:
        log.error(
            "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: the cards' menu is not heard "
            "(the listener answers in the thread with the bot token); set both"
        )
        return None
    from monitor.slack_listener import SlackListener

    listener = SlackListener(lambda: service.config, service.clock)
    listener.start()
    log.info("monitor serve: listening to Slack's menu clicks over Socket Mode")
    return listener


def serve(
    config_path: Path | None, database: Path | None, clock: Clock, *, slack_only: bool = False
) -> None:
    """Run the fetch and the weekly digest until SIGTERM or SIGINT; a fetch in hand is cut
    short (each source stored whole or not at all), a digest in hand is finished. `database`
    overrides the config's, as `--db` does. `slack_only`: only the Slack listener, for trying
    the Slack app."""
    service = Service(config_path, database, weekly_digest, clock)
    listener = start_listener(service)
    if slack_only:
        if listener is None:
            raise MonitorError(
                "--slack-only needs SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN in the environment"
            )
        _listen_until_stopped(listener)
        return
    scheduler = build_scheduler(service)

    def stop(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        log.info("%s received: stopping the fetch in hand (a digest is sent to its end)", name)
        service.stop.ask()
        if listener is not None:
            listener.stop()
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    digest_job = scheduler.get_job("digest")
    log.info(
        "monitor serve: %d sources, checked every minute; next digest %s",
        sum(s.enabled for s in service.config.sources),
        digest_job.trigger.get_next_fire_time(None, service.clock.machine_now())
        if digest_job
        else "-",
    )
    try:
        scheduler.start()  # blocks until stop(); the executor then waits for a running job
    finally:
        if listener is not None:
            listener.stop()
    log.info("monitor serve stopped")


def _listen_until_stopped(listener: SlackListener) -> None:
    stopped = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        stopped.wait()
    finally:
        listener.stop()
    log.info("monitor serve --slack-only stopped")

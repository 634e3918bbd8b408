"""`monitor run`: fetch every source once, store and match what is new."""

from __future__ import annotations

import gc
import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import click

from monitor.cli.app import EXIT_SOURCES_FAILED, App, say_waiting
from monitor.cli.terminal import progress
from monitor.config import LOCK_WAIT
from monitor.fetch import prepare_tls
from monitor.lock import run_lock
from monitor.matching import load_matchers
from monitor.models import SourceOutcome
from monitor.pipeline import chosen_sources
from monitor.run_words import run_words
from monitor.service import fetch_and_match, summary_lines
from monitor.store import open_store


@click.command()
@click.option(
    "--source", "source_ids", multiple=True, metavar="ID", help="Only this source (repeatable)."
)
@click.option(
    "--digest/--no-digest",
    "show_digest",
    default=True,
    help="Without Slack set up, print the coming digest after the run (default: yes).",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=LOCK_WAIT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another run (monitor serve) to finish.",
)
@click.pass_obj
def run(app: App, source_ids: tuple[str, ...], show_digest: bool, wait: float) -> None:
    """Fetch every enabled source once, store what is new or changed, and match it to areas.

    Prints one line per source and a total; when Slack is not set up, then the digest that is
    building up (what `monitor digest` shows). Exit code 0 when every source worked, 3 when
    some failed (the others are stored), 1 on a config or database error.
    """
    prepare_tls()  # while the config and the rules are read
    config = app.config
    sources = chosen_sources(config, source_ids)
    if not config.settings.rules.exists():
        said = run_words(config.settings.language)["no_rules"]
        click.echo(said.format(folder=config.settings.rules), err=True)
    with _made_meanwhile(config.settings.database):
        load_matchers(config)  # broken rules stop the run here; kept for the run's matching
    store = app.store
    digest = _DigestImports() if show_digest else None
    with _collector_held_back():
        with (
            run_lock(config.settings.database, wait, on_wait=say_waiting),
            progress(sources) as done,
        ):
            on_done = digest.started_by(done) if digest is not None else done
            summary, _ = fetch_and_match(config, store, sources, app.clock, on_done=on_done)
        for line in summary_lines(summary, config.settings.language):
            click.echo(line)
        if digest is not None:
            digest.wait()
            _print_digest_unless_sent(app)
    if summary.failed:
        sys.exit(EXIT_SOURCES_FAILED)


@contextmanager
def _collector_held_back() -> Iterator[None]:
    """What is loaded by now (modules, config, rules) lives until the command ends, so the
    garbage collector need not walk it again and again while answers are parsed and stored,
    and young objects are collected less often: 0.13 s of the event loop down to 0.03 s in
    a run of 800 feeds. Undone afterwards (tests run many commands in one process); `serve`,
    which runs for weeks, does not do this."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@contextmanager
def _made_meanwhile(database: Path) -> Iterator[None]:
    """A database that does not exist yet is made and migrated in a thread while the block
    runs (SQLite works without Python's lock: about 50 ms of a first run overlap the rules
    being compiled). The command then opens it as always: a migration that failed there fails
    again, with its message, in the main thread."""
    if database.exists() or not database.parent.is_dir():
        yield
        return
    thread = threading.Thread(target=_make_database, args=(database,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _make_database(database: Path) -> None:
    with suppress(Exception):  # opened again by the command, which says what went wrong
        open_store(database).close()


class _DigestImports:
    """The digest's modules (its queries, composing, the notifiers asked whether they are set
    up: about 50 ms) imported in a thread once the first sources are stored, while the fetch
    mostly waits for answers, rather than after the last answer. A failure there is left for
    the import after the run to raise."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    def started_by(self, done: Callable[[SourceOutcome], None]) -> Callable[[SourceOutcome], None]:
        def on_done(outcome: SourceOutcome) -> None:
            if self._thread is None:
                self._thread = threading.Thread(target=_import_digest, daemon=True)
                self._thread.start()
            done(outcome)

        return on_done

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()


def _import_digest() -> None:
    try:
        importlib.import_module("monitor.digest.deliver")
        from monitor.notify import registry

        for name in registry.NOTIFIER_NAMES:
            registry.kind(name)
    except Exception:  # imported again after the run, which raises it there
        pass


def _print_digest_unless_sent(app: App) -> None:
    """Each group's digest after the summary, unless a notifier of the group is set up (serve
    or digest --send sends it then); with [[groups]] under the group's name. Imported here: a
    run that prints no digest loads no notifier."""
    from monitor.digest.deliver import heading, print_or_send, sends_somewhere

    for group in app.config.group_ids:
        config = app.config.for_group(group)
        if sends_somewhere(config):
            continue
        if config.groups:
            click.echo(f"\n== {heading(config)} ==")
        print_or_send(config, app.store, app.clock, _after_the_summary, send=False)


def _after_the_summary(text: str) -> None:
    click.echo("\n" + text, nl=False)

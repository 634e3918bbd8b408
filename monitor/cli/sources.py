"""`monitor sources`: what the admin needs to keep sources working."""

from __future__ import annotations

import sys

import click

from monitor.cli.app import EXIT_SOURCES_FAILED, App
from monitor.cli.output import aligned_lines
from monitor.config import COMMON_SOURCE_KEYS
from monitor.health import status
from monitor.pipeline import Checked, check_sources, chosen_sources
from monitor.sources.checkup import advice, figures, signals
from monitor.sources.platform import PageSignals


@click.group(invoke_without_command=True)
@click.pass_context
def sources(ctx: click.Context) -> None:
    """List every source with its kind, last run, item count and health."""
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    config = app.config
    store = app.store
    rows = []
    for src in config.sources:
        state = store.source_state(src.id) or {}
        if not src.enabled:
            health = "disabled"
        elif not state:
            health = "never run"
        else:
            health = _health(state)
        items = state.get("last_item_count")
        rows.append(
            (
                src.id,
                src.kind,
                _every(src.every.total_seconds()),
                (state.get("last_run") or "-")[:16].replace("T", " "),
                "-" if items is None else str(items),
                health,
            )
        )
    for line in aligned_lines(("ID", "KIND", "EVERY", "LAST RUN", "ITEMS", "HEALTH"), rows):
        click.echo(line)


@sources.command()
@click.argument("source_ids", nargs=-1, metavar="[ID]...")
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Check every source, enabled or not, and print one table row each.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Items shown per source.",
)
@click.pass_obj
def check(app: App, source_ids: tuple[str, ...], every: bool, limit: int) -> None:
    """Fetch and parse sources now, without storing anything, and show what they give.

    Use it to try a new source or a changed CSS selector before relying on it. Without ID,
    every enabled source is checked; with --all every source, as a table: items, newest date,
    dates read, fields missing, HTTP status and the platform the site runs, and for a source
    that found nothing the feeds or APIs its page offers instead. Exit code 3 when a source
    failed (with --all: an enabled one).
    """
    if every and source_ids:
        raise click.UsageError("name sources or give --all, not both")
    config = app.config
    chosen = list(config.sources) if every else chosen_sources(config, source_ids)
    results = check_sources(config, app.store, chosen, clock=app.clock)
    failed = _table(results) if every else sum(_listing(r, limit) for r in results)
    if failed:
        sys.exit(EXIT_SOURCES_FAILED)


def _listing(result: Checked, limit: int) -> bool:
    """The items of one source, or why it failed; True when it failed."""
    outcome, items = result.outcome, result.items
    if not outcome.ok:
        click.echo(f"{outcome.source}: FAILED: {outcome.error}")
    else:
        click.echo(f"{outcome.source}: {len(items)} items")
    for line in _notes(result):
        click.echo(f"  {line}")
    if not outcome.ok:
        return True
    for item in items[:limit]:
        when = item.deadline or item.published
        shown = when.isoformat()[:10] if when else "-" * 10
        click.echo(f"  {shown}  {item.title}")
        click.echo(f"              {item.url or '(no link)'}")
    if len(items) > limit:
        click.echo(f"  ... and {len(items) - limit} more")
    return False


def _table(results: list[Checked]) -> int:
    """Every source on one row, then a line for each that failed or has advice; the number of
    enabled sources that failed."""
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for result in results:
        outcome = result.outcome
        numbers = figures(result.items)
        page = _page(result)
        rows.append(
            (
                outcome.source,
                "yes" if result.source.enabled else "no",
                str(numbers.items) if outcome.ok else "FAILED",
                numbers.newest,
                numbers.dated,
                numbers.missing,
                str(outcome.http_status or "-"),
                page.platform or "-",
            )
        )
        said = ([f"FAILED: {outcome.error}"] if not outcome.ok else []) + _notes(result)
        notes.extend(f"{outcome.source}: {line}" for line in said)
    header = ("ID", "ON", "ITEMS", "NEWEST", "DATES", "MISSING", "HTTP", "PLATFORM")
    for line in aligned_lines(header, rows):
        click.echo(line)
    if notes:
        click.echo("")
        for line in notes:
            click.echo(line)
    return sum(not r.outcome.ok and r.source.enabled for r in results)


def _page(result: Checked) -> PageSignals:
    answer = result.answer
    if answer is None:
        return PageSignals()
    return signals(answer.content, answer.content_type, answer.charset, answer.url)


def _notes(result: Checked) -> list[str]:
    nothing = not result.outcome.ok or not result.items
    return advice(result.source.options, _page(result), found_nothing=nothing)


@sources.command()
def kinds() -> None:
    """List the kinds of source, what each is for and the keys it takes (* = required)."""
    from monitor.sources.kinds import KINDS  # loads every kind's parser: only for this command

    rows = []
    for name in KINDS.names():
        kind = KINDS.get(name)
        assert kind is not None
        keys = ", ".join(key + ("*" if required else "") for key, required in KINDS.keys(name))
        rows.append((name, kind.description, keys))
    for line in aligned_lines(("KIND", "FOR", "KEYS"), rows):
        click.echo(line)
    click.echo(f"Every source also takes: {', '.join(COMMON_SOURCE_KEYS)}.")


def _health(state: dict) -> str:
    now = status(state)
    return now.word if now.word == "ok" else f"{now.word.upper()}: {now.reason}"


def _every(seconds: float) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"

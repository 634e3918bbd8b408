"""`monitor sources`: what the admin needs to keep sources working."""

from __future__ import annotations

import sys

import click

from monitor.cli.app import EXIT_SOURCES_FAILED, App
from monitor.cli.output import aligned_lines
from monitor.config import COMMON_SOURCE_KEYS
from monitor.health import status
from monitor.pipeline import check_sources, chosen_sources


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
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Items shown per source.",
)
@click.pass_obj
def check(app: App, source_ids: tuple[str, ...], limit: int) -> None:
    """Fetch and parse sources now, without storing anything, and show what they give.

    Use it to try a new source or a changed CSS selector before relying on it. Without ID,
    every enabled source is checked. Exit code 3 when a source failed.
    """
    config = app.config
    results = check_sources(config, app.store, chosen_sources(config, source_ids), clock=app.clock)
    failed = 0
    for outcome, items in results:
        if not outcome.ok:
            failed += 1
            click.echo(f"{outcome.source}: FAILED: {outcome.error}")
            continue
        click.echo(f"{outcome.source}: {len(items)} items")
        for warning in outcome.warnings:
            click.echo(f"  warning: {warning}")
        for item in items[:limit]:
            when = item.deadline or item.published
            shown = when.isoformat()[:10] if when else "-" * 10
            click.echo(f"  {shown}  {item.title}")
            click.echo(f"              {item.url or '(no link)'}")
        if len(items) > limit:
            click.echo(f"  ... and {len(items) - limit} more")
    if failed:
        sys.exit(EXIT_SOURCES_FAILED)


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

"""`monitor groups`: the groups (kommuner) of one deployment, and handing one group's stored
history to another."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.app import App, say_waiting
from monitor.cli.output import aligned_lines
from monitor.config import LOCK_WAIT, Config, unknown_group
from monitor.errors import MonitorError
from monitor.lock import run_lock
from monitor.store.groups import GroupCounts, group_counts, rename_group, stored_groups

_HEADER = ("GROUP", "NAME", "RULES", "CHANNELS", "SOURCES", "JUDGED", "RELEVANT", "TRACKED", "")


@click.group(invoke_without_command=True)
@click.pass_context
def groups(ctx: click.Context) -> None:
    """List the groups: id, name, rule folder, where its digest goes, the sources that serve
    it, how many items its rules judged and put in the digest, and the calls it tracks.

    Without [[groups]] in sources.toml there is one group, 'default'."""
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    config = app.config
    # Before the first run there is no database: the groups are listed with nothing judged.
    db = app.reader.db if config.settings.database.exists() else None
    rows = []
    for group_id in config.group_ids:
        counts = group_counts(db, group_id) if db is not None else GroupCounts(0, 0, 0)
        served = len(config.sources_of(group_id))
        rows.append(
            (
                group_id,
                _name(config, group_id),
                _rules(config, group_id),
                _channels(config.for_group(group_id)) or "-",
                f"{served} of {len(config.sources)}",
                str(counts.judged),
                str(counts.relevant),
                str(counts.tracked),
                "",
            )
        )
    for line in aligned_lines(_HEADER, rows):
        click.echo(line)
    for group_id in stored_groups(db) if db is not None else ():
        if db is not None and group_id not in config.group_ids:
            counts = group_counts(db, group_id)
            click.echo(
                f"\nStored under '{group_id}', which is not a group in sources.toml:"
                f" {counts.judged} items judged, {counts.tracked} calls tracked. Hand it to a"
                f" group with `monitor groups rename {group_id} ID`."
            )


def _name(config: Config, group_id: str) -> str:
    return next((g.name for g in config.groups if g.id == group_id), "-")


def _rules(config: Config, group_id: str) -> str:
    common = _shown(config, config.settings.rules)
    if not config.settings.rules.exists():
        common += " (missing)"
    overlay = config.for_group(group_id).group_rules
    return f"{common} + {_shown(config, overlay)}" if overlay else common


def _shown(config: Config, path: Path) -> str:
    """A folder as sources.toml names it: relative to the file when it is under it."""
    folder = config.path.resolve().parent if config.path is not None else None
    if folder is not None and path.resolve().is_relative_to(folder):
        return str(path.resolve().relative_to(folder))
    return str(path)


def _channels(config: Config) -> str:
    """Where the group's digest goes: its Slack channel, e-mail recipients, Teams; with
    [groups.notify] (or [notify]) send, only the notifiers it names, as `digest --send` does
    (a group sending to Slack and Teams does not mail the common [email] list)."""
    send = config.notify.send

    def used(name: str) -> bool:
        return send is None or name in send

    said = []
    if used("slack") and (config.slack.configured or config.slack.channel):
        said.append(config.slack.shown_channel)
    if used("email") and config.email.table is not None:
        said += list(config.email.table.to)
    if used("teams") and config.teams.configured:
        said.append("Teams")
    return ", ".join(said)


@groups.command()
@click.argument("old")
@click.argument("new")
@click.pass_obj
def rename(app: App, old: str, new: str) -> None:
    """Hand every stored row of group OLD to group NEW: verdicts and areas, tracking and its
    history, feedback and digests (so that what was sent is not sent again).

    A deployment that adds [[groups]] keeps its history under 'default': `monitor groups rename
    default linkoping` makes it Linköping's. Where NEW has already judged an item its own
    verdict stays. Waits for a run in progress (the run lock)."""
    config = app.settings_config
    if new not in config.group_ids:
        raise MonitorError(unknown_group(new, config.group_ids))
    db = app.store.db
    stored = stored_groups(db)
    if old not in stored:
        raise MonitorError(
            f"nothing is stored under the group '{old}' (stored: {', '.join(stored) or 'none'})"
        )
    with run_lock(config.settings.database, LOCK_WAIT, on_wait=say_waiting):
        moved = rename_group(db, old, new)
    told = ", ".join(f"{n} {table}" for table, n in moved.items() if n)
    click.echo(f"Moved the group '{old}' to '{new}': {told or 'nothing left to move'}.")

"""`monitor digest`: preview the weekly digest, or send it to Slack exactly once."""

from __future__ import annotations

import sys
from datetime import date, datetime
from functools import partial
from pathlib import Path

import click

from monitor.cli.app import App, say_waiting
from monitor.cli.output import write_atomically
from monitor.config import LOCK_WAIT
from monitor.digest.deliver import deliver, print_or_send
from monitor.lock import run_lock


@click.command()
@click.option("--preview", is_flag=True, help="Only show the digest (the default without --send).")
@click.option("--send", is_flag=True, help="Send it to Slack; a failed send is resumed next time.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Start of the period (default: the end of the last digest sent, else a week ago).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "blocks"]),
    default="text",
    show_default=True,
    help="blocks = the Slack Block Kit JSON that would be sent.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.pass_obj
def digest(
    app: App,
    preview: bool,
    send: bool,
    since: datetime | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Show the weekly digest: new calls by area, calls closing soon, changed calls, network
    news and sources that stopped working, in Swedish unless [settings] language = "en".

    With --send it goes to the Slack channel in [slack] channel (SLACK_BOT_TOKEN: a thread per
    area; SLACK_WEBHOOK_URL: one message per part). A digest is recorded before it is sent;
    if sending stops half-way, the next --send posts only the missing parts.
    """
    config = app.config
    if send and preview:
        raise click.UsageError("choose --preview or --send, not both")
    if not send:
        print_or_send(
            config,
            app.store,
            app.clock,
            partial(_show, output),
            send=False,
            fmt=fmt,
            since=since.date() if since else None,
        )
        return
    with run_lock(config.settings.database, LOCK_WAIT, on_wait=say_waiting):
        _send(app, since.date() if since else None)


def _show(output: Path | None, text: str) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, lambda out: out.write(text))
    click.echo(f"Wrote the digest to {output}.", err=True)


def _send(app: App, since: date | None) -> None:
    # Not print_or_send: an explicit --send without Slack set up is an error that says what to set.
    delivery = deliver(app.config, app.store, app.clock, since)
    for note in delivery.notes:
        click.echo(note, err=True)
    for line in delivery.lines:
        click.echo(line)
    if not delivery.ok:
        sys.exit(1)

"""`monitor digest`: preview the weekly digest, or send it through each notifier exactly once."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from pathlib import Path

import click

from monitor.cli.app import App, say_waiting
from monitor.cli.output import write_atomically
from monitor.cli.params import DAY
from monitor.config import LOCK_WAIT
from monitor.digest.deliver import Delivery, deliver, print_or_send
from monitor.digest.resend import resend
from monitor.lock import run_lock
from monitor.notify.registry import NOTIFIER_NAMES

FORMATS = ["text", "markdown", "blocks", "teams", "email-html"]


@click.command()
@click.option("--preview", is_flag=True, help="Only show the digest (the default without --send).")
@click.option(
    "--send", is_flag=True, help="Send it ([notify] send); a failed send is resumed next time."
)
@click.option(
    "--to",
    "to",
    multiple=True,
    type=click.Choice(NOTIFIER_NAMES),
    help="With --send: send only here (repeatable), instead of [notify] send.",
)
@click.option(
    "--resend",
    "resend_refs",
    multiple=True,
    metavar="DIGEST/NOTIFIER/N",
    help="Send again a message marked uncertain (its answer was lost), as the warning names it "
    "(e.g. 12/teams/2); check the channel first. Repeatable.",
)
@click.option(
    "--since",
    type=DAY,
    help="Start of the period (default: the end of the last digest sent, else a week ago).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="What a notifier would send: blocks = Slack's Block Kit JSON, teams = the Teams "
    "cards' JSON, email-html = the e-mail's HTML part.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.pass_obj
def digest(
    app: App,
    preview: bool,
    send: bool,
    to: tuple[str, ...],
    resend_refs: tuple[str, ...],
    since: datetime | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Show the weekly digest: new calls by area, calls closing soon, changed calls, network
    news and sources that stopped working, in Swedish unless [settings] language = "en".

    With --send it goes to each notifier in [notify] send (by default every one set up):
    Slack ([slack] channel; SLACK_BOT_TOKEN: a thread per area, SLACK_WEBHOOK_URL: one message
    per part), Teams (TEAMS_WEBHOOK_URL) and e-mail ([email]). A digest is recorded before it
    is sent; if sending stops half-way, the next --send sends only what each notifier missed.
    """
    config = app.config
    if send and preview:
        raise click.UsageError("choose --preview or --send, not both")
    if resend_refs and (send or preview or to or since):
        raise click.UsageError("--resend sends only the messages it names: use it alone")
    if resend_refs:
        with run_lock(config.settings.database, LOCK_WAIT, on_wait=say_waiting):
            _report(resend(config, app.store, app.clock, resend_refs))
        return
    if to and not send:
        raise click.UsageError("--to chooses where --send sends: add --send")
    if not send:
        print_or_send(
            config,
            app.reader,  # a preview records nothing
            app.clock,
            partial(_show, output),
            send=False,
            fmt=fmt,
            since=since.date() if since else None,
        )
        return
    with run_lock(config.settings.database, LOCK_WAIT, on_wait=say_waiting):
        _send(app, since.date() if since else None, to, partial(_show, output))


def _show(output: Path | None, text: str) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, lambda out: out.write(text))
    click.echo(f"Wrote the digest to {output}.", err=True)


def _send(app: App, since: date | None, to: tuple[str, ...], show: Callable[[str], None]) -> None:
    # Not print_or_send: an explicit --send with nothing set up is an error that says what to set.
    _report(deliver(app.config, app.store, app.clock, since, to=to, show=show))


def _report(delivery: Delivery) -> None:
    for note in delivery.notes:
        click.echo(note, err=True)
    for line in delivery.lines:
        click.echo(line)
    if not delivery.ok:
        sys.exit(1)

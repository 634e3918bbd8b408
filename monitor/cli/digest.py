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
from monitor.cli.params import DAY, GROUP_OPTION, OUTPUT_FILE
from monitor.cli.words import words
from monitor.config import LOCK_WAIT, Config
from monitor.digest.deliver import (
    Delivery,
    GroupDelivery,
    deliver,
    each_group,
    heading,
    print_or_send,
)
from monitor.digest.resend import resend
from monitor.lock import run_lock
from monitor.notify.registry import NOTIFIER_NAMES

FORMATS = ["text", "markdown", "blocks", "teams", "email-html"]
# The formats that several groups' digests can follow one another in, each under a heading;
# the others are one JSON or HTML document, so they show one group's.
READABLE = ("text", "markdown")


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
@click.option("--output", type=OUTPUT_FILE, help="Write here.")
@GROUP_OPTION
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
    group: str | None,
) -> None:
    """Show the weekly digest: new calls by area, calls closing soon, changed calls, network
    news and sources that stopped working, in Swedish unless [settings] language = "en".

    With --send it goes to each notifier in [notify] send (by default every one set up):
    Slack ([slack] channel; SLACK_BOT_TOKEN: a thread per area, SLACK_WEBHOOK_URL: one message
    per part), Teams (TEAMS_WEBHOOK_URL) and e-mail ([email]). A digest is recorded before it
    is sent; if sending stops half-way, the next --send sends only what each notifier missed.

    With [[groups]] each group has its own digest, sent to its own notifiers ([groups.slack]
    channel, [groups.email] to, ...): --group ID shows or sends one; without it every group's
    is sent (or shown, each under a heading), one after another.
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
    groups = _groups(app, group, fmt, send)
    day = since.date() if since else None
    if not send:
        _preview(app, groups, fmt, day, output)
        return
    with run_lock(config.settings.database, LOCK_WAIT, on_wait=say_waiting):
        _send(app, groups, day, to, partial(_show, output))


def _groups(app: App, option: str | None, fmt: str, send: bool) -> tuple[str, ...]:
    """The groups to do: the one of --group, else every group. A JSON or HTML preview is one
    document, so with several groups it asks which (App.group: MONITOR_GROUP, else an error)."""
    config = app.config
    if option is not None or (not send and fmt not in READABLE and len(config.group_ids) > 1):
        return (app.group(option),)
    return config.group_ids


def _preview(
    app: App, groups: tuple[str, ...], fmt: str, since: date | None, output: Path | None
) -> None:
    texts: list[str] = []

    def show(config_heading: str, text: str) -> None:
        texts.append(f"== {config_heading} ==\n\n{text}" if config_heading else text)

    def preview_one(config: Config) -> Delivery:
        # a preview records nothing: the reader
        return print_or_send(
            config, app.reader, app.clock, partial(show, heading(config)), send=False,
            fmt=fmt, since=since,
        )  # fmt: skip

    if len(groups) == 1:  # one group: its document alone, as without groups
        config = app.config.for_group(groups[0])
        print_or_send(config, app.reader, app.clock, texts.append, send=False, fmt=fmt, since=since)
        _show(output, "\n".join(texts), config.settings.language)
        return
    done = each_group(app.config, preview_one, groups)
    for group in done:
        for note in group.delivery.notes:
            click.echo(f"{group.heading}: {note}", err=True)
    _show(output, "\n".join(texts), app.config.settings.language)
    if not all(group.delivery.ok for group in done):
        sys.exit(1)  # a group that could not be built (its rules) is not a whole preview


def _show(output: Path | None, text: str, language: str) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, lambda out: out.write(text))
    click.echo(words(language)["wrote_digest"].format(path=output), err=True)


def _send(
    app: App,
    groups: tuple[str, ...],
    since: date | None,
    to: tuple[str, ...],
    show: Callable[[str], None],
) -> None:
    # Not print_or_send: an explicit --send with nothing set up is an error that says what to set.
    def send_one(config: Config) -> Delivery:
        return deliver(config, app.store, app.clock, since, to=to, show=show)

    done = each_group(app.config, send_one, groups)
    for group in done:
        _say(group)
    if not all(group.delivery.ok for group in done):
        sys.exit(1)


def _report(delivery: Delivery) -> None:
    _say(GroupDelivery("", "", delivery))
    if not delivery.ok:
        sys.exit(1)


def _say(done: GroupDelivery) -> None:
    """One group's outcome, under the group's name when there are [[groups]]."""
    if done.heading:
        click.echo(f"{done.heading}:")
    indent = "  " if done.heading else ""
    for note in done.delivery.notes:
        click.echo(indent + note, err=True)
    for line in done.delivery.lines:
        click.echo(indent + line)

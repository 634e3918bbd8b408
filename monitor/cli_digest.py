"""`monitor digest`: preview the weekly digest, or send it to Slack exactly once."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from monitor.app import App
from monitor.digest.build import Built, build_digest
from monitor.notify.console import as_blocks_json, as_markdown, as_text
from monitor.notify.slack import poster_for, send_digest
from monitor.output import write_atomically
from monitor.store.digests import record_digest, unsent_digest


def render(built: Built, fmt: str, channel: str) -> str:
    if fmt == "markdown":
        return as_markdown(built.parts, channel)
    if fmt == "blocks":
        return as_blocks_json(built.parts) + "\n"
    return as_text(built.parts, channel)


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
        built = build_digest(config, app.store, since=since.date() if since else None)
        text = render(built, fmt, config.slack.channel or "#eu-bevakning")
        if output is None:
            click.echo(text, nl=False)
        else:
            write_atomically(output, lambda out: out.write(text))
            click.echo(f"Wrote the digest to {output}.", err=True)
        return
    _send(app, since.date() if since else None)


def _send(app: App, since: date | None) -> None:
    config = app.config
    poster = poster_for(config.slack)
    db = app.store.db
    pending = unsent_digest(db)
    if pending is None:
        built = build_digest(config, app.store, since=since, threads=poster.threads)
        if built.digest.is_empty:
            start = built.digest.period_start.date().isoformat()
            click.echo(f"Nothing new since {start}: no digest sent.")
            return
        record_digest(
            db,
            period_start=built.digest.period_start,
            period_end=built.digest.period_end,
            language=config.settings.language,
            mode="bot" if poster.threads else "webhook",
            parts=built.parts,
            item_ids=built.digest.item_ids(),
        )
        pending = unsent_digest(db)
        assert pending is not None
    else:
        click.echo(
            f"Resuming the digest of {pending.period_end[:10]}: "
            f"{len(pending.missing)} of {len(pending.parts)} messages still to send.",
            err=True,
        )
    result = send_digest(db, pending, poster)
    done = result.skipped + result.posted
    if result.error is None:
        click.echo(f"Sent the digest: {result.posted} messages to Slack ({done} in all).")
        return
    click.echo(
        f"Error: sent {done} of {result.total} messages; {result.error}. "
        "Run `monitor digest --send` again to send the rest.",
        err=True,
    )
    sys.exit(1)

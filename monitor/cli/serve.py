"""`monitor serve`: fetch on schedule and send the weekly digest, until stopped."""

from __future__ import annotations

import logging

import click

from monitor.cli.app import App
from monitor.clock import Clock
from monitor.config import Config, resolve_database_override
from monitor.store import Store


def weekly_digest(config: Config, store: Store, clock: Clock) -> str:
    """Send the digest to Slack; without Slack, print it (it then shows in the service's log)."""
    from monitor.cli.digest import render
    from monitor.digest.build import build_digest
    from monitor.digest.deliver import deliver

    if not config.slack.configured:
        channel = config.slack.shown_channel
        click.echo(render(build_digest(config, store, clock), "text", channel), nl=False)
        return "Slack is not set up: the digest was printed, not sent"
    delivery = deliver(config, store, clock)
    return "\n".join([*delivery.notes, *delivery.lines])


@click.command()
@click.pass_obj
def serve(app: App) -> None:
    """Run unattended: fetch each source on its own `every`, and send the digest on
    [digest] weekday and time (settings.timezone). Stop with Ctrl-C or SIGTERM: the job in hand
    is finished first. A manual `monitor run` meanwhile waits for the job in hand, and the
    scheduler skips a minute while a manual run holds the database.
    """
    from monitor.schedule import Service
    from monitor.schedule import serve as run_service

    logging.getLogger("monitor").setLevel(logging.INFO)
    config = app.config  # validates the config (and says so if the defaults are used) first
    service = Service(
        config.path, resolve_database_override(app.db_option), weekly_digest, app.clock
    )
    run_service(service)

"""`monitor serve`: fetch on schedule and send the weekly digest, until stopped."""

from __future__ import annotations

import logging

import click

from monitor.cli.app import App
from monitor.config import resolve_database_override


@click.command()
@click.option(
    "--slack-only",
    is_flag=True,
    help="Only hear clicks on the Slack cards' menus (no fetch, no digest): for trying the app.",
)
@click.pass_obj
def serve(app: App, slack_only: bool) -> None:
    """Run unattended: fetch each source on its own `every`, and send the digest on
    [digest] weekday and time (settings.timezone). Stop with Ctrl-C or SIGTERM: a fetch in hand
    stops at once (what it stored stays), a digest in hand is sent to its end. A manual
    `monitor run` meanwhile waits for the job in hand, and the scheduler skips a minute while a
    manual run holds the database. With SLACK_APP_TOKEN (and SLACK_BOT_TOKEN) set, clicks on
    the cards' menus in Slack are heard too (Socket Mode).
    """
    from monitor.schedule import serve as run_service  # APScheduler only for this command

    logging.getLogger("monitor").setLevel(logging.INFO)
    config = app.config  # validates the config (and says so if the defaults are used) first
    database = resolve_database_override(app.db_option)
    run_service(config.path, database, app.clock, slack_only=slack_only)

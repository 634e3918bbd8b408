"""The `monitor` command: one function per verb, its docstring is its help.

Domain errors are turned into one line and exit code 1 here, and only here; `-v` shows the
traceback as well.
"""

from __future__ import annotations

import logging
import sys
import traceback

import click

from monitor import __version__
from monitor.app import EXIT_SOURCES_FAILED, App, say_waiting
from monitor.cli_digest import digest, render
from monitor.cli_officials import deadlines, export, search, show
from monitor.cli_report import report
from monitor.cli_rules import rules
from monitor.cli_serve import serve
from monitor.cli_sources import sources
from monitor.digest.build import build_digest
from monitor.errors import MonitorError
from monitor.lock import run_lock
from monitor.pipeline import chosen_sources
from monitor.service import fetch_and_match, summary_lines


class MonitorGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            if _verbose(ctx):
                traceback.print_exc()
            raise click.ClickException(str(exc)) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if _verbose(ctx):
                traceback.print_exc()
            raise click.ClickException(
                f"unexpected error: {type(exc).__name__}: {exc} (run with -v for details)"
            ) from exc


def _verbose(ctx: click.Context) -> bool:
    app = ctx.find_object(App)
    return bool(app and app.verbose)


@click.group(cls=MonitorGroup)
@click.option(
    "--config",
    "config_option",
    metavar="FILE",
    help="The sources file. Default: $MONITOR_CONFIG, else ./sources.toml, else built-in defaults.",
)
@click.option(
    "--db",
    "db_option",
    metavar="FILE",
    help="The SQLite database. Default: $MONITOR_DB, else `database` in [settings].",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens; show tracebacks.")
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def cli(ctx: click.Context, config_option: str | None, db_option: str | None, verbose: bool):
    """EU-bevakning: watch EU funding calls and network news for a municipality."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = App(config_option, db_option, verbose)


@cli.command()
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
    default=600,
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
    config = app.config
    sources = chosen_sources(config, source_ids)
    if not config.settings.rules.exists():
        click.echo(
            f"warning: the rules folder {config.settings.rules} does not exist; "
            "items are stored without matching them to areas",
            err=True,
        )
    store = app.store
    with run_lock(config.settings.database, wait, on_wait=say_waiting):
        summary, _ = fetch_and_match(config, store, sources)
    for line in summary_lines(summary):
        click.echo(line)
    if show_digest and not config.slack.configured:
        channel = config.slack.channel or "#eu-bevakning"
        click.echo("\n" + render(build_digest(config, store), "text", channel), nl=False)
    if summary.failed:
        sys.exit(EXIT_SOURCES_FAILED)


for command in (search, show, deadlines, export):
    cli.add_command(command)
cli.add_command(sources)
cli.add_command(rules)
cli.add_command(digest)
cli.add_command(serve)
cli.add_command(report)


def main() -> None:
    cli(prog_name="monitor")

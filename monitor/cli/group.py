"""The `monitor` command: one function per verb, its docstring is its help.

Domain errors are turned into one line and exit code 1 here, and only here; `-v` shows the
traceback as well.
"""

from __future__ import annotations

import importlib
import logging
import traceback

import click

from monitor import __version__
from monitor.cli.app import App
from monitor.config import secret_values
from monitor.errors import MonitorError
from monitor.redact import Redactor, install

# Each verb lives in its own module, imported only when that verb runs: `monitor search`
# should not pay for importing the HTTP client, feed parsers, Slack or the scheduler.
COMMANDS = {
    "run": "monitor.cli.run:run",
    "search": "monitor.cli.officials:search",
    "show": "monitor.cli.officials:show",
    "deadlines": "monitor.cli.officials:deadlines",
    "export": "monitor.cli.officials:export",
    "sources": "monitor.cli.sources:sources",
    "rules": "monitor.cli.rules:rules",
    "digest": "monitor.cli.digest:digest",
    "serve": "monitor.cli.serve:serve",
    "report": "monitor.cli.report:report",
    "track": "monitor.cli.track:track",
    "tracked": "monitor.cli.tracked:tracked",
    "feedback": "monitor.cli.feedback:feedback",
    "groups": "monitor.cli.groups:groups",
}


class MonitorGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            if _verbose(ctx):
                _print_traceback()
            raise click.ClickException(Redactor(secret_values())(str(exc))) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            raise  # `monitor sources | head`: click ends quietly when the reader has gone
        except Exception as exc:
            if _verbose(ctx):
                _print_traceback()
            said = Redactor(secret_values())(f"{type(exc).__name__}: {exc}")
            raise click.ClickException(
                f"unexpected error: {said} (run with -v for details)"
            ) from exc


def _print_traceback() -> None:
    click.echo(Redactor(secret_values())(traceback.format_exc()), err=True, nl=False)


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
    install(Redactor(secret_values()))  # libraries' loggers too: slack-sdk and httpx log URLs
    ctx.obj = App(config_option, db_option, verbose)


def main() -> None:
    cli(prog_name="monitor")

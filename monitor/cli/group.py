"""The `monitor` command: one function per verb, its docstring is its help.

Domain errors are turned into one line and exit code 1 here, and only here; `-v` shows the
traceback as well.
"""

from __future__ import annotations

import gc
import importlib
import sys
import types
from collections.abc import Callable

import click

from monitor import __version__
from monitor.cli.failure import UNEXPECTED, Failure
from monitor.errors import MonitorError

# httpx imports its own command line, and with it rich and pygments, whenever they are installed
# (rich is, for our terminal tables): ~40 ms of every command that fetches, for a program we
# never run. An empty module in its place makes httpx fall back to its stub, as without them.
sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))

# Each verb lives in its own module, imported only when that verb runs: `monitor search`
# should not pay for importing the HTTP client, feed parsers, Slack or the scheduler. What
# only a running verb needs (the config, the App, logging) is imported when one runs, so
# `monitor --help` imports none of it.
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

# The officials' questions: reading the database through plain sqlite3 they log nothing
# (tests/test_startup.py checks that `logging` stays unimported), so unless -v asks for the
# log they set it up only if they open the store after all (App.reader: a database to create
# or migrate), which may log. Importing logging is a few ms of their start-up.
UNLOGGED = frozenset({"search", "show", "deadlines", "export"})


# Each verb's summary (the first sentence of its docstring; a test keeps them equal), so that
# `monitor --help` lists the verbs without importing one.
SUMMARIES = {
    "deadlines": "Upcoming deadlines of open and forthcoming calls, soonest first, with days left.",
    "digest": "Show the weekly digest: new calls by area, calls closing soon, changed calls, "
    'network news and sources that stopped working, in Swedish unless [settings] language = "en".',
    "export": "Write stored items, with all their fields and areas, as JSON, JSON Lines, CSV or "
    "iCalendar.",
    "feedback": "Say whether a call is relevant for the kommun, optionally for one area.",
    "groups": "List the groups: id, name, rule folder, where its digest goes, the sources that "
    "serve it, how many items its rules judged and put in the digest, and the calls it tracks.",
    "report": "Write the yearly report for kommunstyrelsen, as Markdown or HTML.",
    "rules": "List the priority areas: id, name, number of terms, threshold and Slack channel.",
    "run": "Fetch every enabled source once, store what is new or changed, and match it to areas.",
    "search": "Search stored calls and news: best match first.",
    "serve": "Run unattended: fetch each source on its own `every`, and send the digest on "
    "[digest] weekday and time (settings.timezone).",
    "show": "Everything about one item: every field, its change history, its areas with the "
    "phrases that matched, and the news that mention it.",
    "sources": "List every source with its kind, last run, item count and health.",
    "track": "Record a call's state for a förvaltning: interested, applying, submitted, granted, "
    "rejected or not-for-us (the Swedish labels are understood too: söker, inte för oss).",
    "tracked": "The tracked calls: each call and förvaltning with its state, next deadline and "
    "the days left, the amount (kronor) and the last change; soonest deadline first.",
}


class MonitorGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The verbs and their summaries from the tables above: no verb module is imported."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUMMARIES[name]) for name in self.list_commands(ctx)])

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
            raise Failure(_redactor()(str(exc))) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            raise  # `monitor sources | head`: click ends quietly when the reader has gone
        except Exception as exc:
            if _verbose(ctx):
                _print_traceback()
            said = _redactor()(f"{type(exc).__name__}: {exc}")
            raise Failure(UNEXPECTED.format(said=said)) from exc


def _redactor() -> Callable[[str], str]:
    from monitor.config import secret_values
    from monitor.redact import Redactor

    return Redactor(secret_values())


def _print_traceback() -> None:
    import traceback

    click.echo(_redactor()(traceback.format_exc()), err=True, nl=False)


def _verbose(ctx: click.Context) -> bool:
    from monitor.cli.app import App

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
    from monitor.cli.app import App

    app = App(config_option, db_option, verbose)
    if verbose or ctx.invoked_subcommand not in UNLOGGED:
        # serve's log is a service's journal: every record with its level and logger
        app.set_up_logging(detailed=ctx.invoked_subcommand == "serve")
    ctx.obj = app
    ctx.call_on_close(app.close)  # the database folded back and closed before the exit


def main() -> None:
    try:
        cli(prog_name="monitor")
    finally:
        # At exit the interpreter collects every object it still holds, several times over
        # as it empties each module: about 0.1 s after a run, spent on memory the system takes
        # back anyway. Frozen objects are not collected; what holds a resource (the database)
        # was closed with the command.
        gc.freeze()

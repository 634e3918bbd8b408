"""`monitor report`: the yearly compilation for the municipal executive board."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.app import App
from monitor.cli.output import write_atomically
from monitor.cli.params import GROUP_OPTION, OUTPUT_FILE
from monitor.cli.words import words
from monitor.errors import MonitorError
from monitor.report.build import FORMATS, build_report, render

# What --output may end in, and the format each means.
_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "markdown", ".html": "html"}
_SUFFIXES[".htm"] = "html"


@click.command()
@click.option(
    "--year",
    type=click.IntRange(1970, 9998),
    help="The calendar year to report on. Default: the current year (in [settings] timezone).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Default: html when --output ends in .html or .htm, else markdown.",
)
@click.option("--output", type=OUTPUT_FILE, help="Write here, not to stdout.")
@GROUP_OPTION
@click.pass_obj
def report(
    app: App, year: int | None, fmt: str | None, output: Path | None, group: str | None
) -> None:
    """Write the yearly report for kommunstyrelsen, as Markdown or HTML.

    Calls seen and matched per area, month and programme; the calls that closed in the year, by
    area; new sources and how every source worked. In Swedish unless [settings] language = "en".

    Markdown has headings and tables; HTML is one self-contained file with the same content and
    a bar chart of matched calls per area and month. A year without data gives a report that
    says so. With [[groups]], the group's calls, areas and applications.
    """
    group_id = app.group(group)
    suffix = output.suffix.lower() if output else ""
    if suffix and suffix not in _SUFFIXES:
        raise MonitorError(
            f"cannot write a report as {suffix}: the report is Markdown (.md) or HTML (.html,"
            " .htm); open the HTML in a browser and print it to PDF"
        )
    if fmt is None:
        fmt = _SUFFIXES.get(suffix, "markdown")
    config = app.config
    today = app.clock.today(config.settings.timezone)  # the default year; a year in progress ends
    doc = build_report(config, app.reader, year or today.year, today, group=group_id)
    text = render(doc, fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, lambda out: out.write(text))
    said = words(config.settings.language)["wrote_report"]
    click.echo(said.format(year=year or today.year, path=output), err=True)

"""The officials' questions: search, show one item, upcoming deadlines, exports."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from monitor.cli.app import App
from monitor.cli.output import (
    write_atomically,
    write_csv,
    write_export_excel_csv,
    write_json,
    write_jsonl,
    write_table,
)
from monitor.cli.params import DAY, GROUP_OPTION, KIND, OUTPUT_FILE, RELEVANCE, STATUS
from monitor.cli.words import VALUE_FIELDS, field_label, local_time, words
from monitor.errors import MonitorError
from monitor.models import DEFAULT_GROUP
from monitor.store.columns import JSON_COLUMNS
from monitor.store.queries import (
    SearchFilters,
    all_items,
    known_filter_values,
    left_out_terms,
    programme_stored,
    search_items,
    upcoming_deadlines,
)
from monitor.vocabulary import Query, Vocabulary, matched

if TYPE_CHECKING:
    from monitor.rules import RuleSet

_DATE = DAY


def _date(value: datetime | None) -> date | None:
    return value.date() if value else None


def _write_rows(
    rows: list[dict[str, Any]], fmt: str, language: str, notes: Sequence[str | None] = ()
) -> None:
    if fmt == "json":
        write_json(rows, sys.stdout)
    elif fmt == "csv":
        write_csv(rows, sys.stdout)
    elif rows:
        write_table(rows, sys.stdout, notes=notes, language=language)
    else:
        click.echo(words(language)["no_items"], err=True)


_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)


@click.command()
@click.argument("query", nargs=-1)
@click.option("--status", type=STATUS)
@click.option("--programme", metavar="NAME", help="Abbreviation (LIFE) or part of the name.")
@click.option("--kind", type=KIND, help="Only calls or only news.")
@click.option("--area", metavar="AREA", help="Only items matched to this priority area.")
@click.option("--source", metavar="ID", help="Only items from this source.")
@click.option("--since", type=_DATE, help="Only items first seen on or after this date.")
@click.option("--deadline-before", type=_DATE, help="Next deadline on or before.")
@click.option("--deadline-after", type=_DATE, help="Next deadline on or after.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option(
    "--exact", is_flag=True, help="Only the words as typed, not their Swedish/English equivalents."
)
@_FORMAT
@GROUP_OPTION
@click.pass_obj
def search(
    app: App,
    query: tuple[str, ...],
    fmt: str,
    limit: int,
    exact: bool,
    group: str | None,
    **options: Any,
) -> None:
    """Search stored calls and news: best match first.

    QUERY words must all match title, text, identifier or programme: a word also finds its
    inflections (kommuner finds kommunen), and a word or phrase of the vocabulary its Swedish or
    English equivalents (klimatanpassning finds "climate adaptation", school finds skola; the
    table says which matched; --exact turns this off). `klimat*` finds every word starting with
    klimat, `OR` between words finds either, `NOT` before a word leaves out what has it (and
    its equivalents), and a, o find å, ä, ö. No quotes needed. Without
    QUERY, every item that passes the filters is listed, soonest deadline first. With
    [[groups]], the items of the sources that serve the group, as its rules judged them.
    """
    for key in ("since", "deadline_before", "deadline_after"):
        options[key] = _date(options[key])
    group_id = app.group(group)
    _check_filters(app, options["area"], options["source"], options["programme"], group_id)
    text = " ".join(query) or None
    terms = _vocabulary(app).terms(text, exact=exact) if text else None
    filters = SearchFilters(**options)
    rows = search_items(app.read_db, text, filters, limit, terms, group=group_id)
    notes = [_matched_note(terms or [], row, app) for row in rows] if fmt == "table" else []
    _write_rows(rows, fmt, app.settings_config.settings.language, notes)


def _check_filters(
    app: App,
    area: str | None,
    source: str | None,
    programme: str | None = None,
    group: str = DEFAULT_GROUP,
) -> None:
    """An unknown area, source or programme is an error listing the known ones: a typo must not
    look like an empty history."""
    if area is None and source is None and programme is None:
        return
    known = known_filter_values(app.read_db, group=group)
    if area is not None:
        areas = sorted({*known["area"], *_rule_area_ids(app)})
        if area not in areas:
            raise MonitorError(f"unknown --area '{area}' (known: {_listed(areas)})")
    if source is not None:
        sources = sorted({*known["source"], *_configured_sources(app)})
        if source not in sources:
            raise MonitorError(f"unknown --source '{source}' (known: {_listed(sources)})")
    if programme is not None and not programme_stored(app.read_db, programme):
        raise MonitorError(
            f"no stored item has the programme '{programme}' (an abbreviation or part of a"
            f" programme's name; stored: {_listed(known['programme'])})"
        )


def _listed(values: list[str]) -> str:
    return ", ".join(values) if values else "none yet: run `monitor run` first"


def _rule_area_ids(app: App) -> list[str]:
    rules = _rules(app)
    return list(rules.area_ids) if rules else []


def _configured_sources(app: App) -> list[str]:
    try:
        return [src.id for src in app.config.sources]
    except MonitorError:  # a broken sources.toml: the stored sources still count
        return []


def _rules(app: App) -> RuleSet | None:
    """The rules, or None when they are missing or cannot be read (a search needs none)."""
    from monitor.rules import load_rules

    folder = app.settings_config.settings.rules
    try:
        return load_rules(folder) if folder.exists() else None
    except MonitorError:
        return None


def _vocabulary(app: App) -> Vocabulary:
    """The shipped Swedish-English concepts and the rules' groups of forms (kept between
    searches: reading the rules for them costs more than the search)."""
    from monitor.config import cache_folder
    from monitor.vocabulary_cache import search_vocabulary

    return search_vocabulary(app.settings_config.settings.rules, cache_folder())


def _matched_note(terms: Query, row: dict[str, Any], app: App) -> str | None:
    """Which word of each expanded term the hit holds: "träff: climate adaptation (för
    klimatanpassning)"."""
    said = words(app.settings_config.settings.language)
    found = []
    left_out = left_out_terms(terms)
    for n, term in enumerate(terms):
        if isinstance(term, str) or not term.expanded or n in left_out:
            continue
        phrase = matched(
            term, row["title"], row["description"], row["identifier"], row["programme"]
        )
        if phrase is None:  # found by the search stems only
            continue
        same = phrase.words == term.phrases[0].words
        found.append(
            phrase.text if same else said["matched_for"].format(found=phrase.text, typed=term.typed)
        )
    return said["matched"].format(words=", ".join(found)) if found else None


@click.command()
@click.option(
    "--within",
    type=click.IntRange(0, 36_500),
    default=60,
    show_default=True,
    help="Days ahead (at most 100 years).",
)
@click.option("--area", metavar="AREA", help="Only calls matched to this priority area.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Every call, not only those the rules put in the digest.",
)
@_FORMAT
@GROUP_OPTION
@click.pass_obj
def deadlines(
    app: App, within: int, area: str | None, everything: bool, fmt: str, group: str | None
) -> None:
    """Upcoming deadlines of open and forthcoming calls, soonest first, with days left."""
    group_id = app.group(group)
    _check_filters(app, area, None, None, group_id)
    settings = app.settings_config.settings
    said = words(settings.language)
    today = app.clock.today(settings.timezone)
    rows = upcoming_deadlines(
        app.read_db,
        today,
        within,
        area=area,
        everything=everything,
        group=group_id,
        table=fmt == "table",
    )
    if fmt != "table":
        _write_rows(rows, fmt, settings.language)
        return
    if not rows:
        click.echo(said["no_deadlines"].format(days=within), err=True)
        return
    for row in rows:
        days = (date.fromisoformat(row["deadline"]) - today).days
        row["deadline"] = f"{row['deadline']} ({said['days_left'].format(n=days)})"
    write_table(rows, sys.stdout, language=settings.language)


@click.command()
@click.argument("item")
@GROUP_OPTION
@click.pass_obj
def show(app: App, item: str, group: str | None) -> None:
    """Everything about one item: every field, its change history, its areas with the phrases
    that matched, and the news that mention it. With [[groups]], the tier and areas are the
    group's.

    ITEM is an item id (eu-portal:LIFE-2026-SAP-CLIMA-CCA) or a call identifier.
    """
    from monitor.store.item_details import item_details

    settings = app.settings_config.settings
    language, zone = settings.language, settings.timezone
    said = words(language)
    details = item_details(app.read_db, item, group=app.group(group))
    row = details.row
    hidden = {"search_stems", "uid", "budget", "description", "conditions", "details_url"}
    hidden |= set(_CALL_FACTS)
    width = max(len(field_label(k, language)) for k in row)
    for key, value in row.items():
        if key in hidden or value in (None, "", "[]"):
            continue
        if key in JSON_COLUMNS:
            value = ", ".join(json.loads(value))
        elif key in _STAMPS:  # stored in UTC: said in the configured zone, with its name
            value = local_time(value, zone)
        elif key in VALUE_FIELDS:
            value = said.get(value, value)
        elif key == "relevant":
            value = said["yes" if value else "no"]
        if key == "summary":
            value = _wrap(str(value), width + 2)
        click.echo(f"{field_label(key, language).ljust(width)}  {value}")
    _call_facts(row)
    _section(
        said["areas"],
        [f"{m.area} ({said['score']} {m.score:g}): {', '.join(m.phrases)}" for m in details.areas],
    )
    _section(
        said["changes"],
        [
            f"{local_time(c.changed_at, zone)}  {field_label(c.field, language)}:"
            f" {c.old or '-'} -> {c.new or '-'}"
            for c in details.changes
        ],
    )
    _section(
        said["mentioned_in"],
        [f"{n.title} ({n.source}) {n.url or ''}" for n in details.mentioned_in],
    )
    _section(said["names"], details.names)


# The columns that hold a moment in UTC (the others hold dates).
_STAMPS = ("first_seen", "last_seen", "matched_at")


# Column -> the Swedish label `show` prints it under.
_CALL_FACTS = {
    "types_of_action": "Typ av åtgärd",
    "programme_divisions": "Programdel",
    "tags": "Taggar",
    "cross_cutting_priorities": "Tvärgående prioriteringar",
    "expected_grants": "Antal bidrag",
    "min_contribution": "Minsta bidrag",
    "max_contribution": "Högsta bidrag",
    "deadline_model": "Ansökan i steg",
}
_DEADLINE_MODELS = {"single-stage": "ett steg", "two-stage": "två steg"}


def _call_facts(row: dict[str, Any]) -> None:
    """The call's facts from the portal's topic details, under Swedish labels, then its full
    text and conditions."""
    lines = []
    if row.get("budget") is not None:
        lines.append(("Budget", _euro(row["budget"])))
    for key, label in _CALL_FACTS.items():
        value = row.get(key)
        if value in (None, "", "[]"):
            continue
        if isinstance(value, str) and value.startswith("["):
            value = ", ".join(json.loads(value))
        elif key.endswith("_contribution"):
            value = _euro(value)
        elif key == "deadline_model":
            value = _DEADLINE_MODELS.get(value, value)
        lines.append((label, str(value)))
    if row.get("details_url"):
        lines.append(("Fulltext från", row["details_url"]))
    if lines:
        width = max(len(label) for label, _ in lines)
        click.echo("\nUtlysningen:")
        for label, value in lines:
            click.echo(f"  {label.ljust(width)}  {_wrap(value, width + 4)}")
    if row.get("description") and row["description"] != row.get("summary"):
        click.echo(f"\nBeskrivning:\n  {_wrap(row['description'], 2)}")
    if row.get("conditions"):
        click.echo(f"\nVillkor:\n  {_wrap(row['conditions'], 2)}")


def _euro(amount: float) -> str:
    return f"{amount:,.0f}".replace(",", " ") + " EUR"


def _section(title: str, lines: list[str]) -> None:
    if lines:
        click.echo(f"\n{title}:")
        for line in lines:
            click.echo(f"  {line}")


def _wrap(text: str, indent: int, width: int = 100) -> str:
    import textwrap

    return textwrap.fill(text, width=width, subsequent_indent=" " * indent)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "csv", "ics"]),
    default="json",
    show_default=True,
    help="ics = an iCalendar file of deadlines (and openings of forthcoming calls).",
)
@click.option("--area", metavar="AREA", help="Only items matched to this priority area.")
@click.option("--source", metavar="ID", help="Only items from this source.")
@click.option("--programme", metavar="NAME", help="Abbreviation (LIFE) or part of the name.")
@click.option("--status", type=STATUS)
@click.option(
    "--relevance",
    type=RELEVANCE,
    help="Only this tier: relevant (the digest's main list), maybe or no (kanske, nej).",
)
@click.option(
    "--tracked",
    is_flag=True,
    help="Only calls a förvaltning tracks as interested, applying or submitted (`monitor"
    " track`); in iCalendar each event names the förvaltning.",
)
@click.option(
    "--excel",
    is_flag=True,
    help="With --format csv: for Excel set to Swedish (UTF-8 with BOM, `;`, decimal comma).",
)
@click.option("--output", type=OUTPUT_FILE, help="Write here.")
@GROUP_OPTION
@click.pass_obj
def export(
    app: App,
    fmt: str,
    area: str | None,
    source: str | None,
    programme: str | None,
    status: str | None,
    relevance: str | None,
    tracked: bool,
    excel: bool,
    output: Path | None,
    group: str | None,
) -> None:
    """Write stored items, with all their fields and areas, as JSON, JSON Lines, CSV or iCalendar.

    Dates are ISO 8601; `deadline` is the next deadline and `deadlines` all of them. In the
    iCalendar file each deadline is an all-day event whose UID stays the same between exports,
    so a calendar that imports it again updates its events instead of adding new ones. With
    [[groups]], the group's items, tiers, areas and tracked calls.
    """
    if excel and fmt != "csv":
        raise MonitorError("--excel is for --format csv (a CSV file for Excel set to Swedish)")
    group_id = app.group(group)
    _check_filters(app, area, source, programme, group_id)
    language = app.settings_config.settings.language
    rows: Iterable[dict[str, Any]]
    filters = SearchFilters(
        area=area, source=source, programme=programme, status=status, relevance=relevance
    )
    rows = all_items(app.read_db, filters, group=group_id)
    units: dict[str, list[tuple[str, str]]] = {}
    if tracked:
        units = _tracking_units(app, language, group_id)
        rows = (row for row in rows if row["id"] in units)
    if fmt == "ics":
        from monitor.cli.ics import write_ics

        now = app.clock.now()

        def writer(rows, out):
            return write_ics(
                rows, out, language=language, now=now, units=units if tracked else None
            )
    else:
        csv_writer = write_export_excel_csv if excel else write_csv
        writer = {"json": write_json, "jsonl": write_jsonl, "csv": csv_writer}[fmt]
    if output is None:
        writer(rows, sys.stdout)
        return
    count = write_atomically(output, lambda out: writer(rows, out))
    said = words(language)
    noun = said["events" if fmt == "ics" else "items"]
    click.echo(said["wrote"].format(count=count, noun=noun, path=output), err=True)


def _tracking_units(app: App, language: str, group: str) -> dict[str, list[tuple[str, str]]]:
    """Item id -> (unit, its state's label) for each unit still working on the call."""
    from monitor.store.tracking import tracked_calls
    from monitor.tracking import ACTIVE, state_label

    units: dict[str, list[tuple[str, str]]] = {}
    for row in tracked_calls(app.read_db, states=ACTIVE, group=group):
        label = state_label(row["state"], language)
        units.setdefault(row["item_id"], []).append((row["unit"], label))
    return units

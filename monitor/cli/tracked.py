"""`monitor tracked`: the calls the förvaltningar track, with their deadlines and history."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from monitor.cli.app import App
from monitor.cli.output import aligned_lines, write_excel_csv
from monitor.cli.params import GROUP_OPTION
from monitor.errors import MonitorError
from monitor.store.tracking import tracked_calls, tracking_history, units
from monitor.tracking import parse_state, same_unit, state_label

_HEADER = (
    "UTLYSNING",
    "FÖRVALTNING",
    "LÄGE",
    "SISTA DAG",
    "DAGAR KVAR",
    "BELOPP (KR)",
    "ÄNDRAD",
    "TITEL",
)
_CSV_HEADER = (
    "Utlysning",
    "Förvaltning",
    "Läge",
    "Sista dag",
    "Dagar kvar",
    "Belopp (kr)",
    "Ändrad",
    "Av",
    "Anteckning",
    "Titel",
    "Länk",
)


@click.command()
@click.option("--state", "state_text", metavar="S", help="Only this state (code or Swedish label).")
@click.option("--unit", help="Only this förvaltning.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="csv opens in Swedish Excel (UTF-8 with BOM, ';'); json has each call's history.",
)
@GROUP_OPTION
@click.pass_obj
def tracked(
    app: App, state_text: str | None, unit: str | None, fmt: str, group: str | None
) -> None:
    """The tracked calls: each call and förvaltning with its state, next deadline and the days
    left, the amount (kronor) and the last change; soonest deadline first. With [[groups]],
    the group's own."""
    group_id = app.group(group)
    states = (parse_state(state_text),) if state_text else ()
    db = app.reader.db
    if unit is not None:
        known = units(db, group=group_id)
        unit = same_unit(known, unit)
        if known and unit not in known:  # a typo must not read as "nothing tracked"
            raise MonitorError(f"unknown --unit '{unit}' (known: {', '.join(sorted(known))})")
    settings = app.settings_config.settings
    zone = ZoneInfo(settings.timezone)
    today = app.clock.today(settings.timezone)
    rows = [
        _view(r, today, zone, settings.language)
        for r in tracked_calls(db, states=states, unit=unit, group=group_id)
    ]
    if fmt == "json":
        history = tracking_history(db, group=group_id)
        for row in rows:
            row["history"] = [
                _change(c, settings.language)
                for c in history.get((row["item_id"], row["unit"]), [])
            ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == "csv":
        write_excel_csv(
            _CSV_HEADER,
            (
                (
                    r["identifier"],
                    r["unit"],
                    r["state_label"],
                    r["deadline"],
                    r["days_left"],
                    r["amount"],
                    r["changed_day"],
                    r["changed_by"],
                    r["note"],
                    r["title"],
                    r["url"],
                )
                for r in rows
            ),
            sys.stdout,
        )
    elif not rows:
        click.echo("Inga bevakade utlysningar.", err=True)
    else:
        lines = [
            (
                r["identifier"],
                r["unit"],
                r["state_label"],
                r["deadline"] or "-",
                _days(r["days_left"]),
                _kronor(r["amount"]),
                r["changed_day"],
                r["title"],
            )
            for r in rows
        ]
        for line in aligned_lines(_HEADER, lines):
            click.echo(line)


def _view(row: dict[str, Any], today: date, zone: ZoneInfo, language: str) -> dict[str, Any]:
    deadline = row["deadline"]
    return {
        "identifier": row["identifier"] or row["item_id"],
        "item_id": row["item_id"],
        "title": row["title"],
        "url": row["url"],
        "unit": row["unit"],
        "state": row["state"],
        "state_label": state_label(row["state"], language),
        "deadline": deadline,
        "days_left": (date.fromisoformat(deadline) - today).days if deadline else None,
        "amount": row["amount"],
        "note": row["note"],
        "changed_by": row["changed_by"],
        "changed_at": row["changed_at"],
        "changed_day": _local_day(row["changed_at"], zone),
    }


def _change(change: dict[str, Any], language: str) -> dict[str, Any]:
    old = change["old_state"]
    return {
        "from": old,
        "from_label": state_label(old, language) if old else None,
        "to": change["new_state"],
        "to_label": state_label(change["new_state"], language),
        "by": change["changed_by"],
        "note": change["note"],
        "amount": change["amount"],
        "at": change["changed_at"],
    }


def _local_day(stamp: str, zone: ZoneInfo) -> str:
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date().isoformat()


def _days(days: int | None) -> str:
    if days is None:
        return "-"
    return "passerad" if days < 0 else str(days)


def _kronor(amount: int | None) -> str:
    return "-" if amount is None else f"{amount:,}".replace(",", " ")

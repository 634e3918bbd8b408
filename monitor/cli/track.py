"""`monitor track`: record what a förvaltning does with a call."""

from __future__ import annotations

import click

from monitor.cli.app import App
from monitor.cli.params import GROUP_OPTION
from monitor.errors import MonitorError
from monitor.store.queries import find_item
from monitor.store.tracking import track as record
from monitor.store.tracking import units
from monitor.tracking import STATES, parse_amount, parse_state, same_unit, state_label

_STATES_HELP = ", ".join(f"{s.code} ({s.sv})" for s in STATES)


@click.command()
@click.argument("identifier")
@click.option("--state", "state_text", required=True, metavar="S", help=f"{_STATES_HELP}.")
@click.option("--unit", required=True, help='The förvaltning, e.g. "Miljöförvaltningen".')
@click.option("--by", metavar="NAME", help="Who made the change.")
@click.option("--note", help="A note kept in the history.")
@click.option(
    "--amount",
    "amount_text",
    metavar="KRONOR",
    help="Applied for or granted, in whole Swedish kronor (SEK), e.g. 1200000 or '1 200 000'.",
)
@GROUP_OPTION
@click.pass_obj
def track(
    app: App,
    identifier: str,
    state_text: str,
    unit: str,
    by: str | None,
    note: str | None,
    amount_text: str | None,
    group: str | None,
) -> None:
    """Record a call's state for a förvaltning: interested, applying, submitted, granted,
    rejected or not-for-us (the Swedish labels are understood too: söker, inte för oss).

    IDENTIFIER is the call's identifier as the digest shows it (LIFE-2026-SAP-CLIMA-CCA) or a
    stored item id, in any case. Every change is kept with who, when, the note and the amount;
    `monitor tracked` lists them. Amounts are in kronor: the kommun's budget and its report to
    kommunstyrelsen are in kronor, whatever currency the funder pays in. With [[groups]], the
    call is tracked for the group only.
    """
    # Everything is checked before anything is written: a mistake stores nothing.
    group_id = app.group(group)
    state = parse_state(state_text)
    amount = parse_amount(amount_text) if amount_text is not None else None
    db = app.store.db
    row = find_item(db, identifier)
    if row["kind"] != "call":
        raise MonitorError(f"'{identifier}' is a news item, not a call: track the call it names")
    unit = same_unit(units(db, group=group_id), unit)
    now = app.clock.now()
    done = record(
        db, row["id"], unit, state, now=now, amount=amount, note=note, by=by, group=group_id
    )
    language = app.settings_config.settings.language
    name = row["identifier"] or row["id"]
    new = state_label(done.new_state, language)
    if done.old_state is None or done.old_state == done.new_state:
        click.echo(f"{name}, {unit}: {new}")
    else:
        click.echo(f"{name}, {unit}: {state_label(done.old_state, language)} -> {new}")

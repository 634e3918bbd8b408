"""`monitor feedback`: the group's judgement of a call, a label for the rules."""

from __future__ import annotations

import click

from monitor.cli.app import App
from monitor.errors import MonitorError, RuleError
from monitor.store.queries import find_item
from monitor.store.tracking import add_feedback
from monitor.tracking import parse_verdict


@click.command()
@click.argument("identifier")
@click.argument("verdict_text", metavar="relevant|not-relevant")
@click.option("--area", metavar="AREA", help="The priority area (an id `monitor rules` lists).")
@click.option("--by", metavar="NAME", help="Who judged it.")
@click.pass_obj
def feedback(
    app: App, identifier: str, verdict_text: str, area: str | None, by: str | None
) -> None:
    """Say whether a call is relevant for the kommun, optionally for one area.

    `relevant --area AREA` says the call belongs in that area; `not-relevant` says it is not for
    the kommun, and with `--area` only that it is not for that area (a wrong thread). `monitor
    rules eval --feedback` scores the rules against these judgements and `rules train` learns
    from them. IDENTIFIER is the call's identifier or a stored item id, in any case.
    """
    verdict = parse_verdict(verdict_text)
    if area is not None:
        area = _known_area(app, area)
    row = find_item(app.store.db, identifier)
    if row["kind"] != "call":
        raise MonitorError(f"'{identifier}' is a news item, not a call: judge the call it names")
    add_feedback(app.store.db, row["id"], verdict, now=app.clock.now(), area=area, by=by)
    where = f" ({area})" if area else ""
    click.echo(f"{row['identifier'] or row['id']}: {verdict}{where}")


def _known_area(app: App, area: str) -> str:
    from monitor.rules import load_rules

    rules_dir = app.settings_config.settings.rules
    if not rules_dir.exists():
        raise RuleError(f"the rules folder {rules_dir} does not exist: --area cannot be checked")
    ids = [a.id for a in load_rules(rules_dir).areas]
    for known in ids:
        if known.casefold() == area.strip().casefold():
            return known
    raise MonitorError(f"unknown area '{area}': use one of {', '.join(ids)}")

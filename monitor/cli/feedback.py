"""`monitor feedback`: the group's judgement of a call, a label for the rules."""

from __future__ import annotations

import click

from monitor.cli.app import App
from monitor.cli.params import GROUP_OPTION
from monitor.cli.words import words
from monitor.errors import MonitorError, RuleError
from monitor.store.queries import find_item
from monitor.store.tracking import add_feedback
from monitor.tracking import parse_verdict


@click.command()
@click.argument("identifier")
@click.argument("verdict_text", metavar="relevant|not-relevant")
@click.option("--area", metavar="AREA", help="The priority area (an id `monitor rules` lists).")
@click.option("--by", metavar="NAME", help="Who judged it.")
@GROUP_OPTION
@click.pass_obj
def feedback(
    app: App,
    identifier: str,
    verdict_text: str,
    area: str | None,
    by: str | None,
    group: str | None,
) -> None:
    """Say whether a call is relevant for the kommun, optionally for one area.

    `relevant --area AREA` says the call belongs in that area; `not-relevant` says it is not for
    the kommun, and with `--area` only that it is not for that area (a wrong thread). `monitor
    rules eval --feedback` scores the rules against these judgements and `rules train` learns
    from them. IDENTIFIER is the call's identifier or a stored item id, in any case. With
    [[groups]], the judgement is the group's.
    """
    group_id = app.group(group)
    verdict = parse_verdict(verdict_text)
    if area is not None:
        area = _known_area(app, area)
    row = find_item(app.store.db, identifier)
    if row["kind"] != "call":
        raise MonitorError(f"'{identifier}' is a news item, not a call: judge the call it names")
    now = app.clock.now()
    add_feedback(app.store.db, row["id"], verdict, now=now, area=area, by=by, group=group_id)
    where = f" ({area})" if area else ""
    said = words(app.settings_config.settings.language)[f"verdict_{verdict}"]
    click.echo(f"{row['identifier'] or row['id']}: {said}{where}")


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

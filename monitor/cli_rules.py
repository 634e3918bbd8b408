"""`monitor rules`: what the admin needs to write, test and measure keyword rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.app import App
from monitor.errors import MonitorError, RuleError
from monitor.matching import item_fields, load_matcher, match_and_store
from monitor.output import aligned_lines
from monitor.store.queries import find_item, item_by_identifier, item_count


def _matcher(app: App):
    rules_dir = app.settings_config.settings.rules
    matcher = load_matcher(rules_dir)
    if matcher is None:
        raise RuleError(f"the rules folder {rules_dir} does not exist")
    return matcher


@click.group(invoke_without_command=True)
@click.pass_context
def rules(ctx: click.Context) -> None:
    """List the priority areas: id, name, number of terms, threshold and Slack channel."""
    if ctx.invoked_subcommand is not None:
        return
    from monitor.rules import load_rules

    app: App = ctx.obj
    rules_dir = app.settings_config.settings.rules
    if not rules_dir.exists():
        raise RuleError(f"the rules folder {rules_dir} does not exist")
    ruleset = load_rules(rules_dir)
    rows = [
        (a.id, str(len(a.terms)), f"{a.threshold:g}", a.slack_channel or "-", a.name)
        for a in ruleset.areas
    ]
    for line in aligned_lines(("AREA", "TERMS", "THRESHOLD", "CHANNEL", "NAME"), rows):
        click.echo(line)
    gate = ruleset.gate
    click.echo(
        f"\nRelevance gate: {len(gate.can_apply) + len(gate.serves_municipal)} signals that a "
        f"municipality can take part, {len(gate.research_only) + len(gate.not_a_call)} against, "
        f"{len(gate.rule_out) + len(gate.programmes_rule_out)} that rule an item out; "
        f"threshold {gate.threshold:g}."
    )


@rules.command("test")
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.File("r", encoding="utf-8"), help="Read the text here.")
@click.pass_obj
def test_text(app: App, text: str | None, file_) -> None:
    """Show which areas and phrases match a text, and whether it passes the relevance gate."""
    if file_ is not None:
        text = file_.read()
    if not text:
        raise MonitorError("give a text to test, or --file FILE")
    click.echo(_matcher(app).explain({"title": "", "summary": text}))


@rules.command()
@click.argument("item")
@click.pass_obj
def explain(app: App, item: str) -> None:
    """Show why a stored item matched its areas, or why not (the gate included).

    ITEM is an item id (eu-portal:LIFE-2026-SAP-CLIMA-CCA) or a call identifier.
    """
    row = find_item(app.store.db, item)
    click.echo(f"{row['id']}: {row['title']}")
    click.echo(_matcher(app).explain(item_fields(row)))


@rules.command()
@click.pass_obj
def reapply(app: App) -> None:
    """Match every stored item again, after the rules have changed."""
    matcher = _matcher(app)
    total = item_count(app.store.db)
    relevant = match_and_store(app.store, matcher, None)
    click.echo(f"Matched {total} items again: {relevant} belong in the digest.")


@rules.command("eval")
@click.argument("labels_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def eval_(app: App, labels_file: Path) -> None:
    """Measure the rules against labelled calls: precision, recall and F1, misses and false alarms.

    LABELS_FILE maps call identifiers to {"relevant": true/false, "areas": [...]}; the calls are
    looked up in the database by identifier, so run `monitor run` first.
    """
    from monitor.rules import evaluate

    try:
        labels = json.loads(labels_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MonitorError(f"{labels_file}: not a JSON label file ({exc})") from exc
    if not isinstance(labels, dict):
        raise MonitorError(f"{labels_file}: expected an object of identifier -> label")
    matcher = _matcher(app)
    predictions, titles = {}, {}
    for identifier in labels:
        row = item_by_identifier(app.store.db, identifier)
        if row is not None:
            predictions[identifier] = matcher.match(item_fields(row))
            titles[identifier] = row["title"]
    report = evaluate(
        predictions, labels, titles=titles, area_ids=[area.id for area in matcher.areas]
    )
    click.echo(report.format())

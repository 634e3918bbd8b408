"""`monitor rules`: what the admin needs to write, test and measure keyword rules."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

from monitor.cli.app import App, say_waiting
from monitor.cli.output import aligned_lines
from monitor.cli.params import GROUP_OPTION, OUTPUT_FILE
from monitor.cli.rules_words import rules_words
from monitor.config import LOCK_WAIT
from monitor.errors import MonitorError, RuleError
from monitor.lock import run_lock
from monitor.matching import (
    item_fields,
    load_group_matcher,
    match_and_store,
    sources_not_serving,
)
from monitor.models import DEFAULT_GROUP
from monitor.rules.scorer import SCORER_FILE
from monitor.store.matches import count_to_match
from monitor.store.queries import find_item, item_by_identifier


def _matcher(app: App, group: str = DEFAULT_GROUP):
    """The group's rules (the common rules without [[groups]]); an error when there are none."""
    matcher = load_group_matcher(app.settings_config, group)
    if matcher is None:
        settings = app.settings_config.settings
        said = rules_words(settings.language)["no_folder"]
        raise RuleError(said.format(folder=settings.rules))
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
    said = rules_words(app.settings_config.settings.language)
    if not rules_dir.exists():
        raise RuleError(said["no_folder"].format(folder=rules_dir))
    ruleset = load_rules(rules_dir)
    rows = [
        (a.id, str(len(a.terms)), f"{a.threshold:g}", a.slack_channel or "-", a.name)
        for a in ruleset.areas
    ]
    for line in aligned_lines(tuple(said["headers"].split("|")), rows):
        click.echo(line)
    gate = ruleset.gate
    click.echo(
        said["gate"].format(
            can=len(gate.can_apply) + len(gate.serves_municipal),
            against=len(gate.research_only) + len(gate.not_a_call),
            out=len(gate.rule_out) + len(gate.programmes_rule_out),
            threshold=f"{gate.threshold:g}",
        )
    )


@rules.command("test")
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.File("r", encoding="utf-8"), help="Read the text here.")
@click.pass_obj
def test_text(app: App, text: str | None, file_) -> None:
    """Show which areas and phrases match a text, and whether it passes the relevance gate."""
    if file_ is not None:
        text = file_.read()
    language = app.settings_config.settings.language
    if not text:
        raise MonitorError(rules_words(language)["give_text"])
    click.echo(_matcher(app).explain({"title": "", "summary": text}, language))


@rules.command()
@click.argument("item")
@GROUP_OPTION
@click.pass_obj
def explain(app: App, item: str, group: str | None) -> None:
    """Show why a stored item matched its areas, or why not (the gate included); with
    [[groups]], by the group's rules.

    ITEM is an item id (eu-portal:LIFE-2026-SAP-CLIMA-CCA) or a call identifier.
    """
    group_id = app.group(group)
    row = find_item(app.store.db, item)
    click.echo(f"{row['id']}: {row['title']}")
    language = app.settings_config.settings.language
    click.echo(_matcher(app, group_id).explain(item_fields(row), language))


@rules.command()
@GROUP_OPTION
@click.pass_obj
def reapply(app: App, group: str | None) -> None:
    """Match every stored item again, after the rules have changed: for every group, or the
    one --group names, each by its own rules and only the items of the sources that serve it.
    Waits for a run in progress (the run lock), as `monitor run` does."""
    settings_config = app.settings_config
    groups = [app.group(group)] if group is not None else list(settings_config.group_ids)
    # Every group's rules are read first: a broken one changes nothing.
    matchers = {g: _matcher(app, g) for g in groups}
    # Which sources serve which group is only in [[sources]]: read them only when it matters.
    config = app.config if settings_config.groups else settings_config
    with run_lock(settings_config.settings.database, LOCK_WAIT, on_wait=say_waiting):
        for group_id, matcher in matchers.items():
            skip = sources_not_serving(config, group_id)
            total = count_to_match(app.store.db, not_sources=skip)
            relevant = match_and_store(
                app.store, matcher, None, app.clock.now(), group=group_id, not_sources=skip
            )
            said = rules_words(settings_config.settings.language)["reapplied"].format(
                total=total, relevant=relevant
            )
            click.echo(f"{group_id}: {said}" if settings_config.groups else said)


def _labels(path: Path) -> dict[str, dict]:
    try:
        labels = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MonitorError(_said("not_labels", path=path, detail=exc)) from exc
    if not isinstance(labels, dict) or not all(isinstance(v, dict) for v in labels.values()):
        raise MonitorError(_said("labels_shape", path=path))
    return labels


def _labelled_rows(app: App, labels: dict[str, dict]) -> dict[str, dict]:
    """identifier -> stored row, for the labelled calls that are in the database."""
    found = {}
    for identifier in labels:
        row = item_by_identifier(app.store.db, identifier)
        if row is not None:
            found[identifier] = row
    return found


def _examples(matcher, labels: dict[str, dict], rows: dict[str, dict]):
    """The labelled items as the scorer's training examples: the rules' verdict without a
    scorer (what the scorer reads), the item's fields and the label."""
    from monitor.rules.train import Example

    rules_only = replace(matcher.ruleset, scorer=None).compile()
    examples = []
    for identifier, row in rows.items():
        fields = item_fields(row)
        relevant = bool(labels[identifier].get("relevant"))
        examples.append(Example(identifier, rules_only.match(fields), fields, relevant))
    return examples


def _with_judgements(
    app: App, labels: dict[str, dict], rows: dict[str, dict], group: str
) -> tuple[dict[str, dict], dict[str, dict], int]:
    """The labels and rows with the group's judgements added (they win for the same call:
    they are the kommun's own), and how many calls the judgements label."""
    from monitor.rules.judgements import judged_labels
    from monitor.store.tracking import judgements

    judged, judged_rows = judged_labels(judgements(app.store.db, group=group))
    return {**labels, **judged}, {**rows, **judged_rows}, len(judged)


@rules.command("eval")
@click.argument(
    "labels_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--feedback",
    "with_feedback",
    is_flag=True,
    help="Also (or only, without LABELS_FILE) the group's judgements: `monitor feedback`, and"
    " tracked states (not-for-us: not relevant; applying, submitted, granted, rejected: relevant).",
)
@click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(min=0),
    help="Cross-validate the scorer in this many folds (0: only the rules as they are).",
)
@GROUP_OPTION
@click.pass_obj
def eval_(
    app: App, labels_file: Path | None, with_feedback: bool, folds: int, group: str | None
) -> None:
    """Measure the rules against labelled calls: precision, recall and F1 per tier, misses and
    false alarms, and cross-validated figures.

    LABELS_FILE maps call identifiers to {"relevant": true/false, "areas": [...]}; the calls are
    looked up in the database by identifier, so run `monitor run` first. The first figures are
    the rules and scorer as they are; if the scorer was trained on these labels they are a
    training score. The cross-validated ones refit the scorer without each fold's items. With
    [[groups]], the group's rules and judgements.
    """
    from monitor.rules import evaluate

    if labels_file is None and not with_feedback:
        raise MonitorError(_said("give_labels"))
    group_id = app.group(group)
    labels = _labels(labels_file) if labels_file else {}
    matcher = _matcher(app, group_id)
    rows = _labelled_rows(app, labels)
    if labels and not rows:
        database = app.settings_config.settings.database
        raise MonitorError(_said("none_stored", n=len(labels), path=labels_file, db=database))
    if len(rows) < len(labels):
        click.echo(_said("left_out", missing=len(labels) - len(rows), n=len(labels)), err=True)
    if with_feedback:
        labels, rows, judged = _with_judgements(app, labels, rows, group_id)
        if not judged and labels_file is None:
            raise MonitorError(_said("nothing_judged"))
        noun = _said("call" if judged == 1 else "calls")
        click.echo(_said("judged", n=judged, noun=noun))
    predictions = {i: matcher.match(item_fields(row)) for i, row in rows.items()}
    titles = {i: row["title"] for i, row in rows.items()}
    area_ids = [area.id for area in matcher.areas]
    report = evaluate(predictions, labels, titles=titles, area_ids=area_ids)
    click.echo(report.format())
    if folds:
        click.echo("")
        click.echo(_cross_validated(matcher, labels, rows, folds, area_ids))


def _cross_validated(matcher, labels, rows, k: int, area_ids: list[str]) -> str:
    from monitor.rules import evaluate
    from monitor.rules.evaluate import pooled
    from monitor.rules.train import cross_validated_tiers

    examples = _examples(matcher, labels, rows)
    scorer = matcher.ruleset.scorer
    options = {"relevant_at": scorer.relevant_at, "maybe_at": scorer.maybe_at} if scorer else {}
    try:
        rounds = cross_validated_tiers(examples, k=k, repeats=3, **options)
    except MonitorError as exc:
        return f"No cross-validation: {exc}."
    reports = []
    for tiers in rounds:
        tiered = {
            e.identifier: replace(
                e.verdict, tier=tiers[e.identifier], relevant=tiers[e.identifier] == "relevant"
            )
            for e in examples
        }
        reports.append(evaluate(tiered, labels, area_ids=area_ids))
    return (
        f"Cross-validated ({k} folds x {len(rounds)}: each item scored by a scorer trained"
        " without it; the counts of the repeats added up)\n" + pooled(reports).figures()
    )


@rules.command()
@click.argument(
    "labels_files",
    nargs=-1,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--output",
    type=OUTPUT_FILE,
    help="Write the weights here (default: _scorer.toml in the rules folder).",
)
@click.option("--relevant-at", default=None, type=click.FloatRange(0, 1), help="Main list from.")
@click.option("--maybe-at", default=None, type=click.FloatRange(0, 1), help="Kanske också from.")
@GROUP_OPTION
@click.pass_obj
def train(
    app: App,
    labels_files: tuple[Path, ...],
    output: Path | None,
    relevant_at: float | None,
    maybe_at: float | None,
    group: str | None,
) -> None:
    """Fit the scorer's weights on labelled calls and write them to rules/_scorer.toml.

    LABELS_FILES are files like the one `rules eval` reads (later files win for the same call);
    the calls are looked up in the database. The group's judgements (`monitor feedback`,
    tracked states, as `rules eval --feedback` reads them) are labels too, and win for the same
    call. Needs scikit-learn (the `learn` extra). Run `monitor rules reapply` afterwards to rank
    the stored items with the new weights. With [[groups]], the group's rules and judgements.
    """
    from monitor.rules.train import DEFAULT_MAYBE_AT, DEFAULT_RELEVANT_AT, fit, write_scorer

    group_id = app.group(group)
    labels: dict[str, dict] = {}
    for path in labels_files:
        labels.update(_labels(path))
    matcher = _matcher(app, group_id)
    rows = _labelled_rows(app, labels)
    labels, rows, judged = _with_judgements(app, labels, rows, group_id)
    if not rows:
        raise MonitorError(_said("nothing_to_train"))
    examples = _examples(matcher, labels, rows)
    names = ", ".join([*(p.name for p in labels_files), *(["judgements"] if judged else [])])
    relevant = sum(e.relevant for e in examples)
    scorer = fit(
        examples,
        relevant_at=DEFAULT_RELEVANT_AT if relevant_at is None else relevant_at,
        maybe_at=DEFAULT_MAYBE_AT if maybe_at is None else maybe_at,
        trained_on=f"{names}: {len(examples)} labelled calls, {relevant} relevant",
    )
    # a group with its own rule folder gets its own scorer there (it replaces the common one
    # for that group only); else the common rules' scorer
    own = app.settings_config.for_group(group_id).group_rules
    target = output or (own or app.settings_config.settings.rules) / SCORER_FILE
    write_scorer(scorer, target)
    missing, weights = len(labels) - len(rows), len(scorer.weights)
    click.echo(
        _said(
            "trained",
            n=len(examples),
            relevant=relevant,
            missing=missing,
            judged=judged,
            weights=weights,
        )
    )
    click.echo(_said("wrote", target=target))


def _said(key: str, **values: object) -> str:
    """A line of rules_words in the configured language: read from the current command's App
    (the label file's errors come before the group's rules are read)."""
    app = click.get_current_context().find_object(App)
    language = app.settings_config.settings.language if app is not None else "sv"
    return rules_words(language)[key].format(**values)

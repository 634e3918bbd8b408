"""`monitor rules` and matching inside `monitor run`, on the real calls and the default rules."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers.portal_emulator import portal_config
from monitor.cli import cli
from monitor.store import open_store

ROOT = Path(__file__).resolve().parent.parent
LABELS = Path(__file__).parent / "fixtures" / "eval" / "dev-labels.json"
AREAS = {
    "profilering",
    "omvarld",
    "kompetens",
    "utbildning",
    "klimat-miljo",
    "demokrati-inkludering",
    "valfard-halsa",
    "stad-digitalisering",
    "kultur",
    "partnerskap",
}


@pytest.fixture
def with_rules(write_config, live_portal, tmp_path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return write_config(portal_config(live_portal.base_url))


@pytest.fixture
def matched(runner, with_rules):
    result = runner.invoke(cli, ["--config", str(with_rules), "run"])
    assert result.exit_code == 0, result.output
    return with_rules


def test_rules_lists_the_ten_areas(runner, with_rules):
    result = runner.invoke(cli, ["--config", str(with_rules), "rules"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.stdout.splitlines()[1:11]}
    assert listed == AREAS
    assert "Relevansspärren:" in result.stdout


def test_run_stores_areas_and_relevance(matched):
    store = open_store(matched.parent / "monitor.db")
    assert store.db.execute("SELECT count(*) FROM items WHERE relevant IS NULL").fetchone()[0] == 0
    areas = {r["area"] for r in store.db.query("SELECT DISTINCT area FROM matches")}
    assert areas <= AREAS and "klimat-miljo" in areas
    adaptation = store.db["items"].get("eu-portal:LIFE-2026-SAP-CLIMA-CCA")
    assert adaptation["relevant"] == 1


def test_export_and_search_show_areas(runner, matched):
    out = runner.invoke(cli, ["--config", str(matched), "export"]).stdout
    call = next(i for i in json.loads(out) if i["identifier"] == "LIFE-2026-SAP-CLIMA-CCA")
    assert call["areas"][0] == "klimat-miljo"


def test_rules_eval_on_the_labelled_calls_meets_the_targets(runner, matched):
    result = runner.invoke(cli, ["--config", str(matched), "rules", "eval", str(LABELS)])
    assert result.exit_code == 0, result.output
    found = re.search(r"Main list\s+precision ([\d.]+)\s+recall ([\d.]+)", result.stdout)
    precision, recall = map(float, found.groups())
    area_f1 = float(re.search(r"Areas \(micro\).*F1 ([\d.]+)", result.stdout).group(1))
    assert recall >= 0.90 and precision >= 0.80 and area_f1 >= 0.70, result.stdout
    assert "Misses (labelled relevant, not in the digest)" in result.stdout
    assert "False alarms" in result.stdout


def test_rules_test_and_explain(runner, matched):
    text = (
        "Kommuner och regioner kan söka stöd för klimatanpassning av skolgårdar "
        "och grönområden mot skyfall och värmeböljor."
    )
    tried = runner.invoke(cli, ["--config", str(matched), "rules", "test", text])
    assert tried.exit_code == 0, tried.output
    assert "klimat-miljo" in tried.stdout and "klimatanpassning" in tried.stdout
    by_id = runner.invoke(
        cli, ["--config", str(matched), "rules", "explain", "eu-portal:LIFE-2026-SAP-CLIMA-CCA"]
    )
    assert by_id.stdout.startswith("eu-portal:LIFE-2026-SAP-CLIMA-CCA: Climate Change Adaptation")
    assert "\nRELEVANT" in by_id.stdout and "klimat-miljo" in by_id.stdout
    assert "Områden (poäng / tröskel):" in by_id.stdout  # settings.language: sv by default
    # A call identifier works too; a defence call is explained as ruled out by the gate.
    defence = next(
        r["identifier"]
        for r in open_store(matched.parent / "monitor.db").db.query(
            "SELECT identifier FROM items WHERE programme_code = 'EDF' LIMIT 1"
        )
    )
    explained = runner.invoke(cli, ["--config", str(matched), "rules", "explain", defence])
    assert explained.exit_code == 0
    assert "INTE RELEVANT" in explained.stdout and "EDF" in explained.stdout
    unknown = runner.invoke(cli, ["--config", str(matched), "rules", "explain", "NOPE-1"])
    assert unknown.exit_code == 1
    assert "no stored item has the id or identifier 'NOPE-1'" in unknown.output


def test_reapply_follows_a_rule_change(runner, matched):
    store = open_store(matched.parent / "monitor.db")
    before = store.db["items"].get("eu-portal:LIFE-2026-SAP-CLIMA-CCA")["relevant"]
    gate = matched.parent / "rules" / "_gate.toml"
    text = gate.read_text(encoding="utf-8")
    # An admin decides LIFE calls are out of scope: the gate rules the programme out.
    gate.write_text(re.sub(r"(rule_out\s*=\s*\[)", r'\1"LIFE", ', text, count=1), encoding="utf-8")
    result = runner.invoke(cli, ["--config", str(matched), "rules", "reapply"])
    assert result.exit_code == 0, result.output
    assert re.match(r"Matchade 341 poster igen: \d+ hör hemma i sammanställningen\.", result.stdout)
    after = store.db["items"].get("eu-portal:LIFE-2026-SAP-CLIMA-CCA")["relevant"]
    assert (before, after) == (1, 0)


def test_a_broken_rule_file_stops_the_run_before_fetching(runner, with_rules, live_portal, portal):
    broken = with_rules.parent / "rules" / "kultur.toml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\ncolour = 'blue'\n", encoding="utf-8")
    result = runner.invoke(cli, ["--config", str(with_rules), "run"])
    assert result.exit_code == 1
    assert "kultur.toml" in result.output and "colour" in result.output
    assert portal.requests == []  # nothing fetched with half the rules


HELDOUT = Path(__file__).parent / "fixtures" / "eval" / "dev-heldout.json"
TRAIN = Path(__file__).parent / "fixtures" / "eval" / "dev-train.json"


def test_rules_eval_prints_cross_validated_figures_beside_the_shipped_ones(runner, matched):
    result = runner.invoke(cli, ["--config", str(matched), "rules", "eval", str(TRAIN)])
    assert result.exit_code == 0, result.output
    shipped, _, validated = result.stdout.partition("Cross-validated (5 folds x 3")
    assert re.search(r"Main \+ maybe\s+precision [\d.]+\s+recall [\d.]+.*showing \d+%", shipped)
    recall = float(re.search(r"Main list\s+precision [\d.]+\s+recall ([\d.]+)", validated)[1])
    assert 0.5 < recall <= 1.0, result.stdout  # a real figure, not a copy of the shipped one
    assert "Areas (micro)" in validated


def test_the_shipped_scorer_on_the_held_out_calls(runner, matched):
    """The held-out fifth of the dev labels, never trained or tuned on (see PROVENANCE.md).

    Measured once for the shipped scorer: see the figures in README.md. The floors sit under
    them so one call more or less does not fail, while a change that loses generality does.
    """
    result = runner.invoke(cli, ["--config", str(matched), "rules", "eval", str(HELDOUT)])
    assert result.exit_code == 0, result.output
    main = re.search(r"Main list\s+precision ([\d.]+)\s+recall ([\d.]+)", result.stdout)
    both = re.search(
        r"Main \+ maybe\s+precision [\d.]+\s+recall ([\d.]+).*showing (\d+)%", result.stdout
    )
    precision, recall = map(float, main.groups())
    assert precision >= 0.70 and recall >= 0.80, result.stdout
    assert float(both[1]) >= 0.95 and int(both[2]) <= 55, result.stdout


def test_rules_train_writes_weights_that_reapply_uses(runner, matched, tmp_path):
    rules_dir = tmp_path / "rules"
    (rules_dir / "_scorer.toml").unlink()
    before = runner.invoke(
        cli, ["--config", str(matched), "rules", "explain", "LIFE-2026-SAP-CLIMA-CCA"]
    )
    assert "inlärda vikter" not in before.stdout
    trained = runner.invoke(cli, ["--config", str(matched), "rules", "train", str(TRAIN)])
    assert trained.exit_code == 0, trained.output
    assert "Tränad på etiketterade utlysningar: 273 (relevanta: 64" in trained.stdout
    text = (rules_dir / "_scorer.toml").read_text(encoding="utf-8")
    assert '"gate: can apply" = ' in text and "relevant_at = 0.6" in text
    reapplied = runner.invoke(cli, ["--config", str(matched), "rules", "reapply"])
    assert reapplied.exit_code == 0, reapplied.output
    explained = runner.invoke(
        cli, ["--config", str(matched), "rules", "explain", "LIFE-2026-SAP-CLIMA-CCA"]
    )
    assert re.search(r"Nivå: relevant, poäng 0\.\d\d \(huvudlistan från 0\.6", explained.stdout)
    assert re.search(
        r"inlärda vikter \(_scorer\.toml\): .*spärr: en kommun kan delta \+", explained.stdout
    )


def test_rules_train_without_labelled_calls_in_the_database_says_so(runner, with_rules, tmp_path):
    labels = tmp_path / "labels.json"
    labels.write_text('{"NOT-A-CALL-2026": {"relevant": true}}', encoding="utf-8")
    result = runner.invoke(cli, ["--config", str(with_rules), "rules", "train", str(labels)])
    assert result.exit_code == 1
    assert "ingen av de etiketterade utlysningarna finns i databasen" in result.output


def test_export_has_the_tier_and_filters_by_it(runner, matched):
    out = runner.invoke(cli, ["--config", str(matched), "export"]).stdout
    calls = json.loads(out)
    tiers = {c["relevance"] for c in calls}
    assert tiers == {"relevant", "maybe", "no"}
    for call in calls:
        assert call["relevant"] is (call["relevance"] == "relevant")
        assert 0 <= call["score"] <= 1
    maybe = json.loads(
        runner.invoke(cli, ["--config", str(matched), "export", "--relevance", "maybe"]).stdout
    )
    assert maybe and {c["relevance"] for c in maybe} == {"maybe"}
    assert len(maybe) == sum(c["relevance"] == "maybe" for c in calls)

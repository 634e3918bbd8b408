"""Tracking calls per förvaltning, the group's feedback, and where both show: `track`,
`tracked`, `feedback`, the tracked calendar, `rules eval --feedback`, the yearly report and the
digest's closing-soon list. Through the CLI on a real SQLite file of stored calls."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from helpers.stored_calls import TODAY, add_calls, portal_project
from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
LIFE = "LIFE-2027-CALL-000"  # the first call add_calls stores: deadline TODAY + 60 days


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The default rules and a database with three relevant climate calls found today."""
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    config = portal_project(tmp_path)
    add_calls(
        config,
        [
            "Climate adaptation of schools in small towns",
            "Nature-based solutions for urban climate resilience",
            "Energy poverty in municipalities",
        ],
    )
    return config


def monitor(runner, config, *args, ok=True):
    result = runner.invoke(cli, ["--config", str(config), *args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def rows(config) -> dict[str, int]:
    with sqlite3.connect(config.parent / "monitor.db") as db:
        tables = ("tracking", "tracking_changes", "feedback")
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def test_a_call_tracked_applying_then_granted_lists_its_history(runner, project):
    monitor(
        runner, project, "track", LIFE.lower(), "--state", "applying",
        "--unit", "Miljöförvaltningen", "--by", "Anna", "--note", "med Region Östergötland",
    )  # fmt: skip
    out = monitor(
        runner, project, "track", LIFE, "--state", "Beviljad",
        "--unit", "miljöförvaltningen", "--amount", "1 200 000",
    ).stdout  # fmt: skip
    assert out.strip() == f"{LIFE}, Miljöförvaltningen: Söker -> Beviljad"

    [call] = json.loads(monitor(runner, project, "tracked", "--format", "json").stdout)
    assert call["identifier"] == LIFE and call["unit"] == "Miljöförvaltningen"
    assert (call["state"], call["state_label"], call["amount"]) == ("granted", "Beviljad", 1200000)
    assert call["deadline"] == (TODAY + timedelta(days=60)).isoformat()
    assert call["days_left"] == 60
    first, second = call["history"]
    assert (first["from"], first["to"], first["to_label"]) == (None, "applying", "Söker")
    assert (first["by"], first["note"]) == ("Anna", "med Region Östergötland")
    assert (second["from_label"], second["to_label"], second["amount"]) == (
        "Söker",
        "Beviljad",
        1200000,
    )
    assert second["at"].startswith(TODAY.isoformat())

    table = monitor(runner, project, "tracked").stdout.splitlines()
    assert table[0].split()[:3] == ["UTLYSNING", "FÖRVALTNING", "LÄGE"]
    assert "Miljöförvaltningen" in table[1] and "Beviljad" in table[1]
    assert "1 200 000" in table[1] and " 60 " in table[1]


def test_tracked_filters_by_state_and_unit_and_writes_csv_for_swedish_excel(runner, project):
    monitor(
        runner, project, "track", LIFE, "--state", "interested", "--unit", "Kulturförvaltningen"
    )
    monitor(runner, project, "track", "LIFE-2027-CALL-001", "--state", "söker", "--unit", "Miljö")
    applying = json.loads(
        monitor(runner, project, "tracked", "--state", "Söker", "--format", "json").stdout
    )
    assert [c["identifier"] for c in applying] == ["LIFE-2027-CALL-001"]
    culture = json.loads(
        monitor(
            runner, project, "tracked", "--unit", "kulturförvaltningen", "--format", "json"
        ).stdout
    )
    assert [c["state_label"] for c in culture] == ["Intresserad"]
    csv = monitor(runner, project, "tracked", "--format", "csv").stdout
    assert csv.startswith("\ufeffUtlysning;Förvaltning;Läge;Sista dag;Dagar kvar")
    assert f"{LIFE};Kulturförvaltningen;Intresserad;" in csv
    # a typo lists the förvaltningar that track calls, instead of "nothing tracked"
    typo = monitor(runner, project, "tracked", "--unit", "Kulturförvaltning", ok=False)
    assert typo.exit_code == 1
    assert "unknown --unit 'Kulturförvaltning' (known: Kulturförvaltningen, Miljö)" in typo.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["track", "LIFE-2099-NOPE", "--state", "applying", "--unit", "Miljö"], "no stored item"),
        (["track", LIFE, "--state", "maybe", "--unit", "Miljö"], "unknown state 'maybe'"),
        (["track", LIFE, "--state", "granted", "--unit", "Miljö", "--amount", "-5"], "amount"),
        (["track", LIFE, "--state", "granted", "--unit", " ", "--amount", "5"], "--unit"),
        (["feedback", "LIFE-2099-NOPE", "relevant"], "no stored item"),
        (["feedback", LIFE, "kanske"], "unknown verdict"),
        (["feedback", LIFE, "relevant", "--area", "rymdfart"], "unknown area 'rymdfart'"),
        (["tracked", "--state", "done"], "unknown state"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_stores_nothing(runner, project, args, message):
    monitor(runner, project, "track", LIFE, "--state", "applying", "--unit", "Miljö")
    before = rows(project)
    result = monitor(runner, project, *args, ok=False)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert rows(project) == before


def test_the_unknown_state_error_names_the_valid_ones_in_both_languages(runner, project):
    result = monitor(runner, project, "track", LIFE, "--state", "x", "--unit", "M", ok=False)
    assert "applying (Söker)" in result.output and "not-for-us (Inte för oss)" in result.output


def test_the_tracked_calendar_has_only_active_calls_and_names_the_forvaltning(runner, project):
    monitor(runner, project, "track", LIFE, "--state", "applying", "--unit", "Miljöförvaltningen")
    monitor(
        runner, project, "track", "LIFE-2027-CALL-001", "--state", "not-for-us", "--unit", "Miljö"
    )
    monitor(runner, project, "track", "LIFE-2027-CALL-002", "--state", "granted", "--unit", "Miljö")
    ics = monitor(runner, project, "export", "--format", "ics", "--tracked").stdout
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["summary"]).startswith(
        "Miljöförvaltningen – Sista dag: Climate adaptation"
    )
    assert "Förvaltning: Miljöförvaltningen (Söker)" in str(events[0]["description"])
    plain = Calendar.from_ical(monitor(runner, project, "export", "--format", "ics").stdout)
    assert events[0]["uid"] not in {e["uid"] for e in plain.walk("VEVENT")}


def test_rules_eval_feedback_counts_the_groups_judgements(runner, project):
    said = monitor(runner, project, "feedback", LIFE, "not-relevant", "--by", "Anna").stdout
    assert said.strip().endswith(": inte relevant")  # the verdict said in Swedish
    monitor(
        runner, project, "track", "LIFE-2027-CALL-001", "--state", "not-for-us", "--unit", "Miljö"
    )
    monitor(
        runner, project, "track", "LIFE-2027-CALL-002", "--state", "submitted", "--unit", "Miljö"
    )
    monitor(runner, project, "feedback", "LIFE-2027-CALL-002", "relevant", "--area", "klimat-miljo")
    out = monitor(runner, project, "rules", "eval", "--feedback", "--folds", "0").stdout
    assert "Gruppens bedömningar etiketterar 3 utlysningar." in out
    assert "3 labelled items, 1 relevant" in out
    # Whatever the rules say of the two calls judged not relevant, each is a decision counted.
    main = next(line for line in out.splitlines() if line.startswith("Main list"))
    tp, fp, fn = (int(main.split(word)[1].split(",")[0].strip(" )")) for word in ("tp", "fp", "fn"))
    assert tp + fn == 1 and fp <= 2
    nothing = monitor(runner, project, "rules", "eval", ok=False)
    assert nothing.exit_code == 1 and "--feedback" in nothing.output


def test_a_call_every_forvaltning_finds_not_for_us_leaves_closing_soon(
    runner, project, monkeypatch
):
    # 50 days on, all three calls close within the digest's 30 days.
    monkeypatch.setenv("MONITOR_TODAY", (TODAY + timedelta(days=50)).isoformat())
    monitor(runner, project, "track", LIFE, "--state", "not-for-us", "--unit", "Miljö")
    monitor(
        runner, project, "track", "LIFE-2027-CALL-001", "--state", "not-for-us", "--unit", "Miljö"
    )
    monitor(
        runner, project, "track", "LIFE-2027-CALL-001", "--state", "interested", "--unit", "Kultur"
    )
    digest = monitor(runner, project, "digest", "--format", "markdown").stdout
    assert "LIFE-2027-CALL-002" in digest and "LIFE-2027-CALL-001" in digest
    assert LIFE not in digest


def test_the_report_shows_the_grant_under_its_forvaltning(runner, project):
    monitor(runner, project, "track", LIFE, "--state", "applying", "--unit", "Miljöförvaltningen")
    monitor(
        runner, project, "track", LIFE, "--state", "granted",
        "--unit", "Miljöförvaltningen", "--amount", "1200000",
    )  # fmt: skip
    monitor(
        runner, project, "track", "LIFE-2027-CALL-001", "--state", "rejected", "--unit", "Kultur"
    )
    report = monitor(runner, project, "report", "--year", str(TODAY.year)).stdout
    section = report.split("## Förvaltningarnas ansökningar")[1].split("\n## ")[0]
    nbsp = "\u00a0"
    assert f"| Miljöförvaltningen | 0 | 1 | 1 | 1{nbsp}200{nbsp}000 | 0 |" in section
    assert "| Kultur | 0 | 1 | 0 | 0 | 1 |" in section
    assert f"sammanlagt 1{nbsp}200{nbsp}000{nbsp}kr" in section
    assert f"| Beviljat belopp (kr) | 0 | 1{nbsp}200{nbsp}000 | +1{nbsp}200{nbsp}000 |" in section
    earlier = monitor(runner, project, "report", "--year", str(TODAY.year - 1)).stdout
    assert "| Miljöförvaltningen |" not in earlier


def test_rules_train_learns_from_the_groups_judgements(runner, project, tmp_path):
    monitor(runner, project, "feedback", LIFE, "not-relevant")
    monitor(
        runner, project, "track", "LIFE-2027-CALL-001", "--state", "not-for-us", "--unit", "Miljö"
    )
    monitor(
        runner, project, "track", "LIFE-2027-CALL-002", "--state", "applying", "--unit", "Miljö"
    )
    target = tmp_path / "scorer.toml"
    out = monitor(runner, project, "rules", "train", "--output", str(target)).stdout
    assert (
        "Tränad på etiketterade utlysningar: 3 (relevanta: 1, inte i databasen: 0, "
        "bedömda av gruppen: 3" in out
    )
    assert 'trained_on = "judgements: 3 labelled calls, 1 relevant"' in target.read_text()

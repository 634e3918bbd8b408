"""Two groups in one deployment, as the officials see them: search, deadlines, show, export,
track, tracked and feedback each answer for the group named (--group, or MONITOR_GROUP), and a
group is never shown another's verdicts, sources or tracking."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from helpers.group_calls import B_NEWS, CLIMATE, CULTURE, TODAY, two_group_project
from monitor.cli import cli


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    return two_group_project(tmp_path)


def monitor(runner, config, *args, ok=True):
    result = runner.invoke(cli, ["--config", str(config), *args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def ids(output: str) -> set[str]:
    return {row["id"] for row in json.loads(output)}


def test_deadlines_list_each_groups_own_relevant_calls(runner, project):
    a = monitor(runner, project, "deadlines", "--group", "a", "--format", "json").stdout
    b = monitor(runner, project, "deadlines", "--group", "b", "--format", "json").stdout
    assert ids(a) == {f"eu-portal:{CLIMATE}"}
    assert ids(b) == {f"eu-portal:{CULTURE}"}


def test_search_shows_the_groups_tier_and_areas_and_only_its_sources(runner, project):
    a = json.loads(monitor(runner, project, "search", "--group", "a", "--format", "json").stdout)
    b = json.loads(monitor(runner, project, "search", "--group", "b", "--format", "json").stdout)
    a_rows, b_rows = {r["id"]: r for r in a}, {r["id"]: r for r in b}
    assert B_NEWS not in a_rows  # b's own source is not a's
    assert B_NEWS in b_rows
    climate = f"eu-portal:{CLIMATE}"
    assert (a_rows[climate]["relevance"], a_rows[climate]["areas"]) == (
        "relevant",
        ["klimat-miljo"],
    )
    assert (b_rows[climate]["relevance"], b_rows[climate]["areas"]) == ("no", [])
    text = monitor(runner, project, "search", "climate", "--group", "a", "--format", "json")
    assert ids(text.stdout) == {climate}  # the full-text search reads a's items too
    in_area = monitor(
        runner, project, "search", "--group", "b", "--area", "kultur", "--format", "json"
    )
    assert ids(in_area.stdout) == {f"eu-portal:{CULTURE}"}


def test_show_gives_the_groups_tier_and_areas(runner, project):
    a = monitor(runner, project, "show", CLIMATE, "--group", "a").stdout
    b = monitor(runner, project, "show", CLIMATE, "--group", "b").stdout
    assert "klimat-miljo" in a and "klimat-miljo" not in b
    assert re.search(r"^relevans\s+relevant$", a, re.M)
    assert re.search(r"^relevans\s+nej$", b, re.M)


def test_export_is_the_groups_items_and_tiers(runner, project):
    a = json.loads(monitor(runner, project, "export", "--group", "a").stdout)
    b = json.loads(monitor(runner, project, "export", "--group", "b").stdout)
    assert {r["id"] for r in a} == {f"eu-portal:{CLIMATE}", f"eu-portal:{CULTURE}"}
    assert {r["id"] for r in b} == {f"eu-portal:{CLIMATE}", f"eu-portal:{CULTURE}", B_NEWS}
    relevant = monitor(runner, project, "export", "--group", "b", "--relevance", "relevant")
    assert ids(relevant.stdout) == {f"eu-portal:{CULTURE}", B_NEWS}


def test_a_call_tracked_by_one_group_is_not_tracked_by_the_other(runner, project):
    monitor(
        runner, project, "track", CLIMATE, "--state", "applying", "--unit", "Miljö", "--group", "a"
    )
    a = json.loads(monitor(runner, project, "tracked", "--group", "a", "--format", "json").stdout)
    b = monitor(runner, project, "tracked", "--group", "b", "--format", "json").stdout
    assert [(c["identifier"], c["state"]) for c in a] == [(CLIMATE, "applying")]
    assert json.loads(b) == []
    only_a = monitor(runner, project, "export", "--group", "a", "--tracked").stdout
    assert ids(only_a) == {f"eu-portal:{CLIMATE}"}
    assert json.loads(monitor(runner, project, "export", "--group", "b", "--tracked").stdout) == []
    # b tracks the same call for its own förvaltning of the same name: a's state is kept
    monitor(
        runner,
        project,
        "track",
        CLIMATE,
        "--state",
        "not-for-us",
        "--unit",
        "Miljö",
        "--group",
        "b",
    )
    a_again = json.loads(
        monitor(runner, project, "tracked", "--group", "a", "--format", "json").stdout
    )
    assert [c["state"] for c in a_again] == ["applying"]
    assert [len(c["history"]) for c in a_again] == [1]


def test_feedback_is_the_groups_own(runner, project):
    monitor(runner, project, "feedback", CULTURE, "not-relevant", "--group", "a")
    with sqlite3.connect(project.parent / "monitor.db") as db:
        rows = db.execute("SELECT item_id, group_id, verdict FROM feedback").fetchall()
    assert rows == [(f"eu-portal:{CULTURE}", "a", "not-relevant")]


def test_monitor_group_picks_the_group_as_the_option_does(runner, project, monkeypatch):
    monkeypatch.setenv("MONITOR_GROUP", "b")
    out = monitor(runner, project, "deadlines", "--format", "json").stdout
    assert ids(out) == {f"eu-portal:{CULTURE}"}


def test_an_unknown_group_is_one_line_naming_the_groups(runner, project):
    result = monitor(runner, project, "search", "--group", "c", ok=False)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "there is no group 'c'" in line and "a, b" in line


@pytest.mark.parametrize("verb", [["search"], ["deadlines"], ["show", CLIMATE], ["tracked"]])
def test_several_groups_and_none_named_asks_which(runner, project, verb):
    result = monitor(runner, project, *verb, ok=False)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "several groups (a, b)" in line and "--group" in line


def test_the_report_is_the_groups_calls_areas_and_applications(runner, project):
    monitor(
        runner, project, "track", CLIMATE, "--state", "submitted",
        "--unit", "Miljöförvaltningen", "--group", "a",
    )  # fmt: skip
    a = monitor(runner, project, "report", "--group", "a").stdout
    b = monitor(runner, project, "report", "--group", "b").stdout
    assert "| klimat-miljo | 1 |" in a and "| kultur |" not in a
    assert "| kultur | 1 |" in b and "| klimat-miljo |" not in b
    assert "| Miljöförvaltningen | 0 | 1 |" in a
    assert "Miljöförvaltningen" not in b

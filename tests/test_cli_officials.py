"""What officials ask between digests: show, deadlines, filtered search, JSON Lines and iCal."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from helpers.portal_emulator import portal_config
from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def matched(runner, write_config, live_portal, tmp_path, snapshot_day):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    path = write_config(portal_config(live_portal.base_url))
    assert runner.invoke(cli, ["--config", str(path), "run", "--no-digest"]).exit_code == 0
    return path


def invoke(runner, config, *args):
    result = runner.invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output
    return result


def test_show_gives_fields_areas_and_history(runner, matched, live_portal, portal):
    portal.row("LIFE-2026-SAP-CLIMA-CCA")["metadata"]["deadlineDate"] = [
        "2027-01-20T00:00:00.000+0000"
    ]
    invoke(runner, matched, "run", "--no-digest")
    out = invoke(runner, matched, "show", "LIFE-2026-SAP-CLIMA-CCA").stdout
    assert "id " in out and "eu-portal:LIFE-2026-SAP-CLIMA-CCA" in out
    assert "titel" in out and "Climate Change Adaptation" in out
    assert "status                    öppen" in out  # Swedish: [settings] language's default
    assert "Områden:\n  klimat-miljo (poäng " in out
    assert "Ändringar:\n" in out and "sista dagar: 2026-09-22 -> 2027-01-20" in out
    # stored in UTC, shown in [settings] timezone (Europe/Stockholm) with its name
    assert re.search(r"först sedd +\d{4}-\d\d-\d\d \d\d:\d\d CES?T\n", out)
    assert re.search(r"Ändringar:\n  \d{4}-\d\d-\d\d \d\d:\d\d CES?T  sista dagar", out)
    unknown = runner.invoke(cli, ["--config", str(matched), "show", "NOPE"])
    assert unknown.exit_code == 1 and "no stored item" in unknown.output


def test_deadlines_soonest_first_with_days_left(runner, matched, snapshot_day):
    rows = json.loads(
        invoke(runner, matched, "deadlines", "--within", "400", "--format", "json").stdout
    )
    assert rows
    today = snapshot_day
    days = [date.fromisoformat(r["deadline"]) for r in rows]
    assert days == sorted(days) and today <= days[0] and days[-1] <= today + timedelta(400)
    assert all(r["status"] in ("open", "forthcoming") for r in rows)
    everything = json.loads(
        invoke(runner, matched, "deadlines", "--within", "400", "--all", "--format", "json").stdout
    )
    assert len(everything) > len(rows)  # by default only what the rules put in the digest
    table = invoke(runner, matched, "deadlines", "--within", "400").stdout
    first = table.splitlines()[1]
    assert f"({(days[0] - today).days} d)" in first
    education = json.loads(
        invoke(
            runner,
            matched,
            "deadlines",
            "--within",
            "400",
            "--area",
            "utbildning",
            "--format",
            "json",
        ).stdout
    )
    assert education and all("utbildning" in r["areas"] for r in education)


def test_deadlines_count_days_left_from_monitor_today(runner, matched, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2026-09-01")
    table = invoke(runner, matched, "deadlines", "--within", "30", "--all").stdout
    shown = re.findall(r"(\d{4}-\d{2}-\d{2}) \((\d+) d\)", table)
    assert shown
    for deadline, days in shown:
        assert date(2026, 9, 1) <= date.fromisoformat(deadline) <= date(2026, 10, 1)
        assert (date.fromisoformat(deadline) - date(2026, 9, 1)).days == int(days)


@pytest.mark.parametrize("value", ["2026-13-01", "next monday", "20260901"])
def test_an_invalid_monitor_today_is_one_clear_line(runner, write_config, monkeypatch, value):
    monkeypatch.setenv("MONITOR_TODAY", value)
    config = write_config('[settings]\ndatabase = "monitor.db"\n')
    result = runner.invoke(cli, ["--config", str(config), "deadlines"])
    assert result.exit_code == 1
    assert result.output == (
        f"Fel: MONITOR_TODAY must be a date written YYYY-MM-DD, not {value!r}\n"
    )


def test_search_by_area_source_and_since(runner, matched, snapshot_day):
    rows = json.loads(
        invoke(runner, matched, "search", "--area", "kultur", "--format", "json").stdout
    )
    assert rows and all("kultur" in r["areas"] for r in rows)
    unknown = runner.invoke(cli, ["--config", str(matched), "search", "--source", "other"])
    assert unknown.exit_code == 1 and "unknown --source 'other'" in unknown.output
    later = (snapshot_day + timedelta(days=1)).isoformat()
    assert (
        json.loads(invoke(runner, matched, "search", "--since", later, "--format", "json").stdout)
        == []
    )
    # "adaptations" is in no title; its stem finds the adaptation calls.
    rows = json.loads(invoke(runner, matched, "search", "adaptations", "--format", "json").stdout)
    assert "LIFE-2026-SAP-CLIMA-CCA" in [r["identifier"] for r in rows]


def test_export_jsonl_filtered_by_area_and_status(runner, matched):
    lines = invoke(runner, matched, "export", "--format", "jsonl", "--area", "klimat-miljo")
    rows = [json.loads(line) for line in lines.stdout.splitlines()]
    assert rows and all("klimat-miljo" in r["areas"] for r in rows)
    closed = invoke(runner, matched, "export", "--format", "jsonl", "--status", "closed").stdout
    assert all(json.loads(line)["status"] == "closed" for line in closed.splitlines())


def test_the_filters_take_the_swedish_words_the_tables_print(runner, matched):
    def export(*args: str) -> str:
        return invoke(runner, matched, "export", "--format", "jsonl", *args).stdout

    assert export("--status", "kommande") == export("--status", "forthcoming") != ""
    assert export("--status", "Oppen") == export("--status", "open") != ""
    assert export("--status", "stängd") == export("--status", "closed")
    assert export("--relevance", "kanske") == export("--relevance", "maybe")
    assert export("--relevance", "NEJ") == export("--relevance", "no")
    news = invoke(runner, matched, "search", "--kind", "nyhet", "--format", "json").stdout
    assert news == invoke(runner, matched, "search", "--kind", "news", "--format", "json").stdout
    calls = invoke(runner, matched, "search", "--kind", "Utlysning", "--format", "json").stdout
    assert {row["kind"] for row in json.loads(calls)} == {"call"}
    wrong = runner.invoke(cli, ["--config", str(matched), "export", "--status", "stangt"])
    assert wrong.exit_code == 2 and "öppen" in wrong.stderr  # the choices, Swedish ones too


def test_ics_export_parses_and_keeps_its_uids(runner, matched, portal, tmp_path):
    first = tmp_path / "first.ics"
    invoke(runner, matched, "export", "--format", "ics", "--output", str(first))
    calendar = Calendar.from_ical(first.read_bytes())
    events = calendar.walk("VEVENT")
    assert events and str(calendar["version"]) == "2.0"
    assert b"\r\n" in first.read_bytes()  # RFC 5545 line ends, as Outlook expects
    daphne = [e for e in events if "Preventing gender-based violence" in str(e["summary"])]
    (event,) = daphne
    assert str(event["summary"]).startswith("Sista dag: ")
    assert event.decoded("dtstart") == date(2026, 11, 5)
    assert event.decoded("dtend") == date(2026, 11, 6)

    portal.row("CERV-2026-DAPHNE-PREVENTION")["metadata"]["deadlineDate"] = [
        "2026-12-03T00:00:00.000+0000"
    ]
    invoke(runner, matched, "run", "--no-digest")
    second = tmp_path / "second.ics"
    invoke(runner, matched, "export", "--format", "ics", "--output", str(second))
    again = Calendar.from_ical(second.read_bytes()).walk("VEVENT")
    assert {str(e["uid"]) for e in again} == {str(e["uid"]) for e in events}
    moved = next(e for e in again if str(e["uid"]) == str(event["uid"]))
    assert moved.decoded("dtstart") == date(2026, 12, 3)  # the same event, moved


def test_the_officials_commands_speak_the_configured_language_and_zone(
    runner, write_config, live_portal, tmp_path, snapshot_day
):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    settings = 'language = "en"\ntimezone = "America/New_York"'
    config = write_config(portal_config(live_portal.base_url, settings=settings))
    invoke(runner, config, "run", "--no-digest")
    out = invoke(runner, config, "show", "LIFE-2026-SAP-CLIMA-CCA").stdout
    assert "status                    open" in out and "Areas:\n  klimat-miljo (score " in out
    assert re.search(r"first_seen +\d{4}-\d\d-\d\d \d\d:\d\d E[DS]T\n", out)
    header = invoke(runner, config, "search", "climate").stdout.splitlines()[0]
    assert header.split()[:4] == ["IDENTIFIER", "STATUS", "DEADLINE", "PROGRAMME"]
    explained = invoke(runner, config, "rules", "explain", "LIFE-2026-SAP-CLIMA-CCA").stdout
    assert "Areas (score / threshold):" in explained

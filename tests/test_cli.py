"""The `monitor` command as users meet it: run, search, export, and the errors they may see."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket

import click
import pytest

from helpers.paths import ROOT
from helpers.portal_emulator import portal_config
from monitor.cli import cli
from monitor.store.queries import EXPORT_FIELDS


@pytest.fixture
def config_path(write_config, live_portal):
    return write_config(portal_config(live_portal.base_url))


@pytest.fixture
def stored(runner, config_path, snapshot_day):
    """A config whose database already holds the 341 calls, run on the snapshot's day."""
    result = runner.invoke(cli, ["--config", str(config_path), "run"])
    assert result.exit_code == 0, result.output
    return config_path


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/rest"


def test_run_prints_a_line_per_source_and_a_total(runner, config_path):
    first = runner.invoke(cli, ["--config", str(config_path), "run", "--no-digest"])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "eu-portal  341 poster, 341 nya, 0 ändrade",
        "Totalt: 1 källa (0 misslyckades), 341 poster, 341 nya, 0 ändrade",
    ]
    second = runner.invoke(cli, ["--config", str(config_path), "run"])
    assert second.stdout.splitlines()[0] == "eu-portal  341 poster, 0 nya, 0 ändrade"
    # Slack is not set up: the coming digest follows, after a blank line.
    assert second.stdout.splitlines()[2] == ""
    assert second.stdout.splitlines()[3].startswith("EU-bevakning vecka ")


def test_one_failing_source_does_not_stop_the_others(runner, write_config, live_portal):
    broken = f"""
[[sources]]
id = "portal-offline"
kind = "eu_portal"
name = "Unreachable copy"
url = "{closed_port_url()}/search"
facet_url = "{closed_port_url()}/facet"
"""
    path = write_config(portal_config(live_portal.base_url) + broken)
    result = runner.invoke(cli, ["--config", str(path), "run", "--no-digest"])
    assert result.exit_code == 3, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "eu-portal       341 poster, 341 nya, 0 ändrade"
    assert lines[1].startswith("portal-offline  MISSLYCKADES: kunde inte ansluta till 127.0.0.1")
    assert lines[-1] == "Totalt: 2 källor (1 misslyckades), 341 poster, 341 nya, 0 ändrade"
    search = runner.invoke(cli, ["--config", str(path), "search", "--format", "json"])
    assert len(json.loads(search.stdout)) == 50  # the default limit: the good source was stored


def test_run_only_the_named_source(runner, config_path):
    result = runner.invoke(cli, ["--config", str(config_path), "run", "--source", "nope"])
    assert result.exit_code == 1
    assert "there is no source with id 'nope'" in result.output
    assert "known: eu-portal" in result.output


def test_missing_rules_folder_is_a_warning_not_an_error(runner, config_path):
    result = runner.invoke(cli, ["--config", str(config_path), "run"])
    assert result.exit_code == 0
    assert "regelmappen" in result.stderr and "finns inte" in result.stderr


def test_config_errors_are_one_line_and_tracebacks_need_verbose(runner, write_config):
    path = write_config('[[sources]]\nid = "x"\nkind = "eu_portal"\nevery = "often"\n')
    plain = runner.invoke(cli, ["--config", str(path), "run"])
    assert plain.exit_code == 1
    assert plain.stderr.strip().splitlines() == [
        f"Fel: {path}, rad 4: source 'x': 'every': 'often' is not a duration; write a number "
        'and a unit, e.g. "30m", "6h", "1d" (units: s, m, h, d, w)'
    ]
    verbose = runner.invoke(cli, ["-v", "--config", str(path), "run"])
    assert verbose.exit_code == 1
    assert "Traceback" in verbose.stderr


def test_db_option_and_environment_choose_the_database(runner, config_path, tmp_path):
    other = tmp_path / "other.db"
    result = runner.invoke(cli, ["--config", str(config_path), "--db", str(other), "run"])
    assert result.exit_code == 0
    assert other.exists() and not (tmp_path / "monitor.db").exists()
    env = {"MONITOR_CONFIG": str(config_path), "MONITOR_DB": str(other)}
    listed = runner.invoke(cli, ["search", "--format", "json", "--limit", "500"], env=env)
    assert len(json.loads(listed.stdout)) == 341


def test_without_any_config_the_builtin_defaults_are_used(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    monkeypatch.delenv("MONITOR_DB", raising=False)
    result = runner.invoke(cli, ["export"])
    assert "de inbyggda standardinställningarna används" in result.stderr
    # the defaults' database, here, where nothing has run yet
    assert f"databasen {tmp_path / 'monitor.db'} finns inte" in result.stderr


def test_search_best_match_first_with_filters(runner, stored, monkeypatch):
    args = ["--config", str(stored), "search", "gender-based violence", "--format", "json"]
    rows = json.loads(runner.invoke(cli, args).stdout)
    assert rows[0]["identifier"] == "CERV-2026-DAPHNE-PREVENTION"
    assert list(rows[0]) == list(EXPORT_FIELDS)

    args = ["--config", str(stored), "search", "climat*", "--programme", "LIFE", "--format", "json"]
    rows = json.loads(runner.invoke(cli, args).stdout)
    assert rows and all(r["programme"].endswith("(LIFE)") for r in rows)

    result = runner.invoke(cli, ["--config", str(stored), "search", "CERV-2026-DAPHNE-PREVENTION"])
    assert result.exit_code == 0
    header, first = result.stdout.splitlines()[:2]
    # in [settings] language, Swedish by default
    assert re.split(r"\s{2,}", header)[:4] == ["ID", "STATUS", "SISTA DAG", "PROGRAM"]
    assert first.split()[:3] == ["CERV-2026-DAPHNE-PREVENTION", "öppen", "2026-11-05"]
    # A run the day after its only deadline closes the call.
    monkeypatch.setenv("MONITOR_TODAY", "2026-11-06")
    assert runner.invoke(cli, ["--config", str(stored), "run", "--no-digest"]).exit_code == 0
    result = runner.invoke(cli, ["--config", str(stored), "search", "CERV-2026-DAPHNE-PREVENTION"])
    assert result.stdout.splitlines()[1].split()[:3] == [
        "CERV-2026-DAPHNE-PREVENTION",
        "stängd",
        "2026-11-05",
    ]


def test_search_deadline_filters_and_limit(runner, stored):
    args = [
        "--config",
        str(stored),
        "search",
        "--deadline-after",
        "2026-10-01",
        "--deadline-before",
        "2026-10-31",
        "--format",
        "csv",
        "--limit",
        "500",
    ]
    result = runner.invoke(cli, args)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    assert all("2026-10-01" <= r["deadline"] <= "2026-10-31" for r in rows)
    assert [r["deadline"] for r in rows] == sorted(r["deadline"] for r in rows)
    bad = runner.invoke(cli, ["--config", str(stored), "search", "--deadline-before", "31/10"])
    assert bad.exit_code == 2 and "31/10" in bad.output


def test_search_with_nothing_found_says_so(runner, stored):
    result = runner.invoke(cli, ["--config", str(stored), "search", "zzzyxq"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Inga träffar." in result.stderr


def test_export_json_and_csv_hold_every_item_with_the_documented_fields(runner, stored, tmp_path):
    out = tmp_path / "export.json"
    result = runner.invoke(cli, ["--config", str(stored), "export", "--output", str(out)])
    assert result.exit_code == 0
    assert "Skrev 341 poster" in result.stderr
    items = json.loads(out.read_text(encoding="utf-8"))
    assert len(items) == 341
    daphne = next(i for i in items if i["identifier"] == "CERV-2026-DAPHNE-PREVENTION")
    assert list(daphne) == list(EXPORT_FIELDS)
    assert daphne["deadlines"] == ["2026-11-05"] and daphne["areas"] == []
    assert daphne["first_seen"].endswith("+00:00")

    result = runner.invoke(cli, ["--config", str(stored), "export", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 341
    assert list(rows[0]) == list(EXPORT_FIELDS)


def test_every_command_has_help(runner):
    names = cli.list_commands(click.Context(cli))
    assert {"run", "search", "show", "deadlines", "export", "sources", "rules", "digest"} <= set(
        names
    )
    listing = runner.invoke(cli, ["--help"]).output
    for name in names:
        command = cli.get_command(click.Context(cli), name)
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        first_line = command.help.strip().split("\n")[0]
        assert " ".join(first_line.split()) in " ".join(result.output.split())
        assert f"  {name} " in listing


def test_a_run_compiles_the_rules_once_and_again_only_when_they_change(
    runner, write_config, live_portal, tmp_path, monkeypatch
):
    """Matching and the digest printed after it share one compiled rule set; an edited rule
    file is compiled afresh (monitor serve reads the rules anew for each run)."""
    from monitor.rules import RuleSet

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    config = write_config(portal_config(live_portal.base_url, settings=f'rules = "{rules}"'))
    compiled = []
    original = RuleSet.compile
    monkeypatch.setattr(RuleSet, "compile", lambda self: compiled.append(1) or original(self))
    result = runner.invoke(cli, ["--config", str(config), "run"])
    assert result.exit_code == 0, result.output
    assert "EU-bevakning vecka " in result.stdout  # the digest was built too
    assert len(compiled) == 1
    gate = rules / "_gate.toml"
    gate.write_text(gate.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    runner.invoke(cli, ["--config", str(config), "run", "--no-digest"])
    assert len(compiled) == 2

"""One run for two groups: each source is requested once, each group judges the items of the
sources that serve it with its rules; `rules reapply`, `monitor groups` and `groups rename`
through the CLI."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from helpers.paths import ROOT
from helpers.portal_emulator import PortalEmulator, load_open_calls, portal_config
from monitor.cli import cli

GROUPS = """
[[sources]]
id = "portal-b"
kind = "eu_portal"
name = "The portal, for b only"
url = "{base}/search"
facet_url = "{base}/facet"
details_url = "{base}/topicDetails/{{identifier}}.json"
groups = ["b"]

[[groups]]
id = "a"
name = "Kommun A"

[[groups]]
id = "b"
name = "Kommun B"
"""


@pytest.fixture
def portal():
    emulator = PortalEmulator(rows=load_open_calls()[:12])
    with emulator.serve() as server:
        yield emulator, server.base_url


def project(folder: Path, base_url: str, groups: bool) -> Path:
    folder.mkdir()
    shutil.copytree(ROOT / "rules", folder / "rules")
    extra = GROUPS.format(base=base_url)
    if not groups:
        extra = extra.replace('groups = ["b"]', "").split("[[groups]]")[0]
    config = folder / "sources.toml"
    config.write_text(portal_config(base_url, extra=extra), encoding="utf-8")
    return config


def monitor(runner, config, *args, ok=True):
    result = runner.invoke(cli, ["--config", str(config), *args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def judged(config: Path) -> dict[str, set[str]]:
    """Group -> the sources of the items it judged."""
    with sqlite3.connect(config.parent / "monitor.db") as db:
        rows = db.execute(
            """SELECT v.group_id, i.source FROM group_verdicts AS v
               JOIN items AS i ON i.id = v.item_id"""
        ).fetchall()
        default = db.execute("SELECT COUNT(*) FROM items WHERE matched_at IS NOT NULL").fetchone()
    found: dict[str, set[str]] = {}
    for group, source in rows:
        found.setdefault(group, set()).add(source)
    if default[0]:
        found["default"] = {"?"}
    return found


def test_one_run_fetches_each_source_once_and_each_group_judges_its_sources(
    runner, portal, tmp_path
):
    emulator, base = portal
    alone = project(tmp_path / "alone", base, groups=False)
    monitor(runner, alone, "run")
    requests_alone = len(emulator.requests)
    emulator.requests.clear()

    both = project(tmp_path / "both", base, groups=True)
    monitor(runner, both, "run")

    assert len(emulator.requests) == requests_alone  # two groups, the same requests
    assert judged(both) == {"a": {"eu-portal"}, "b": {"eu-portal", "portal-b"}}
    a_sources = monitor(runner, both, "search", "--group", "a", "--format", "csv").stdout
    assert "portal-b:" not in a_sources and "eu-portal:" in a_sources
    b_sources = monitor(runner, both, "search", "--group", "b", "--format", "csv").stdout
    assert "portal-b:" in b_sources


def test_reapply_matches_every_group_each_on_its_sources(runner, portal, tmp_path):
    _, base = portal
    config = project(tmp_path / "p", base, groups=True)
    monitor(runner, config, "run")
    with sqlite3.connect(config.parent / "monitor.db") as db:
        db.execute("DELETE FROM group_verdicts")
        db.execute("DELETE FROM matches")

    out = monitor(runner, config, "rules", "reapply").stdout.splitlines()
    assert [line.split(":")[0] for line in out] == ["a", "b"]
    assert "Matchade 12 poster igen" in out[0] and "Matchade 24 poster igen" in out[1]
    assert judged(config) == {"a": {"eu-portal"}, "b": {"eu-portal", "portal-b"}}

    with sqlite3.connect(config.parent / "monitor.db") as db:
        db.execute("DELETE FROM group_verdicts")
    [line] = monitor(runner, config, "rules", "reapply", "--group", "b").stdout.splitlines()
    assert line.startswith("b: Matchade 24 poster igen")
    assert judged(config) == {"b": {"eu-portal", "portal-b"}}


def test_broken_rules_stop_the_run_before_any_fetch(runner, portal, tmp_path):
    emulator, base = portal
    config = project(tmp_path / "p", base, groups=True)
    broken = config.parent / "rules" / "kultur.toml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\ncolour = 'blue'\n", encoding="utf-8")
    result = monitor(runner, config, "run", ok=False)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    # the common rules are every group's: no group is blamed (an overlay's mistake names its
    # group, see test_rules_overlay and test_groups_end_to_end)
    assert "kultur.toml" in line and "colour" in line and "group a" not in line
    assert emulator.requests == []


def test_groups_lists_each_group_and_rename_hands_over_the_history(runner, portal, tmp_path):
    _, base = portal
    alone = project(tmp_path / "p", base, groups=False)
    first = monitor(runner, alone, "groups").stdout.splitlines()  # before any run: nothing yet
    assert first[1].split()[0] == "default" and first[1].split()[-3:] == ["0", "0", "0"]
    assert not (alone.parent / "monitor.db").exists()
    monitor(runner, alone, "run")
    [call] = [
        line.split(",")[0]
        for line in monitor(runner, alone, "export", "--format", "csv").stdout.splitlines()[1:2]
    ]
    monitor(runner, alone, "track", call, "--state", "interested", "--unit", "Miljö")
    before = monitor(runner, alone, "groups").stdout.splitlines()
    assert before[0].split()[:2] == ["GROUP", "NAME"]
    assert before[1].split()[0] == "default"

    # the deployment adds [[groups]]: its history is still under 'default' ...
    text = alone.read_text(encoding="utf-8") + GROUPS.split("[[groups]]", 1)[1].join(
        ["[[groups]]", ""]
    )
    alone.write_text(text.replace('groups = ["b"]', ""), encoding="utf-8")
    listed = monitor(runner, alone, "groups").stdout
    assert "Stored under 'default', which is not a group in sources.toml" in listed
    assert "1 calls tracked" in listed
    # ... until it hands it to a group
    out = monitor(runner, alone, "groups", "rename", "default", "a").stdout
    assert out.startswith("Moved the group 'default' to 'a':")
    tracked_a = monitor(runner, alone, "tracked", "--group", "a", "--format", "csv").stdout
    assert "Miljö" in tracked_a
    assert (
        "Miljö" not in monitor(runner, alone, "tracked", "--group", "b", "--format", "csv").stdout
    )
    rows = {
        line.split()[0]: line.split()
        for line in monitor(runner, alone, "groups").stdout.splitlines()[1:]
        if line
    }
    assert rows["a"][-1] == "1" and rows["b"][-1] == "0"  # tracked calls
    assert "Stored under" not in monitor(runner, alone, "groups").stdout

    unknown = monitor(runner, alone, "groups", "rename", "a", "c", ok=False)
    assert unknown.exit_code == 1 and "there is no group 'c' (groups: a, b)" in unknown.output
    nothing = monitor(runner, alone, "groups", "rename", "default", "b", ok=False)
    assert "nothing is stored under the group 'default'" in nothing.output


def test_groups_lists_only_the_notifiers_a_group_sends_to(runner, portal, tmp_path):
    # Kommun B sends to Slack only ([groups.notify]); the common [email] list is not its own.
    _, base = portal
    config = project(tmp_path / "p", base, groups=True)
    text = config.read_text(encoding="utf-8").replace(
        'name = "Kommun B"\n',
        'name = "Kommun B"\n[groups.slack]\nchannel = "#eu-b"\n[groups.notify]\nsend = ["slack"]\n',
    )
    mail = '[email]\nsmtp_host = "smtp.kommun.se"\nfrom = "eu@kommun.se"\n'
    mail += 'to = ["alla@kommun.se"]\n\n'
    config.write_text(mail + text, encoding="utf-8")
    rows = {
        line.split()[0]: line
        for line in monitor(runner, config, "groups").stdout.splitlines()[1:]
        if line
    }
    assert "alla@kommun.se" in rows["a"]
    assert "#eu-b" in rows["b"] and "alla@kommun.se" not in rows["b"]

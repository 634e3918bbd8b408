"""A typo or an impossible request says so in one line and exits 1; it never looks like an empty
history, a 0.00 or a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.portal_emulator import portal_config
from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "fixtures" / "eval" / "dev-labels.json"


@pytest.fixture
def matched(runner, write_config, live_portal, tmp_path, snapshot_day):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    path = write_config(portal_config(live_portal.base_url))
    assert runner.invoke(cli, ["--config", str(path), "run", "--no-digest"]).exit_code == 0
    return path


def fails(runner, config, *args):
    result = runner.invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    return line


@pytest.mark.parametrize("command", ["search", "deadlines", "export"])
def test_an_unknown_area_lists_the_known_ones(runner, matched, command):
    line = fails(runner, matched, command, "--area", "klimat")
    assert "unknown --area 'klimat'" in line
    assert "klimat-miljo" in line and "utbildning" in line


@pytest.mark.parametrize("command", ["search", "export"])
def test_an_unknown_source_or_programme_lists_the_known_ones(runner, matched, command):
    line = fails(runner, matched, command, "--source", "eu-portl")
    assert "unknown --source 'eu-portl' (known: eu-portal)" in line
    line = fails(runner, matched, command, "--programme", "LIIFE")
    assert "'LIIFE'" in line and "LIFE" in line.split("stored:")[1]


def test_known_filters_still_answer(runner, matched):
    args = ["--config", str(matched), "export", "--format", "jsonl"]
    life = runner.invoke(cli, [*args, "--programme", "life", "--source", "eu-portal"])
    assert life.exit_code == 0
    rows = [json.loads(line) for line in life.stdout.splitlines()]
    assert rows and all(r["programme"].endswith("(LIFE)") for r in rows)
    by_name = runner.invoke(cli, [*args, "--programme", "Environment and Climate"])
    assert by_name.stdout == life.stdout  # part of the programme's name


def test_a_closed_pipe_ends_quietly(matched):
    with subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(matched), "sources"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader has gone, as `| head` does
        stderr = process.stderr.read().decode()
        process.stderr.close()
    assert stderr == ""


def test_report_refuses_a_suffix_it_cannot_write(runner, matched, tmp_path):
    line = fails(runner, matched, "report", "--output", str(tmp_path / "r.pdf"))
    assert "cannot write a report as .pdf" in line and ".md" in line and ".html" in line
    assert not (tmp_path / "r.pdf").exists()
    ok = runner.invoke(
        cli, ["--config", str(matched), "report", "--output", str(tmp_path / "r.md")]
    )
    assert ok.exit_code == 0 and (tmp_path / "r.md").read_text(encoding="utf-8").startswith("#")


def test_rules_eval_says_when_no_labelled_call_is_stored(runner, tmp_path, write_config):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    config = write_config('[settings]\ndatabase = "empty.db"\n')
    line = fails(runner, config, "rules", "eval", str(LABELS), "--folds", "0")
    assert "ingen av de" in line and "etiketterade utlysningarna" in line and "monitor run" in line
    assert "0.00" not in line

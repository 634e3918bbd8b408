"""Numbers and dates outside what they can mean, and a folder that is not there: one plain
line and exit 2 (a usage error) or 1, never "unexpected error"."""

from __future__ import annotations

import pytest

from monitor.cli import cli
from monitor.store import open_store


@pytest.fixture
def config(write_config):
    path = write_config('[settings]\ndatabase = "monitor.db"\n')
    open_store(path.parent / "monitor.db")  # a database that has been run into
    return path


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["search", "climate", "--limit", str(2**63)], 2, "not in the range 1<=x<=100000"),
        (["deadlines", "--within", "3000000"], 2, "not in the range 0<=x<=36500"),
        (["digest", "--since", "0001-01-01"], 2, "not a date from 1900-01-01 to 2199-12-31"),
        (["search", "x", "--since", "2026-13-01"], 2, "not a date written YYYY-MM-DD"),
        (["export", "--output", "no-such-folder/calls.csv"], 1, "no-such-folder does not exist"),
        (["digest", "--output", "no-such-folder/vecka.md"], 1, "no-such-folder does not exist"),
        (["export", "--output", ""], 2, "no file named: give one, e.g. --output utlysningar.csv"),
        (["report", "--output", " "], 2, "no file named"),
    ],
)
def test_a_value_out_of_range_is_one_plain_line(runner, config, tmp_path, args, code, said):
    args = [a.replace("no-such-folder", str(tmp_path / "no-such-folder")) for a in args]
    result = runner.invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == code, result.output
    assert said in result.output
    assert "oväntat fel" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "no-such-folder").exists()

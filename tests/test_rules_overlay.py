"""A group's rules overlay (issue 16): the shipped rules/ with a kommun's own folder on top.

Each capability is shown by a verdict a user would see change (an area in the digest or not,
the main list or not), and each kind of mistake by its one line naming group, file and line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.paths import ROOT
from monitor.errors import RuleError
from monitor.rules import load_group_rules, load_rules
from monitor.rules.overlay import overlay_rules

CULTURE = {
    "title": "Utlysning: EU-stöd till kommuner för kulturarv och bibliotek",
    "summary": "Kommuner kan söka bidrag inom Kreativa Europa för bibliotek och museer.",
}
HARBOUR = {
    "title": "Utlysning: EU-stöd till kommuner för hamnutveckling",
    "summary": "Kommuner kan söka bidrag för hamnutveckling och sjöfart inom Interreg.",
}
CLIMATE = {  # klimat-miljo 6.5 of 4: "klimatanpassning" (*klimat*, 3, in the title) + "dagvatten"
    "title": "Utlysning: EU-stöd till kommuner för klimatanpassning",
    "summary": "Kommuner kan söka bidrag inom Interreg för klimatanpassning av dagvatten.",
}
HARBOUR_AREA = """\
id = "hamn"
name = "Hamn och sjöfart"
threshold = 4
[terms.sv]
"hamnutveckling" = 4
"""


@pytest.fixture
def common(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "rules", tmp_path / "rules"))


def overlay(common: Path, files: dict[str, str], group: str = "linkoping") -> Path:
    folder = common / group
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def judge(common: Path, folder: Path | None, item: dict[str, str], group: str = "linkoping"):
    return load_group_rules(common, folder, group).compile().match(item)


def test_without_an_overlay_a_group_has_the_common_rules(common):
    assert load_group_rules(common, None, "x") == load_rules(common)
    empty = overlay(common, {})
    assert load_group_rules(common, empty, "linkoping").area_ids == load_rules(common).area_ids


def test_an_added_area_matches_what_the_common_rules_file_nowhere(common):
    assert judge(common, None, HARBOUR).areas == []
    assert not judge(common, None, HARBOUR).relevant

    verdict = judge(common, overlay(common, {"hamn.toml": HARBOUR_AREA}), HARBOUR)

    assert verdict.best_area == "hamn"
    assert verdict.relevant
    assert judge(common, None, CLIMATE).area_ids == ["klimat-miljo"]  # common areas still there


def test_a_replaced_area_uses_the_groups_phrases_only(common):
    assert judge(common, None, CULTURE).best_area == "kultur"
    replaced = overlay(
        common,
        {"kultur.toml": 'id = "kultur"\nname = "Kultur"\nthreshold = 4\n[terms.sv]\n"hamn*" = 4\n'},
    )
    rules = load_group_rules(common, replaced, "linkoping")

    assert "kultur" not in rules.compile().match(CULTURE).area_ids
    assert rules.compile().match(HARBOUR).best_area == "kultur"
    assert rules.area_ids.index("kultur") == load_rules(common).area_ids.index("kultur")
    assert rules.area("kultur").source == replaced / "kultur.toml"


def test_a_disabled_area_no_longer_matches(common):
    folder = overlay(common, {"_group.toml": 'disable = ["kultur"]\n'})

    verdict = judge(common, folder, CULTURE)

    assert "kultur" not in verdict.area_ids
    assert not verdict.relevant  # no area left to file it under: "Kanske också" at most
    assert "kultur" not in load_group_rules(common, folder, "linkoping").area_ids


def test_the_gate_threshold_of_a_group_takes_a_call_out_of_the_main_list(common):
    assert judge(common, None, CLIMATE).relevant  # gate score 8, common threshold 2
    folder = overlay(common, {"_group.toml": "[gate]\nthreshold = 9\n"})

    verdict = judge(common, folder, CLIMATE)

    assert not verdict.gate.passed
    assert not verdict.relevant


def test_an_area_threshold_moves_a_call_in_and_out(common):
    stricter = overlay(common, {"_group.toml": '[thresholds]\n"klimat-miljo" = 7\n'}, "a")
    assert "klimat-miljo" not in judge(common, stricter, CLIMATE, "a").area_ids

    # partnerskap sees only "interreg" (1 of 4): a group that cares lowers the bar
    assert "partnerskap" not in judge(common, None, CLIMATE).area_ids
    looser = overlay(common, {"_group.toml": "[thresholds]\npartnerskap = 1\n"}, "b")
    assert "partnerskap" in judge(common, looser, CLIMATE, "b").area_ids


def test_changed_weights_move_a_call_out_and_back_in(common):
    lower = '[weights.klimat-miljo.sv]\n"*klimat*" = 1\n'  # 1.5 + 2 = 3.5 of 4
    folder = overlay(common, {"_group.toml": lower}, "a")
    assert "klimat-miljo" not in judge(common, folder, CLIMATE, "a").area_ids

    group_weight = lower + '"vatten" = 3\n'  # the group of *vatten forms, by its name: 4.5
    folder = overlay(common, {"_group.toml": group_weight}, "b")
    assert "klimat-miljo" in judge(common, folder, CLIMATE, "b").area_ids


def test_a_weight_adds_a_phrase_and_zero_removes_one(common):
    added = overlay(common, {"_group.toml": '[weights.klimat-miljo.sv]\n"hamn*" = 4\n'}, "a")
    assert judge(common, added, HARBOUR, "a").best_area == "klimat-miljo"

    removed = '[weights.klimat-miljo.sv]\n"*klimat*" = 0\n'
    folder = overlay(common, {"_group.toml": removed}, "b")
    assert "klimat-miljo" not in judge(common, folder, CLIMATE, "b").area_ids
    texts = {t.text for t in load_group_rules(common, folder, "b").area("klimat-miljo").terms}
    assert "*klimat*" not in texts


def test_a_group_written_out_replaces_the_common_group(common):
    forms = '[weights.klimat-miljo.sv]\n"vatten" = { weight = 2, forms = ["sjöfart"] }\n'
    folder = overlay(common, {"_group.toml": forms})
    rules = load_group_rules(common, folder, "linkoping")

    assert "dagvatten" not in judge(common, folder, CLIMATE).areas[0].phrases
    assert [
        t.text for t in rules.area("klimat-miljo").terms if t.group == ("terms", "sv", "vatten")
    ] == ["sjöfart"]


def test_a_groups_own_gate_and_scorer_replace_the_common_ones(common):
    gate = '[can_apply.sv]\n"hamn*" = 3\n'  # threshold 0, no [requires], no area_order
    scorer = "relevant_at = 0.9\nmaybe_at = 0.1\nintercept = 0\n"
    folder = overlay(common, {"_gate.toml": gate, "_scorer.toml": scorer})
    rules = load_group_rules(common, folder, "linkoping")

    assert rules.gate.source == folder / "_gate.toml"
    assert rules.scorer is not None and rules.scorer.relevant_at == 0.9
    assert judge(common, folder, {"title": "Nyheter om hamnen i kommunen"}).gate.passed
    assert not judge(common, None, {"title": "Nyheter om hamnen i kommunen"}).gate.passed


def test_one_groups_overlay_leaves_the_common_rules_and_other_groups_alone(common):
    folder = overlay(common, {"_group.toml": 'disable = ["kultur"]\n[gate]\nthreshold = 9\n'})
    load_group_rules(common, folder, "linkoping")

    other = load_group_rules(common, None, "norrkoping").compile()
    assert other.match(CULTURE).best_area == "kultur"
    assert other.match(CLIMATE).relevant


ERRORS = [
    (
        "unknown area in disable",
        {"_group.toml": '# Linköping\n\ndisable = ["kultr"]\n'},
        "_group.toml",
        3,
        ["group linkoping, key disable: unknown area 'kultr' (known: ", "kultur"],
    ),
    (
        "disable not a list",
        {"_group.toml": 'disable = "kultur"\n'},
        "_group.toml",
        1,
        ["group linkoping, key disable: must be a list of area ids"],
    ),
    (
        "unknown key",
        {"_group.toml": "[gate]\nthreshold = 3\n[threshold]\nkultur = 2\n"},
        "_group.toml",
        3,
        ["group linkoping, key threshold: unknown key 'threshold'", "thresholds"],
    ),
    (
        "unknown key of the gate",
        {"_group.toml": "[gate]\ntitle_boos = 3\n"},
        "_group.toml",
        2,
        ["group linkoping, key gate.title_boos: unknown key"],
    ),
    (
        "gate threshold not a number",
        {"_group.toml": '[gate]\nthreshold = "3"\n'},
        "_group.toml",
        2,
        ["group linkoping, key gate.threshold: 'threshold' must be a number"],
    ),
    (
        "unknown area in thresholds",
        {"_group.toml": "[thresholds]\nklimat = 2\n"},
        "_group.toml",
        2,
        ["group linkoping, key thresholds.klimat: unknown area 'klimat'", "klimat-miljo"],
    ),
    (
        "threshold of a disabled area",
        {"_group.toml": 'disable = ["kultur"]\n[thresholds]\nkultur = 2\n'},
        "_group.toml",
        3,
        ["key thresholds.kultur: area 'kultur' is switched off"],
    ),
    (
        "unknown area in weights",
        {"_group.toml": '[weights.klimat.sv]\n"hav" = 2\n'},
        "_group.toml",
        1,
        ["group linkoping, key weights.klimat: unknown area 'klimat'"],
    ),
    (
        "weight not a number",
        {"_group.toml": '[weights.kultur.sv]\n"teater*" = "tre"\n'},
        "_group.toml",
        2,
        ["key weights.kultur.sv: the weight of 'teater*' must be a number"],
    ),
    (
        "broken phrase",
        {"_group.toml": '[weights.kultur.sv]\n"tea*ter" = 2\n'},
        "_group.toml",
        2,
        ["group linkoping, key weights.kultur.sv: term 'tea*ter'"],
    ),
    (
        "a form of a group",
        {"_group.toml": '\n[weights.klimat-miljo.sv]\n"*avfall" = 4\n'},
        "_group.toml",
        3,
        ["'*avfall' is a form of the group 'avfall'", '"avfall" = 4'],
    ),
    (
        "zero for a phrase not there",
        {"_group.toml": '[weights.kultur.sv]\n"opera" = 0\n'},
        "_group.toml",
        2,
        ["'opera' is not a phrase of area 'kultur'"],
    ),
    (
        "every area switched off",
        {
            "_group.toml": "disable = ["
            + ", ".join(f'"{p.stem}"' for p in sorted((ROOT / "rules").glob("[!_]*.toml")))
            + "]\n"
        },
        "_group.toml",
        1,
        ["every area is switched off"],
    ),
    (
        "replaced and disabled",
        {
            "kultur.toml": 'id = "kultur"\nname = "K"\n[terms.sv]\n"opera" = 1\n',
            "_group.toml": 'disable = ["kultur"]\n',
        },
        "_group.toml",
        1,
        ["area 'kultur' is both replaced by a file of this folder and switched off"],
    ),
    (
        "TOML syntax error",
        {"_group.toml": "[gate]\nthreshold = = 3\n"},
        "_group.toml",
        2,
        ["group linkoping: TOML-syntaxfel"],
    ),
    (
        "broken area file of the group",
        {"hamn.toml": 'id = "hamn"\nname = "Hamn"\n[terms.sv]\n"ham*n" = 3\n'},
        "hamn.toml",
        4,
        ["group linkoping, area hamn, key terms.sv: term 'ham*n'"],
    ),
    (
        "two area files with one id",
        {"hamn.toml": HARBOUR_AREA, "hamnar.toml": HARBOUR_AREA},
        "hamnar.toml",
        1,
        ["group linkoping, area hamn, key id: area id 'hamn' is already used by"],
    ),
    (
        "unknown special file",
        {"_groups.toml": "disable = []\n"},
        "_groups.toml",
        0,
        ["group linkoping: unknown special file", "_group.toml"],
    ),
    (
        "the group's gate orders an unknown area",
        {"_gate.toml": 'area_order = ["hamn"]\n[can_apply.sv]\n"kommun*" = 3\n'},
        "_gate.toml",
        1,
        ["group linkoping, gate, key area_order: unknown area 'hamn'"],
    ),
    (
        "broken scorer of the group",
        {"_scorer.toml": "relevant_at = 2\nmaybe_at = 0.1\nintercept = 0\n"},
        "_scorer.toml",
        1,
        ["group linkoping, key relevant_at: must be between 0 and 1"],
    ),
]


@pytest.mark.parametrize(
    ("files", "file", "line", "expect"),
    [case[1:] for case in ERRORS],
    ids=[case[0] for case in ERRORS],
)
def test_mistakes_name_the_group_the_file_and_the_line(common, files, file, line, expect):
    folder = overlay(common, files)
    with pytest.raises(RuleError) as caught:
        load_group_rules(common, folder, "linkoping")
    error = caught.value
    assert error.file == folder / file
    assert error.line == (line or None)
    message = str(error)
    assert message.startswith(f"{folder / file}")
    for expected in expect:
        assert expected in message
    assert "\n" not in message


def test_a_missing_group_folder_is_an_error_naming_the_group(common):
    with pytest.raises(RuleError) as caught:
        load_group_rules(common, common / "linkoping", "linkoping")
    message = str(caught.value)
    assert message.startswith(f"{common / 'linkoping'}: group linkoping: ")
    assert "not found" in message and "sources.toml" in message


def test_a_mistake_in_the_common_rules_is_not_blamed_on_the_group(common):
    (common / "kultur.toml").write_text('id = "kultur"\nname = "K"\n', encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_group_rules(common, overlay(common, {}), "linkoping")
    assert "group linkoping" not in str(caught.value)
    assert caught.value.file == common / "kultur.toml"


def test_groups_share_one_load_of_the_common_rules_without_changing_it(common):
    base = load_rules(common)
    quiet = overlay(common, {"_group.toml": 'disable = ["kultur"]\n'}, "a")
    loud = overlay(common, {"_group.toml": '[weights.kultur.sv]\n"hamn*" = 4\n'}, "b")

    first = overlay_rules(base, quiet, "a").compile()
    second = overlay_rules(base, loud, "b").compile()

    assert "kultur" not in first.match(CULTURE).area_ids
    assert second.match(HARBOUR).best_area == "kultur"
    assert base == load_rules(common)


def test_the_readme_example_is_a_valid_overlay_doing_what_it_says(common):
    readme = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    example = readme.split("# rules/linkoping/_group.toml\n", 1)[1].split("```", 1)[0]
    rules = load_group_rules(common, overlay(common, {"_group.toml": example}), "linkoping")

    assert "kultur" not in rules.area_ids
    assert rules.gate.threshold == 3
    area = rules.area("klimat-miljo")
    weights = {t.text: t.weight for t in area.terms}
    assert area.threshold == 3
    assert weights["*klimat*"] == 4 and weights["vatten*"] == 3 and weights["skogsbruk*"] == 2
    assert "hållbar*" not in weights
    assert [t.text for t in area.terms if t.group and t.group[-1] == "avfall"] == [
        "avfall*",
        "sopor",
    ]

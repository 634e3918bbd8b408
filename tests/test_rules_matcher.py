"""The compiled matcher: verdicts, scoring, exclusions, programmes, explain, robustness."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.rules import AreaMatch, Matcher, Verdict, load_rules, programme_codes
from monitor.rules import index as index_module

GATE = """
threshold = 2
title_boost = 2
[programmes]
rule_out = ["EDF"]
[programmes.likely]
LIFE = 2
[can_apply.sv]
"kommun*" = 3
[can_apply.en]
"local authorit*" = 3
[research_only.en]
"trl" = 3
[not_a_call.sv]
"tillsvidareanställning" = 5
[rule_out]
en = ["main battle tank*"]
"""

KLIMAT = """
id = "klimat"
name = "Klimat och miljö"
threshold = 4
[programmes.likely]
LIFE = 4
[terms.sv]
"klimat*" = 3
"biologisk mångfald" = 3
[terms.en]
"climate adaptation" = 3
"climate" = 1
[exclude]
en = ["nuclear"]
"""

SKOLA = """
id = "skola"
name = "Skola"
threshold = 3
fields = ["title"]
[programmes]
impossible = ["LIFE"]
[terms.sv]
"*skola" = 3
"skol*" = 3
"""


@pytest.fixture
def matcher(tmp_path: Path) -> Matcher:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name, text in {"_gate.toml": GATE, "klimat.toml": KLIMAT, "skola.toml": SKOLA}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_rules(folder).compile()


def test_relevant_item(matcher: Matcher):
    verdict = matcher.match(
        {"title": "Klimatanpassning i kommunen", "summary": "Biologisk mångfald och dagvatten."}
    )
    assert isinstance(verdict, Verdict)
    assert verdict.relevant
    assert verdict.gate.passed and verdict.gate.score == 3
    assert verdict.gate.phrases == ["kommunen"]
    # klimat* in the title counts twice (title_boost = 2), biologisk mångfald once.
    assert verdict.areas == [AreaMatch("klimat", 9.0, ["klimatanpassning", "biologisk mångfald"])]
    assert verdict.best_area == "klimat"


def test_area_without_gate_is_not_relevant_but_keeps_its_areas(matcher: Matcher):
    verdict = matcher.match({"summary": "Klimatanpassning och biologisk mångfald"})
    assert not verdict.relevant
    assert not verdict.gate.passed
    assert verdict.best_area == "klimat"


def test_gate_without_area_is_not_relevant(matcher: Matcher):
    verdict = matcher.match({"summary": "Kommunen bjuder in till möte"})
    assert verdict.gate.passed
    assert not verdict.relevant
    assert verdict.areas == [] and verdict.best_area is None


def test_research_signals_count_against_the_gate(matcher: Matcher):
    verdict = matcher.match({"summary": "Local authorities, TRL 4 to 6, climate adaptation pilots"})
    assert verdict.gate.score == 0
    assert verdict.gate.against == ["trl"]
    assert not verdict.relevant


def test_not_a_call_signals_count_against_the_gate(matcher: Matcher):
    verdict = matcher.match({"summary": "Kommunen söker klimatstrateg. Tillsvidareanställning."})
    assert verdict.gate.score == -2
    assert not verdict.relevant


def test_rule_out_phrase_excludes_whatever_else(matcher: Matcher):
    verdict = matcher.match({"summary": "Local authorities and main battle tanks for climate"})
    assert verdict.gate.excluded_by == ["main battle tanks"]
    assert not verdict.gate.passed


def test_programme_rules_out_the_item(matcher: Matcher):
    fields = {"title": "Klimat för kommuner", "identifier": "EDF-2026-RA-CLIMATE"}
    verdict = matcher.match(fields)
    assert verdict.gate.excluded_by == ["programme EDF"]
    assert not verdict.relevant


def test_programme_makes_area_likely_and_another_impossible(matcher: Matcher):
    verdict = matcher.match(
        {
            "title": "Skolgårdar för klimatet",
            "programme": "Programme for the Environment and Climate Action (LIFE)",
        }
    )
    assert verdict.gate.score == 2  # LIFE +2 reaches the threshold ...
    assert not verdict.gate.passed  # ... but a programme prior alone passes nothing
    assert [m.area for m in verdict.areas] == ["klimat"]  # skola: LIFE is impossible
    assert "programme LIFE" in verdict.areas[0].phrases


def test_a_programme_prior_passes_with_a_phrase_that_says_who_applies(matcher: Matcher):
    programme = "Programme for the Environment and Climate Action (LIFE)"
    alone = matcher.match({"title": "Skolgårdar för klimatet", "programme": programme})
    said = matcher.match({"title": "Kommuner: skolgårdar för klimatet", "programme": programme})
    assert not alone.gate.passed
    assert said.gate.passed and said.gate.parts["programme"] == 2


def test_area_exclusion(matcher: Matcher):
    verdict = matcher.match({"summary": "Local authorities: climate adaptation and nuclear"})
    assert verdict.areas == []
    assert "EXCLUDED" in matcher.explain({"summary": "climate adaptation and nuclear"})


def test_area_reads_only_its_fields(matcher: Matcher):
    assert matcher.match({"summary": "Kommunens förskola"}).best_area is None
    assert matcher.match({"title": "Kommunens förskola"}).best_area == "skola"


def test_a_phrase_counts_once_however_often_it_appears(matcher: Matcher):
    once = matcher.match({"summary": "climate adaptation"}).areas
    many = matcher.match({"summary": "Climate adaptation, climate adaptation; climate."}).areas
    # "climate adaptation" (3) and "climate" (1) both count, each once.
    assert once == many == [AreaMatch("klimat", 4.0, ["climate adaptation", "climate"])]


def test_same_words_from_two_rules_count_once(tmp_path: Path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "_gate.toml").write_text("threshold = 0\n", encoding="utf-8")
    (folder / "mig.toml").write_text(
        'id = "mig"\nname = "M"\n[terms.sv]\n"migration*" = 3\n[terms.en]\n"migration" = 2\n',
        encoding="utf-8",
    )
    verdict = load_rules(folder).compile().match({"summary": "Migration policy"})
    assert verdict.areas == [AreaMatch("mig", 3.0, ["migration"])]


TEXT_FOR_KLIMAT = "Klimatanpassning och biologisk mångfald i kommunen"


@pytest.mark.parametrize(
    "fields",
    [
        {"summary": TEXT_FOR_KLIMAT},
        {"title": TEXT_FOR_KLIMAT},
        {"keywords": TEXT_FOR_KLIMAT},
        {"call_title": TEXT_FOR_KLIMAT},
        {"notes": TEXT_FOR_KLIMAT},  # unknown keys are free text, read as the summary
        {"title": None, "summary": TEXT_FOR_KLIMAT, "programme": None},
    ],
)
def test_free_text_in_any_field(matcher: Matcher, fields):
    verdict = matcher.match(fields)
    assert verdict.relevant and verdict.best_area == "klimat"


def test_identifiers_are_not_text(matcher: Matcher):
    verdict = matcher.match({"identifier": "KLIMAT-KOMMUN-2026", "call_identifier": "SKOLA-1"})
    assert verdict.areas == [] and verdict.gate.score == 0


def test_empty_input(matcher: Matcher):
    verdict = matcher.match({})
    assert not verdict.relevant and verdict.areas == [] and verdict.gate.score == 0


@pytest.mark.parametrize(
    ("fields", "codes"),
    [
        ({"programme": "Horizon Europe (HORIZON)"}, {"HORIZON"}),
        ({"programme": "Erasmus  (ERASMUS )"}, {"ERASMUS"}),
        ({"programme": "Horizon 2020 Framework Programme (H2020 - 2014-2020)"}, {"H2020"}),
        ({"programme": "EU External Action - Prospect (RELEX-PROSPECT)"}, {"RELEX-PROSPECT"}),
        ({"programme_code": "life"}, {"LIFE"}),
        ({"identifier": "CERV-2026-CITIZENS-TOWN"}, {"CERV"}),
        ({"call_identifier": "EuropeAid/186002/DD/ACT/MA"}, {"EUROPEAID"}),
        ({"programme": "Some programme without code"}, set()),
        ({}, set()),
    ],
)
def test_programme_codes(fields, codes):
    assert programme_codes(fields) == codes


def test_explain_names_gate_areas_phrases_and_near_misses(matcher: Matcher):
    text = matcher.explain(
        {"title": "Skolan", "summary": "Klimat. Local authorities, TRL 5.", "programme_code": "X"}
    )
    assert text.startswith("NOT RELEVANT: the gate says")
    assert "Gate: failed, score 0 (needs 2); programme codes: X" in text
    assert '"local authorities" [rule: local authorit*] +3 in summary' in text
    assert '"trl" -3 in summary' in text
    assert "klimat                     3 / 4    near miss" in text
    assert "skola                      6 / 3    MATCH" in text  # title_boost 2
    assert '"skolan" [rule: skol*] +3 in title x2' in text


def test_explain_relevant_and_silent_areas(matcher: Matcher):
    text = matcher.explain(
        {"summary": "Kommunen arbetar med klimatanpassning och biologisk mångfald"}
    )
    assert text.startswith("RELEVANT: passes the gate and matches klimat.")
    assert "nothing found for: skola" in text


def test_the_token_cache_is_bounded_and_results_do_not_change(matcher: Matcher, monkeypatch):
    monkeypatch.setattr(index_module, "CACHE_LIMIT", 3)
    fields = {"title": "Klimatanpassning i kommunen", "summary": "Biologisk mångfald och skolor"}
    first = matcher.match(fields)
    for _ in range(3):
        assert matcher.match(fields) == first
    assert len(matcher.index._cache) <= 3 + 8  # cleared before each item when full


# -- property: no input crashes the matcher ---------------------------------------------------

DEFAULT = load_rules(Path(__file__).parent.parent / "rules").compile()
FIELD_NAMES = st.sampled_from(
    ["title", "summary", "programme", "programme_code", "keywords", "identifier",
     "call_identifier", "call_title", "anything"]
)  # fmt: skip
TEXT = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="<>/&;#*-_ åäöÅÄÖéü\u0301\u00ad\n\t()[]\"'" + "kommunskolaclimate"),
)


@settings(max_examples=300)
@given(st.dictionaries(FIELD_NAMES, TEXT, max_size=6))
@example({"title": "SCHOOLS", "programme_code": "0"})  # passes gate and area, yet only maybe
@example({"title": "PUBLIC:BODIES", "programme_code": "0"})  # gate passed, no area: maybe
def test_no_input_crashes_the_matcher(fields):
    verdict = DEFAULT.match(fields)
    # The learned scorer ranks what passes into tiers: only the main tier is relevant, and it
    # needs the gate and an area; a call the gate passes without an area is at most "maybe"
    # (the digest files a call under an area), and what the rubric rules out is "no".
    assert verdict.relevant == (verdict.tier == "relevant")
    if verdict.relevant:
        assert verdict.gate.passed and verdict.areas
    if verdict.gate.excluded_by or verdict.gate.anchor_missing:
        assert verdict.tier == "no"
    thresholds = {area.id: area.threshold for area in DEFAULT.areas}
    assert all(m.score >= thresholds[m.area] for m in verdict.areas)
    assert [m.score for m in verdict.areas] == sorted(
        (m.score for m in verdict.areas), reverse=True
    )
    assert isinstance(DEFAULT.explain(fields), str)


@settings(max_examples=200)
@given(st.from_regex(r"[a-zåäö]{1,12}", fullmatch=True), st.text(alphabet=" .,;:!?()\n"))
def test_a_plain_word_is_found_between_any_separators(word, separator):
    from monitor.rules.model import Area, Gate, RuleSet, Term
    from monitor.rules.terms import parse_term

    area = Area("a", "A", "", 1, ("summary",), (Term(word, parse_term(word)),))
    matcher = RuleSet((area,), Gate(0, ("summary",), ())).compile()
    text = f"x{separator or ' '}{word.upper()}{separator or ' '}y"
    assert matcher.match({"summary": text}).best_area == "a"


# -- the required anchor: an EU or funding context ----------------------------------------------

REQUIRES = """
[requires]
sv = ["utlys*", "eu"]
en = ["call for proposals"]
"""


@pytest.fixture
def anchored(tmp_path: Path) -> Matcher:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name, text in {"_gate.toml": GATE + REQUIRES, "klimat.toml": KLIMAT}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_rules(folder).compile()


DOMESTIC = {"title": "Klimatanpassning i kommunen", "summary": "Biologisk mångfald i parken."}


def test_without_an_eu_or_funding_context_the_gate_stops_the_item(anchored: Matcher):
    verdict = anchored.match(DOMESTIC)
    assert verdict.gate.score == 3 and not verdict.gate.passed and not verdict.relevant
    assert verdict.gate.anchor is None and verdict.gate.anchor_missing
    assert "missing: no EU or funding context found" in verdict.gate.reasons
    assert verdict.best_area == "klimat"  # areas are still judged apart from relevance
    text = anchored.explain(DOMESTIC)
    assert text.startswith("NOT RELEVANT: no EU or funding context found")
    assert "EU or funding context: MISSING (no EU or funding context found)" in text


@pytest.mark.parametrize(
    ("extra", "anchor"),
    [
        ({"summary": "Kommunen söker medel i EU:s utlysning."}, "eu"),  # alphabetically first
        ({"summary": "A call for proposals on climate adaptation."}, "call for proposals"),
        ({"programme_code": "HORIZON"}, "programme HORIZON"),  # any code: a portal call
        ({"programme": "Environment and Climate Action (LIFE)"}, "programme LIFE"),
        ({"summary": "Se CERV-2026-CITIZENS-TT, öppen i maj."}, "call CERV-2026-CITIZENS-TT"),
    ],
)  # fmt: skip
def test_a_phrase_a_programme_code_or_a_call_identifier_anchors_the_item(
    anchored: Matcher, extra, anchor
):
    verdict = anchored.match({**DOMESTIC, **extra})
    assert verdict.gate.anchor == anchor and not verdict.gate.anchor_missing
    assert verdict.gate.passed and verdict.relevant


def test_explain_names_the_anchor(anchored: Matcher):
    text = anchored.explain({**DOMESTIC, "summary": "Utlysningen stänger i maj."})
    assert text.startswith("RELEVANT")
    assert 'EU or funding context: "utlysningen" [rule: utlys*] in summary' in text
    text = anchored.explain({**DOMESTIC, "programme_code": "LIFE"})
    assert "EU or funding context: programme LIFE" in text


def test_the_anchor_is_only_read_in_the_gate_fields(anchored: Matcher):
    # The gate reads every field by default; with fields = ["title"] a summary phrase is no anchor.
    ruleset = anchored.ruleset
    narrow = replace(ruleset, gate=replace(ruleset.gate, fields=("title",))).compile()
    assert narrow.match({**DOMESTIC, "summary": "EU:s utlysning"}).gate.anchor_missing
    assert narrow.match({**DOMESTIC, "title": "Utlysning: klimat i kommunen"}).gate.passed


def test_a_gate_without_requires_needs_no_anchor(matcher: Matcher):
    verdict = matcher.match(DOMESTIC)
    assert verdict.gate.passed and verdict.gate.anchor is None
    assert not verdict.gate.anchor_missing
    assert "EU or funding context" not in matcher.explain(DOMESTIC)


# -- groups: forms of one word count once -----------------------------------------------------

GROUP_GATE = """
threshold = 2
title_boost = 2
[can_apply.sv]
"kommun" = { weight = 2, forms = ["*kommun", "*kommunen", "*kommuner", "kommunal*"] }
"regioner" = 1
[research_only.sv]
"forskare" = { weight = 1, forms = ["forskare", "forskarna"] }
"""

GROUP_AREA = """
id = "skola"
name = "Skola"
threshold = 3
[terms.sv]
"elev" = { weight = 3, forms = ["elev", "elever", "eleverna"] }
"lärare" = 1
"elevhälsa" = 2
"""


@pytest.fixture
def grouped(tmp_path: Path) -> Matcher:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name, text in {"_gate.toml": GROUP_GATE, "skola.toml": GROUP_AREA}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_rules(folder).compile()


def test_the_forms_of_a_group_count_once(grouped: Matcher):
    one = grouped.match({"summary": "Kommunen"})
    many = grouped.match({"summary": "Kommunen, kommuner och kommunala bolag i varje kommun"})
    assert one.gate.score == many.gate.score == 2  # was 8 when every form counted
    assert many.gate.phrases == ["kommunen"]  # the first found stands for the group
    both = grouped.match({"summary": "Kommunerna och regioner"})
    assert both.gate.score == 1  # "kommunerna" is no form of the group; regioner 1
    assert grouped.match({"summary": "Forskarna och forskare"}).gate.score == -1


def test_a_group_found_in_the_title_counts_once_with_the_title_boost(grouped: Matcher):
    verdict = grouped.match({"title": "Eleverna", "summary": "Elever och lärare"})
    # elev group: once, in the title (3 x 2); lärare 1.
    assert verdict.areas == [AreaMatch("skola", 7.0, ["eleverna", "lärare"])]


def test_different_groups_and_plain_terms_each_count(grouped: Matcher):
    verdict = grouped.match({"summary": "Kommunen och regioner: elever, lärare"})
    assert verdict.gate.score == 3
    assert verdict.areas[0].score == 4


def test_explain_shows_a_group_once_with_every_form_found(grouped: Matcher):
    text = grouped.explain({"summary": "Kommunen och kommuner: elever och eleverna"})
    assert (
        '"kommunen" [group kommun: *kommunen; also found, counted once: kommuner] +2 in summary'
        in text
    )
    assert '"elever" [group elev: elever; also found, counted once: eleverna] +3' in text
    assert "skola                      3 / 3    MATCH" in text


def test_tally_and_verdict_agree_on_groups(grouped: Matcher):
    fields = {"title": "Kommunal elevhälsa", "summary": "Kommunen, kommuner, elever, eleverna"}
    scan = grouped.scan(fields)
    verdict, tally = grouped.judge(scan), grouped.tally(scan)
    assert round(tally.gate_score, 3) == verdict.gate.score == 2
    assert round(tally.scores[0], 3) == verdict.areas[0].score == 7  # elevhälsa 2x2 + elev 3

"""Who may NOT apply (monitor/rules/negation.py): an applicant phrase in a negated clause is no
applicant evidence, in Swedish and English, in texts written the way the sources write them."""

from __future__ import annotations

import pytest

from helpers.rules_helpers import RULES_DIR
from monitor.rules import load_rules
from monitor.rules.negation import negated

MATCHER = load_rules(RULES_DIR).compile()


def applicants(fields: dict[str, str]) -> list[str]:
    return MATCHER.match(fields).gate.phrases


# A Vinnova call page as it reads (tests/data/rules_heldout.toml, se-vinnova-startups).
VINNOVA = (
    "Erbjudandet riktar sig till unga, små företag med högst 50 anställda som vill utveckla en"
    " innovation med stor tillväxtpotential. Företaget ska vara registrerat i Sverige.\n"
    "Universitet, kommuner och andra organisationer kan inte söka."
)
# A portal topic's description, HTML as the search API gives it.
PORTAL = (
    "<p><strong>Expected Outcome:</strong> Pilots of digital twins for energy networks.</p>"
    "<p>Eligible applicants: legal entities established in an EU Member State."
    " Not eligible: public bodies, local and regional authorities.</p>"
)


def test_a_swedish_funder_saying_kommuner_cannot_apply_gives_them_no_weight():
    assert "kommuner" not in applicants({"summary": VINNOVA})
    assert "kommuner" in applicants({"summary": VINNOVA.replace("kan inte söka", "kan söka")})


def test_a_portal_text_listing_who_is_not_eligible():
    found = applicants({"summary": PORTAL, "programme_code": "HORIZON"})
    assert not {"public bodies", "local and regional", "regional authorities"} & set(found)
    eligible = applicants(
        {"summary": PORTAL.replace("Not eligible", "Eligible too"), "programme_code": "HORIZON"}
    )
    assert {"public bodies", "regional authorities"} <= set(eligible)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Kommuner och regioner är inte stödberättigade.", "kommuner"),
        ("Kommunala bolag får ej ansöka om stöd.", "kommunala"),
        ("Regioner kan inte heller söka.", "regioner"),
        ("Offentliga aktörer omfattas inte av stödet.", "offentliga aktörer"),
        ("Local authorities are not eligible for funding under this topic.", "local authorities"),
        ("Municipalities cannot apply; they may join as associated partners.", "municipalities"),
        ("Local authorities can't apply.", "local authorities"),
        ("All legal entities may apply, excluding public authorities.", "public authorities"),
        ("Alla organisationer kan söka utom kommuner.", "kommuner"),
        ("Public bodies are excluded from funding.", "public bodies"),
    ],
)
def test_negated_applicants_count_nothing(text, phrase):
    assert phrase not in applicants({"summary": text}), MATCHER.explain({"summary": text})
    positive = {"summary": f"{phrase.capitalize()} may apply."}
    assert phrase in applicants(positive)  # the phrase is an applicant phrase of the rules


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Not only SMEs but also cities may apply for the grant.", "cities"),
        (
            "Eligible applicants include, but are not limited to, local authorities.",
            "local authorities",
        ),
        ("Inte minst kommuner kan söka stöd.", "kommuner"),
        ("Kommuner kan inte söka, men regioner kan söka.", "regioner"),
        ("Projects should not duplicate work. Municipalities may apply.", "municipalities"),
        ("Municipalities apply the results; researchers are not eligible.", "municipalities"),
    ],
)
def test_what_is_not_a_negation_of_who_applies_still_counts(text, kept):
    assert kept in applicants({"summary": text}), MATCHER.explain({"summary": text})


@pytest.mark.parametrize(
    "text",
    [
        "Only SMEs may apply. The solutions will serve cities and local authorities.",
        "Endast företag kan söka. Resultaten ska komma kommuner och regioner till del.",
        "Vem kan söka? Endast företag.",
    ],
)
def test_a_call_only_for_companies_has_no_applicant_evidence(text):
    verdict = MATCHER.match({"summary": text})
    assert verdict.gate.parts["can_apply"] == 0 and not verdict.gate.passed


def test_a_call_that_excludes_the_kommun_is_not_in_the_digest():
    call = {
        "title": "Digital twins for cities",
        "summary": "Cities and local authorities will use the twins for planning.",
        "programme_code": "HORIZON",
        "identifier": "HORIZON-CL4-2027-01-TWIN-01",
    }
    assert MATCHER.match(call).gate.passed
    closed = {**call, "summary": call["summary"] + " Only SMEs may apply."}
    assert not MATCHER.match(closed).gate.passed
    assert not MATCHER.match(closed).relevant


def test_explain_names_the_phrases_not_counted():
    text = MATCHER.explain({"summary": VINNOVA}, language="sv")
    assert 'räknas inte, sägs om vem som inte får söka: "kommuner"' in text


def test_a_text_without_a_negation_is_left_alone():
    assert negated("Kommuner och regioner kan söka stöd för klimatanpassning.") is None
    assert negated("Projects should not duplicate work.") is None  # no applicant negated


def test_the_explain_path_and_the_fast_path_agree_on_negations():
    for text in (VINNOVA, PORTAL, "Only SMEs may apply; cities benefit.", "Kommuner kan söka."):
        fields = {"title": "Kommuner och städer", "summary": text, "programme_code": "LIFE"}
        assert MATCHER.judge(MATCHER.scan(fields)) == MATCHER.match(fields)

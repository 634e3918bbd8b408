"""Who may apply and the co-financing rate, from real eligibility texts (English and Swedish)."""

from __future__ import annotations

import json

import pytest

from helpers.paths import FIXTURES
from monitor.digest.eligibility import Applicants, applicants, cofinancing_rate
from monitor.sources.eu_portal_details import parse_topic_details

SE_TEXT = FIXTURES / "se_text"

# The standard wording of the portal's topic conditions (Horizon Europe, LIFE, CERV calls).
PORTAL_ELIGIBLE = (
    "2. Eligible countries In order to be eligible, the applicants (beneficiaries and affiliated "
    "entities) must: be legal entities (public or private bodies); be established in one of the "
    "eligible countries, i.e.: EU Member States (including overseas countries and territories). "
    "3. Other eligibility conditions Proposals must be submitted by a consortium of at least 3 "
    "applicants (beneficiaries; not affiliated entities) from 3 different eligible countries."
)


def fixture_text(name: str) -> str:
    return (SE_TEXT / name).read_text(encoding="utf-8")


def test_the_portal_standard_wording_gives_bodies_and_the_consortium():
    found = applicants(PORTAL_ELIGIBLE)
    assert found == Applicants(("public", "private"), partners=3, countries=3)


def test_named_kinds_in_english():
    text = (
        "Eligible applicants: local and regional authorities, schools, universities, "
        "non-governmental organisations and SMEs established in an EU Member State."
    )
    assert applicants(text).kinds == (
        "local_regional",
        "schools",
        "ngo",
        "companies",
        "research",
    )


def test_the_real_topic_details_state_no_applicants_and_no_rate():
    """SMP-COSME-2024-CLUSTER-01 says "Eligible Countries described in the call document" and
    has a "(COSME GFS 90%)" budget template: neither is who may apply or a funding rate."""
    raw = json.loads((FIXTURES / "eu_portal" / "topic-details-raw.json").read_text())
    conditions = parse_topic_details(raw, "SMP-COSME-2024-CLUSTER-01").conditions
    assert "Eligible Countries" in conditions and "90%" in conditions
    assert not applicants(conditions)
    assert cofinancing_rate(conditions) is None


def test_swedish_vem_kan_soka_heading_and_its_answer():
    # Tillväxtverket: the sentence after "Vem kan söka?" is read; "Stöd kan inte ges direkt
    # till företag" after it is not taken for a kind that may apply.
    found = applicants(fixture_text("tillvaxtverket_utlysning_oms_excerpt.txt"))
    assert found.kinds == ("public", "research")


def test_swedish_municipality_and_civil_society():
    found = applicants(fixture_text("vinnova_call_page_kommuner_ai_excerpt.txt"))
    assert {"local_regional", "ngo"} <= set(found.kinds)


def test_swedish_consortium_of_organisations_from_countries():
    found = applicants(fixture_text("kulturradet_kreativa_europa_excerpt.txt"))
    assert (found.partners, found.countries) == (3, 3)


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "Huvudsökande ska ha en karriärålder på minst fyra år.",  # Formas: a rule, no kind
        "The call aims at municipalities and SMEs adopting digital tools.",  # no word of applying
        "Eligible Countries described in the call document. Other Eligible Conditions n/a",
    ],
)
def test_nothing_stated_gives_nothing(text):
    assert not applicants(text)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("Maximum EU co-financing rate: 60% of the total eligible costs.", 60),
        ("The funding rate is 90% for non-profit organisations.", 90),
        ("EU-medfinansieringen är 75 % av de stödberättigande kostnaderna.", 75),
        ("Detailed budget template (COSME GFS 90%)", None),
        ("The project must reduce emissions by 55%.", None),
    ],
)
def test_the_cofinancing_rate_needs_its_words(text, rate):
    assert cofinancing_rate(text) == rate

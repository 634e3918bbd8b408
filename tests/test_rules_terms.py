"""Term syntax: wildcards, word boundaries, hyphens, HTML and Swedish letters."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.rules.model import Area, Gate, RuleSet, Term
from monitor.rules.terms import Kind, Piece, TermSyntaxError, parse_term, render
from monitor.rules.text import chunk_tokens, chunks, tokenize

CASES = tomllib.loads(
    (Path(__file__).parent / "data" / "rules_terms.toml").read_text(encoding="utf-8")
)["case"]


def one_term_matcher(term: str):
    area = Area(
        id="test",
        name="Test",
        description="",
        threshold=1,
        fields=("title", "summary"),
        terms=(Term(term, parse_term(term), 1.0),),
    )
    gate = Gate(threshold=0, fields=("title", "summary"), can_apply=())
    return RuleSet(areas=(area,), gate=gate).compile()


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['term']}|{c['text'][:30]}|{c['match']}" for c in CASES]
)
def test_term_matches_text(case):
    verdict = one_term_matcher(case["term"]).match({"summary": case["text"]})
    assert (verdict.best_area == "test") is case["match"], case.get("why", "")


@pytest.mark.parametrize(
    ("raw", "pieces"),
    [
        ("skola", (Piece(Kind.EXACT, "skola"),)),
        ("Klimat*", (Piece(Kind.PREFIX, "klimat"),)),
        ("*skola", (Piece(Kind.SUFFIX, "skola"),)),
        ("*utbyte*", (Piece(Kind.INFIX, "utbyte"),)),
        ("local  authorit*", (Piece(Kind.EXACT, "local"), Piece(Kind.PREFIX, "authorit"))),
        ("children's", (Piece(Kind.EXACT, "children"), Piece(Kind.EXACT, "s"))),
    ],
)
def test_parse_term(raw, pieces):
    assert parse_term(raw) == pieces


def test_render_is_the_canonical_spelling():
    assert render(parse_term("  Local   AUTHORIT* ")) == "local authorit*"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty term"),
        ("   ", "empty term"),
        ("*", "lone '*'"),
        ("kli*mat", "only stand at the start or end"),
        ("eu*", "too short"),
        ("klimat?", "never occurs inside a word"),
        ("*kl!mat", "only letters, digits and hyphens"),
        (3, "must be text"),
    ],
)
def test_parse_term_rejects(raw, problem):
    with pytest.raises(TermSyntaxError, match=problem.replace("*", r"\*").replace("?", r"\?")):
        parse_term(raw)


def test_tokenize_keeps_hyphenated_compounds_and_drops_markup():
    html = "<p>EU-projekt för <em>klimat-neutrala</em> städer &amp; CO₂</p>"
    assert tokenize(html) == ["eu-projekt", "för", "klimat-neutrala", "städer", "co₂"]


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_the_matcher_chunks_tokenise_exactly_like_tokenize(text):
    """The matcher splits on whitespace first and tokenises each chunk; nothing may differ."""
    assert [t for chunk in chunks(text) for t in chunk_tokens(chunk)] == tokenize(text)

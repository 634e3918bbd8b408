"""Clean text from HTML: the fast path gives what BeautifulSoup gives, the hard cases go to it."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from monitor.text import _CUT_TAG, _SPACE, clean_text

PORTAL = Path(__file__).parent / "fixtures" / "eu_portal"


def by_beautifulsoup(value: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = BeautifulSoup(_CUT_TAG.sub("", value), "html.parser").get_text(" ")
    return _SPACE.sub(" ", text).strip()


def portal_texts() -> list[str]:
    texts = []
    for path in [*PORTAL.glob("open-calls/page-*.json"), PORTAL / "search-response-raw.json"]:
        for row in json.loads(path.read_text(encoding="utf-8"))["results"]:
            meta = row["metadata"]
            for key in ("descriptionByte", "title", "callTitle"):
                texts += [v for v in meta.get(key, []) if "<" in v or "&" in v]
    return texts


def test_every_real_portal_text_cleans_as_beautifulsoup_would():
    texts = portal_texts()
    assert len(texts) > 300
    assert [clean_text(t) for t in texts] == [by_beautifulsoup(t) for t in texts]


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>Stöd till <b>kommuner</b> &amp; regioner</p>", "Stöd till kommuner & regioner"),
        ("<p>Projects at TRL < 5 and > 3</p>", "Projects at TRL < 5 and > 3"),
        ("<style>p {color: red}</style><p>Klimat</p>", "Klimat"),
        ("<p>A<!-- hidden --> B</p>", "A B"),
        ("<script>alert(1)</script>Text", "Text"),
        ("Ends inside a tag: the <a href='https://env", "Ends inside a tag: the"),
        ("Plain text, no markup", "Plain text, no markup"),
    ],
)
def test_hard_cases_read_as_a_browser_would(markup, text):
    assert clean_text(markup) == text == by_beautifulsoup(markup)


@pytest.mark.parametrize(
    ("scraped", "shown"),
    [
        ("Klimat\x1b[2J\x1b[31m i kommuner", "Klimat[2J[31m i kommuner"),  # no terminal escape
        ("Ring\x07 ring", "Ring ring"),
        ("Utlysning \u202efdp.exe", "Utlysning fdp.exe"),  # no right-to-left override
        ("\u2067isolerad\u2069 text", "isolerad text"),
        ("C1\x85 and\x9b controls", "C1 and controls"),
        ("Tabs\tand\nnew lines", "Tabs and new lines"),
        ("Svenska å ä ö – och “citat”", "Svenska å ä ö – och “citat”"),
    ],
)
def test_what_a_reader_cannot_see_is_never_stored(scraped, shown):
    assert clean_text(scraped) == shown
    assert clean_text(f"<p>{scraped}</p>") == shown

"""Clean text from HTML: the fast path gives what BeautifulSoup gives, the hard cases go to it."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from monitor.text import _CUT_TAG, clean_text

PORTAL = Path(__file__).parent / "fixtures" / "eu_portal"
_SPACE = re.compile(r"\s+")


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
        ("Hårt\u00a0mellanslag\u2003och\u3000 breda  ", "Hårt mellanslag och breda"),
        ("\u2028Rad\u2029stycke \x1c\x1f fält", "Rad stycke fält"),
        ("Svenska å ä ö – och “citat”", "Svenska å ä ö – och “citat”"),
    ],
)
def test_what_a_reader_cannot_see_is_never_stored(scraped, shown):
    assert clean_text(scraped) == shown
    assert clean_text(f"<p>{scraped}</p>") == shown


def test_items_stored_before_the_cleaning_lose_their_escapes_when_the_database_migrates(
    tmp_path,
):
    # A database whose title was stored raw (ESC, BEL, U+202E) before clean_text dropped them:
    # migrating it cleans what is stored, so `search` and every digest read clean text.
    import sqlite_utils

    from monitor.store import open_store
    from monitor.store.schema import MIGRATIONS

    path = tmp_path / "monitor.db"
    old = sqlite_utils.Database(path)
    before = [m.__name__ for m in MIGRATIONS].index("_invisible_characters")
    for number, migration in enumerate(MIGRATIONS[:before], start=1):
        migration(old)
        old.execute(f"PRAGMA user_version = {number}")
    stamp = "2026-11-01T06:00:00+00:00"
    old["items"].insert(
        {"id": "feed:1", "source": "feed", "uid": "1", "kind": "news"}
        | {"title": "Klimat\x1b[31m i kommuner\x07 \u202efdp.exe", "summary": "Om\x1b[2J oss"}
        | {"first_seen": stamp, "last_seen": stamp}
    )
    old["item_changes"].insert(
        {"item_id": "feed:1", "field": "title", "old": "Förr\x1b[0m", "new": "Nu\u202e"}
        | {"changed_at": stamp}
    )
    old.conn.commit()
    old.close()

    store = open_store(path)
    row = store.db["items"].get("feed:1")
    assert row["title"] == "Klimat[31m i kommuner fdp.exe"
    assert row["summary"] == "Om[2J oss"
    [change] = store.db["item_changes"].rows
    assert (change["old"], change["new"]) == ("Förr[0m", "Nu")
    found = store.db.execute(
        "SELECT items.id FROM items_fts JOIN items ON items.rowid = items_fts.rowid"
        " WHERE items_fts MATCH 'kommuner'"
    ).fetchall()
    assert found == [("feed:1",)]  # the search index follows the cleaned title

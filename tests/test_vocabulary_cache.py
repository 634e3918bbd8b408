"""The search vocabulary kept between commands (monitor/vocabulary_cache.py): always what the
rule files give now, whether it was kept or worked out again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.rules import load_rules
from monitor.vocabulary import load_vocabulary
from monitor.vocabulary_cache import search_vocabulary

ROOT = Path(__file__).resolve().parent.parent
MUSEUM = '"museum" = { weight = 3, forms = ["museum", "museer", "museet"] }'


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path / "rules"


def forms_of(vocabulary, word: str) -> list[str]:
    (term,) = vocabulary.terms(word)
    return [p.text for p in term.phrases]


def test_the_kept_vocabulary_is_the_one_the_rules_give(rules, tmp_path):
    expected = load_vocabulary(load_rules(rules)).concepts
    first = search_vocabulary(rules, tmp_path / "cache")  # worked out, then kept
    again = search_vocabulary(rules, tmp_path / "cache")  # read back
    assert first.concepts == expected
    assert again.concepts == expected
    assert "museer" in forms_of(again, "museum")


def test_a_rule_file_edited_since_the_last_search_counts_at_the_next(rules, tmp_path):
    assert "museibesök" not in forms_of(search_vocabulary(rules, tmp_path / "cache"), "museum")
    area = rules / "kultur.toml"
    text = area.read_text(encoding="utf-8")
    area.write_text(text.replace(MUSEUM, MUSEUM.replace('"museet"', '"museet", "museibesök"')))
    assert "museibesök" in forms_of(search_vocabulary(rules, tmp_path / "cache"), "museum")


def test_rules_that_do_not_load_give_the_shipped_vocabulary_until_fixed(rules, tmp_path):
    area = rules / "kultur.toml"
    good = area.read_text(encoding="utf-8")
    area.write_text(good + "\n[broken\n", encoding="utf-8")
    shipped = load_vocabulary(None).concepts
    assert search_vocabulary(rules, tmp_path / "cache").concepts == shipped
    area.write_text(good, encoding="utf-8")
    fixed = search_vocabulary(rules, tmp_path / "cache")
    assert fixed.concepts == load_vocabulary(load_rules(rules)).concepts


def test_a_cache_that_cannot_be_written_or_read_only_costs_time(rules, tmp_path):
    expected = load_vocabulary(load_rules(rules)).concepts
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert search_vocabulary(rules, blocked / "cache").concepts == expected
    assert search_vocabulary(rules, None).concepts == expected
    cache = tmp_path / "cache"
    search_vocabulary(rules, cache)
    for kept in cache.iterdir():
        kept.write_text("{not json", encoding="utf-8")
    assert search_vocabulary(rules, cache).concepts == expected

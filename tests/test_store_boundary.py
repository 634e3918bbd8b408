"""The store's boundary: all SQL in monitor/store/, the item's columns from the model, and
released migrations that do not move when live code changes."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from pathlib import Path

import pytest

import monitor
from helpers.old_databases import version_4_with_one_call
from monitor.models import Item
from monitor.store import open_store
from monitor.store.columns import ITEM_COLUMNS, item_row
from monitor.store.schema import MIGRATIONS

PACKAGE = Path(monitor.__file__).parent
STORE = PACKAGE / "store"

# A statement, written as SQL is in this code base (keywords in capitals).
_SQL = re.compile(
    r"\bSELECT\s.+?\sFROM\s|\bINSERT\s+(OR\s+\w+\s+)?INTO\s|\bUPDATE\s+\w+\s+SET\s"
    r"|\bDELETE\s+FROM\s|\bCREATE\s+(TABLE|(UNIQUE\s+)?INDEX|VIRTUAL\s+TABLE|TRIGGER|VIEW)\s"
    r"|\bALTER\s+TABLE\s|\bDROP\s+(TABLE|INDEX|TRIGGER|VIEW)\s|\bPRAGMA\s",
    re.DOTALL,
)
_DB_CALLS = {"execute", "executemany", "executescript", "query"}
_DB_MODULES = {"sqlite3", "sqlite_utils"}


def _text(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's literal parts, its fields as spaces."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else " x " for v in node.values)
    return None


def database_uses(source: str) -> list[str]:
    """Where a module's source writes SQL, calls a database, or imports a database library."""
    found = []
    tree = ast.parse(source)
    inside_fstring = {
        id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values
    }
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        text = None if id(node) in inside_fstring else _text(node)
        if text is not None and _SQL.search(text):
            found.append(f"line {line}: SQL in a string: {text.strip()[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _DB_CALLS:
                found.append(f"line {line}: .{node.func.attr}(...) call")
        elif isinstance(node, ast.Subscript):
            target = node.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name == "db":
                found.append(f"line {line}: a table taken from db[...]")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(n.split(".")[0] in _DB_MODULES for n in names):
                found.append(f"line {line}: imports {', '.join(names)}")
    return found


def test_no_module_outside_the_store_touches_the_database():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} {use}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if STORE not in path.parents
        for use in database_uses(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        'rows = db.query("SELECT 1")',
        'sql = f"SELECT {cols} FROM items WHERE id = ?"',
        'run("DELETE FROM matches WHERE item_id = ?")',
        'x = """\n  UPDATE items\n  SET relevant = 1"""',
        "n = store.db['items'].count",
        "import sqlite_utils",
        "from sqlite3 import connect",
    ],
)
def test_the_check_sees_each_way_of_reaching_the_database(source):
    assert database_uses(source) != []


def test_the_check_lets_prose_through():
    prose = 'click.echo("Select a source from the list, then update the rules.")\nfirst = row[0]'
    assert database_uses(prose) == []


def test_item_columns_are_the_items_table_less_what_the_store_adds(tmp_path):
    """A field added to Item without a migration (or a column without a field) fails here."""
    store = open_store(tmp_path / "monitor.db")
    columns = [c.name for c in store.db["items"].columns]
    store_only = {
        "first_seen", "last_seen", "relevant", "relevance", "score", "matched_at", "search_stems",
    }  # fmt: skip
    assert sorted(c for c in columns if c not in store_only) == sorted(ITEM_COLUMNS)


def test_an_item_row_has_every_column_as_text_json_or_number():
    item = Item(
        source="s",
        uid="u",
        kind="call",
        title="Ä",
        deadlines=(date(2026, 9, 30), date(2027, 1, 15)),
        deadline=date(2026, 9, 30),
        published=datetime(2026, 1, 2, 3, 4, 5, 678),
        keywords=("klimat", "städer"),
        budget=1e6,
    )
    row = item_row(item)
    assert list(row) == list(ITEM_COLUMNS)
    assert row["id"] == "s:u"
    assert row["deadlines"] == '["2026-09-30", "2027-01-15"]'
    assert row["keywords"] == '["klimat", "städer"]'
    assert (row["deadline"], row["published"]) == ("2026-09-30", "2026-01-02T03:04:05")
    assert (row["budget"], row["opening_date"]) == (1e6, None)


def test_migration_5_stems_do_not_follow_the_live_stemmer(tmp_path, monkeypatch):
    """An old database migrated after the stemmer changed gets the stems of when 5 was released."""
    import monitor.stemming

    monkeypatch.setattr(monitor.stemming, "stems_of", lambda *texts: "changed")
    monkeypatch.setattr(monitor.stemming, "word_stems", lambda word: ("changed",))
    old = version_4_with_one_call(tmp_path / "old.db", summary="Cities adapting to floods")
    MIGRATIONS[4](old)
    assert old["items"].get("eu-portal:A")["search_stems"] == (
        "kommun kommunerna klimatanpassning klimatanpassn citi adapting adapt flood"
    )


def test_the_migrations_import_nothing_of_the_program():
    tree = ast.parse((STORE / "schema.py").read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert [name for name in imported if (name or "").startswith("monitor")] == []

"""The suite's own layout: what tests share lives in `tests/helpers/`, so a test module can be
renamed, split or deleted without breaking another one; a fixture is kept once, so its
provenance note is in one place and two copies cannot drift apart."""

from __future__ import annotations

import ast
import hashlib
from collections import defaultdict

from helpers.paths import FIXTURES, TESTS


def imported_modules(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):  # imports inside functions and subprocess scripts count too
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_test_module_imports_another():
    test_modules = {p.stem for p in TESTS.glob("test_*.py")} | {"conftest"}
    offenders = {
        str(path.relative_to(TESTS)): sorted(hit)
        for path in TESTS.rglob("*.py")
        if (
            hit := {
                name
                for name in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
                if name.split(".")[0] in test_modules or name.startswith("tests.")
            }
        )
    }
    assert offenders == {}, "move what they share into tests/helpers/"


def test_the_check_sees_an_import_of_a_test_module():
    tree = ast.parse("def f():\n    from test_slack_send import add_calls\n")
    assert "test_slack_send" in imported_modules(tree)


def test_no_fixture_is_a_byte_copy_of_another():
    by_digest: dict[str, list[str]] = defaultdict(list)
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            by_digest[digest].append(str(path.relative_to(FIXTURES)))
    copies = [names for names in by_digest.values() if len(names) > 1]
    assert copies == [], "keep one of each and point the tests at it"

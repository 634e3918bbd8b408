"""Where the tests' files are, computed once so a helper's own place in tests/helpers/ does not
decide it."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures"
ROOT = TESTS.parent  # the checkout: README.md, rules/, sources.toml

"""The search vocabulary's concepts, kept between commands so that `monitor search` need not
import the rule engine and parse every rule file (about 40 ms of a 100 ms command) to find the
rules' groups of forms.

The concepts are the shipped list and the rules' groups (monitor.vocabulary), worked out once
from the rule files as `monitor run` reads them (`load_rules`, all or nothing: rules that do
not load give no groups, as before) and stored as JSON in the user's cache folder under a key:
the rule folder, each of its `*.toml` files' name, size and modification time, the shipped
list's, and the program's version. Any change to them, or a cache that cannot be read or
written (a read-only home, no home), means working the concepts out again: never a different
answer, only a slower one.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any

from monitor import __version__
from monitor.errors import MonitorError
from monitor.vocabulary import Vocabulary, concepts_of

FORMAT = 1  # raise when what is cached, or how it is worked out, changes
SHIPPED = Path(__file__).parent / "data" / "vocabulary.toml"  # what shipped_concepts reads


def search_vocabulary(rules: Path, cache: Path | None) -> Vocabulary:
    """The vocabulary `search` expands words with: the shipped concepts and the groups of
    forms of the rules in `rules` (none when the folder is missing or its rules do not load).
    `cache`: the folder to keep it in (None: work it out every time)."""
    key = _key(rules)
    where = cache / f"vocabulary-{_digest(str(rules.resolve()))}.json" if cache else None
    concepts = _read(where, key) if where and key else None
    if concepts is None:
        concepts = _work_out(rules)
        if where and key:
            _write(where, key, concepts)
    return Vocabulary(concepts)


def _work_out(rules: Path) -> list[list[str]]:
    from monitor.rules import load_rules  # only on a cache miss: the rule engine is large

    try:
        ruleset = load_rules(rules) if rules.exists() else None
    except MonitorError:  # broken rules: a search still works, without their groups
        ruleset = None
    return concepts_of(ruleset)


def _key(rules: Path) -> list[Any] | None:
    """What the concepts depend on, or None when it cannot be told (no cache then)."""
    try:
        files = sorted(
            (entry.name, stat.st_size, stat.st_mtime_ns)
            for entry in os.scandir(rules)
            if entry.name.endswith(".toml") and (stat := entry.stat())
        )
    except FileNotFoundError:
        files = []
    except OSError:
        return None
    try:
        shipped = SHIPPED.stat()
    except OSError:  # the package is not plain files (a zip): no cache
        return None
    return [
        FORMAT,
        __version__,
        str(rules.resolve()),
        [list(f) for f in files],
        [shipped.st_size, shipped.st_mtime_ns],
    ]


def _digest(text: str) -> str:
    # A short name for the folder (the key holds the folder itself); hashlib would load OpenSSL.
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


def _read(path: Path, key: list[Any]) -> list[list[str]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    concepts = data.get("concepts")
    if not isinstance(concepts, list) or not all(
        isinstance(c, list) and all(isinstance(p, str) for p in c) for c in concepts
    ):
        return None
    return concepts


def _write(path: Path, key: list[Any], concepts: list[list[str]]) -> None:
    """Written whole or not at all (a temporary file renamed); a failure only costs speed."""
    import tempfile  # only to write: a cache hit needs none

    text = json.dumps({"key": key, "concepts": concepts}, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass

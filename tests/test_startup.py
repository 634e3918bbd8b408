"""What a command loads before it does anything: `--help` no verb, a read command no HTTP
client, no sqlite-utils plugin scan, nothing of httpx's own command line; and the officials'
questions on a database in use neither sqlite-utils, nor the rule engine, nor logging."""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys

import pytest

from helpers.stored_calls import TODAY, add_calls, portal_project
from monitor.cli.group import COMMANDS, SUMMARIES

# Run `monitor` as the console script does, then list what was imported.
PROBE = """
import json, sys
sys.argv = ["monitor", *json.loads(sys.argv[1])]
from monitor.cli import main
try:
    main()
except SystemExit:
    pass
print("MODULES " + json.dumps(sorted(sys.modules)))
"""


def imported(args: list[str], cwd) -> set[str]:
    return probe(args, cwd)[0]


def probe(args: list[str], cwd) -> tuple[set[str], str]:
    """The modules `monitor ARGS` imported, and what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    said, _, line = done.stdout.rpartition("MODULES ")
    return set(json.loads(line)), said + done.stderr


def test_the_verb_summaries_are_the_first_sentences_of_their_docstrings():
    assert set(SUMMARIES) == set(COMMANDS)
    for name, target in COMMANDS.items():
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        paragraph = " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())
        first = re.match(r"(.*?\.)(\s|$)", paragraph)
        assert first is not None and SUMMARIES[name] == first.group(1), name


def test_help_lists_every_verb_without_importing_one(tmp_path):
    modules = imported(["--help"], tmp_path)
    verbs = {target.split(":")[0] for target in COMMANDS.values()}
    assert not verbs & modules, verbs & modules
    assert not {"httpx", "sqlite_utils", "feedparser", "bs4"} & modules


@pytest.mark.parametrize("verb", [["search", "x"], ["deadlines"], ["show", "x"], ["tracked"]])
def test_a_read_command_on_a_missing_database_says_so_and_creates_none(tmp_path, verb):
    """A mistyped --db or the wrong folder: one line naming the file, not "no hits" from an
    empty database made on the spot; and no HTTP client loaded to say it."""
    (tmp_path / "sources.toml").write_text(
        '[settings]\ndatabase = "monitr.db"\n\n[[sources]]\nid = "feed"\nkind = "rss"\n'
        'url = "https://example.org/feed.xml"\n',
        encoding="utf-8",
    )
    modules, said = probe(verb, tmp_path)
    assert f"databasen {tmp_path / 'monitr.db'} finns inte: kör 'monitor run' först" in said
    assert not (tmp_path / "monitr.db").exists()
    assert not {"httpx", "feedparser", "bs4", "pygments"} & modules


def test_the_fetching_commands_load_httpx_without_its_command_line():
    probe = (
        "import sys, monitor.cli, monitor.fetch; "
        "print(sorted({'rich', 'pygments'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_numpy_stays_importable_after_the_store_is():
    probe = "import monitor.store, numpy; print(numpy.__name__)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "numpy", done.stderr


# What the officials' questions leave out once the database exists: the store's writing side
# (sqlite-utils, and dateutil through it), the rule engine (the vocabulary's rule groups are
# kept, monitor/vocabulary_cache.py), logging, and anything that fetches.
NOT_FOR_QUESTIONS = {
    "sqlite_utils",
    "dateutil",
    "monitor.store.db",
    "monitor.rules",
    "monitor.rules.loader",
    "logging",
    "httpx",
    "feedparser",
    "bs4",
    "monitor.sources.kinds",
}


@pytest.mark.parametrize(
    ("verb", "answer"),
    [
        (["search", "klimatanpassning"], "träff: climate adaptation (för klimatanpassning)"),
        (["search", "x"], "Inga träffar"),
        (["search", "climate", "--format", "json"], '"identifier": "LIFE-2027-CALL-000"'),
        (["deadlines", "--within", "90"], "LIFE-2027-CALL-000"),
        (["show", "LIFE-2027-CALL-000"], "Climate adaptation in small towns"),
        (["export", "--format", "csv"], "LIFE-2027-CALL-000"),
    ],
)
def test_a_question_on_a_database_in_use_reads_it_with_plain_sqlite3(
    tmp_path, monkeypatch, verb, answer
):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    add_calls(portal_project(tmp_path), ["Climate adaptation in small towns"])
    probe(["search", "klimat"], tmp_path)  # the first search keeps the vocabulary
    modules, said = probe(verb, tmp_path)
    assert "monitor.store.reader" in modules
    assert not NOT_FOR_QUESTIONS & modules, NOT_FOR_QUESTIONS & modules
    assert answer in said  # the same answer as through the store

"""Search stems come from Snowball's Swedish and English stemmers: PyStemmer's (C, a dependency)
or, where it cannot be installed, snowballstemmer's pure-Python ones, loaded without that
package's other ~30 languages. Both give the same stems, so a database whose stems one wrote is
searched alike with the other."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
sys.modules["Stemmer"] = None  # PyStemmer not installed: the pure-Python fallback
from monitor.stemming import word_stems
words = ["kommunerna", "kommunen", "cities", "city", "klimatanpassningen", "adaptation",
         "skolor", "äldreomsorgen", "running"]
ours = [list(word_stems(w)) for w in words]
loaded = sorted(m for m in sys.modules if m.startswith("snowballstemmer."))
import snowballstemmer  # the package whole, after ours: still importable and the same
sv, en = snowballstemmer.stemmer("swedish"), snowballstemmer.stemmer("english")
theirs = [[s] if s == e else [s, e] for s, e in ((sv.stemWord(w), en.stemWord(w)) for w in words)]
print(json.dumps({"same": ours == theirs, "loaded": loaded, "kommun": ours[0]}))
"""


def test_without_pystemmer_the_two_stemmers_are_loaded_without_the_other_languages():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["same"], answer
    assert answer["kommun"][0] == "kommun"  # kommunerna finds kommunen
    languages = [m for m in answer["loaded"] if m.endswith("_stemmer")]
    assert languages == ["snowballstemmer.english_stemmer", "snowballstemmer.swedish_stemmer"]


def test_pystemmer_gives_the_pure_python_stems_for_every_word_of_the_fixtures_and_rules():
    # The pure-Python classes themselves: snowballstemmer's own stemmer() would give
    # PyStemmer's, now that it is installed.
    from snowballstemmer.english_stemmer import EnglishStemmer
    from snowballstemmer.swedish_stemmer import SwedishStemmer

    from monitor.stemming import _stemmers, word_stems

    words: set[str] = set()
    for folder in ("tests/fixtures", "rules", "monitor/data"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".json", ".xml", ".atom", ".rdf", ".rss", ".html", ".toml"}:
                text = path.read_text(encoding="utf-8", errors="replace").lower()
                words |= set(re.findall(r"[^\W\d_]{3,}", text))
    assert len(words) > 5000
    swedish, english = SwedishStemmer(), EnglishStemmer()
    differ = []
    for word in sorted(words):
        sv, en = swedish.stemWord(word), english.stemWord(word)
        if word_stems(word) != ((sv,) if sv == en else (sv, en)):
            differ.append(word)
    assert differ == []
    assert type(_stemmers()[0]).__module__ == "Stemmer"  # what word_stems used: PyStemmer

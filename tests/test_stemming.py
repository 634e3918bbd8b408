"""Search stems come from snowballstemmer's Swedish and English stemmers, loaded without the
package's other ~30 languages: the same stems as the package's own `stemmer()` gives."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
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


def test_the_two_stemmers_give_the_packages_stems_without_its_other_languages():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["same"], answer
    assert answer["kommun"][0] == "kommun"  # kommunerna finds kommunen
    languages = [m for m in answer["loaded"] if m.endswith("_stemmer")]
    assert languages == ["snowballstemmer.english_stemmer", "snowballstemmer.swedish_stemmer"]

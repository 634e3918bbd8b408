"""Word stems for search, so that `kommuner` finds `kommunen` and `cities` finds `city`.

FTS5 has no Swedish stemmer, so each item keeps the Swedish and English Snowball stems of the
words of its title and summary in a column of the search index, and a query word is looked up
as itself or by its stems. Stems are cached per word: vocabularies repeat, items do not.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[^\W\d_]{3,}")  # letters only: identifiers and numbers are not stemmed


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Any, Any]:
    # Imported at the first word, and only the two languages: snowballstemmer's package loads
    # all its ~30 (10 ms with bytecode, 0.1-0.2 s without), a third of a search's start-up.
    try:
        import Stemmer  # type: ignore[import-not-found]  # PyStemmer: what snowballstemmer prefers
    except ImportError:
        return _pure_python_stemmers()
    return Stemmer.Stemmer("swedish"), Stemmer.Stemmer("english")


def _pure_python_stemmers() -> tuple[Any, Any]:
    """snowballstemmer's Swedish and English stemmers, the classes its `stemmer()` gives,
    imported without running the package's `__init__` (which imports every language)."""
    if "snowballstemmer" not in sys.modules:
        spec = importlib.util.find_spec("snowballstemmer")
        if spec is not None and spec.submodule_search_locations:
            sys.modules["snowballstemmer"] = importlib.util.module_from_spec(spec)
            try:
                from snowballstemmer.english_stemmer import EnglishStemmer
                from snowballstemmer.swedish_stemmer import SwedishStemmer

                return SwedishStemmer(), EnglishStemmer()
            except ImportError:  # laid out otherwise: the package as it documents itself
                pass
            finally:  # a later `import snowballstemmer` runs the package whole, as ever
                del sys.modules["snowballstemmer"]
    import snowballstemmer

    return snowballstemmer.stemmer("swedish"), snowballstemmer.stemmer("english")


@lru_cache(maxsize=500_000)
def word_stems(word: str) -> tuple[str, ...]:
    """The Swedish and English stems of one lower-case word (one when they agree)."""
    swedish_stemmer, english_stemmer = _stemmers()
    swedish, english = swedish_stemmer.stemWord(word), english_stemmer.stemWord(word)
    return (swedish,) if swedish == english else (swedish, english)


def stems_of(*texts: str | None) -> str:
    """Every distinct stem of the words in `texts`, space-separated, for the search index."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall((text or "").lower()):
            for stem in word_stems(word):
                seen.setdefault(stem, None)
    return " ".join(seen)


def is_stemmable(word: str) -> bool:
    return bool(_WORD.fullmatch(word))

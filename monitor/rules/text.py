"""Turn item text into the tokens that rule terms are matched against.

One tokeniser serves both sides: rule terms are tokenised exactly like item text, so a term and
the text it should find can never disagree about where words begin and end.

Tokenisation, in order:
1. HTML is removed (tags become spaces; `<script>`/`<style>` bodies are dropped) and entities are
   decoded, so `&aring;` is `å` and `<p>skola</p>` is the word `skola`.
2. Unicode is normalised to NFC, so an `å` typed as `a` + combining ring equals the one-letter `å`.
   Soft hyphens and zero-width characters vanish; the Unicode hyphens U+2010/U+2011 become `-`.
3. Everything is lower-cased.
4. A token is a run of letters and digits; a hyphen *between* two such runs keeps them in one
   token. `center-wrap`, `e-tjänster`, `climate-neutral` and `EU-projekt` are single tokens, the
   way a Swedish compound is one word: `center` does not match `center-wrap`, while `klimat*`
   matches `klimat-neutral` and `*projekt` matches `eu-projekt`. A dangling hyphen (`kultur- och
   fritid`) or any other punctuation (`/`, `'`, `:`, `.`, en dash) separates tokens.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Letters/digits (no underscore), optionally joined by single inner hyphens.
TOKEN_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")

_SCRIPT_STYLE_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_INVISIBLE.update({0x2010: "-", 0x2011: "-"})


def clean_html(text: str) -> str:
    """Remove markup and decode entities; cheap when the text has neither."""
    if "<" in text:
        if "<s" in text or "<S" in text:
            text = _SCRIPT_STYLE_RE.sub(" ", text)
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def normalise(text: str) -> str:
    """Clean, NFC-normalise and lower-case `text` (steps 1-3 above)."""
    text = clean_html(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return text.lower()


def tokenize(text: str) -> list[str]:
    """All tokens of `text` in order (step 4 above)."""
    return TOKEN_RE.findall(normalise(text))


# The matcher's fast path: a token never spans whitespace, so the text can be split on
# whitespace first (`str.split` is several times faster than a regex over the whole text) and
# each distinct chunk ("Cities," "(LIFE)" "EU-projekt.") normalised and tokenised once, then
# cached. For any text: tokenize(text) == [t for c in chunks(text) for t in chunk_tokens(c)].


def chunks(text: str) -> list[str]:
    """The whitespace-separated pieces of `text` after HTML is removed, case kept."""
    return clean_html(text).split()


def chunk_tokens(chunk: str) -> list[str]:
    """The tokens of one whitespace-free chunk, normalised as in `normalise`."""
    if not chunk.isascii():
        chunk = unicodedata.normalize("NFC", chunk).translate(_INVISIBLE)
    return TOKEN_RE.findall(chunk.lower())

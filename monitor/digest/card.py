"""Text for a call's card, taken from what the source wrote. Pure.

- `brief`: the first one or two sentences of a summary, for the card's "what is it about".
- `as_written`: a matched phrase as the item writes it. The matcher reports phrases in its
  tokenised form ("eu s" for "EU:s", lower-cased); the card shows the words as found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from monitor.notify.mrkdwn import clip

MAX_BRIEF = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9(\"“])")
# Section labels the portal puts before its text; they say nothing about the call.
_LABEL = re.compile(r"^(?:expected outcomes?|scope|objectives?|background|summary)\s*:\s*", re.I)
_WORD_EDGE = r"[^\W_]"


def brief(summary: str | None, limit: int = MAX_BRIEF) -> str:
    """One sentence, or two when both fit in `limit` characters; a longer first is clipped."""
    text = _LABEL.sub("", " ".join((summary or "").split()))
    if not text:
        return ""
    sentences = _SENTENCE_END.split(text)
    shown = sentences[0]
    if len(sentences) > 1 and len(shown) + 1 + len(sentences[1]) <= limit:
        shown = f"{shown} {sentences[1]}"
    return clip(shown, limit)


def as_written(phrase: str, texts: Iterable[str | None]) -> str:
    """`phrase` as the first of `texts` that holds it writes it ("eu s" -> "EU:s"); the phrase
    itself when none does (a programme code, a phrase from a text not at hand)."""
    words = phrase.split()
    if not words:
        return phrase
    pattern = re.compile(
        rf"(?<!{_WORD_EDGE})"
        + r"[\W_]{1,3}".join(re.escape(w) for w in words)
        + rf"(?!{_WORD_EDGE})",
        re.IGNORECASE,
    )
    for text in texts:
        if text and (found := pattern.search(text)):
            return " ".join(found.group(0).split())
    return phrase

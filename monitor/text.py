"""Clean text out of HTML and untidy source strings."""

from __future__ import annotations

import html
import re
import warnings

# Characters a reader never sees but a terminal or a chat obeys: C0/C1 controls (ESC starts a
# terminal escape, BEL rings) and the bidirectional overrides and isolates (U+202E turns
# "txt.exe" into "exe.txt" on screen). Whitespace controls are spaces already (str.split).
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What the cleaning below would change: an invisible character, whitespace other than a plain
# space, or two spaces in a row. Searched for once; a string without any is kept.
_UNTIDY = re.compile(_INVISIBLE.pattern + r"|[^\S ]|  ")
_MARKUP = re.compile(r"[<&]")
# A quoted attribute value may hold ">" (the portal writes `<div class="eui-u-mt-l>">`); a
# quote left open is an ordinary character, so the tag still ends at its first ">".
_TAG = re.compile(r"""<[A-Za-z/!?](?:[^<>"']|"[^"<]*"|'[^'<]*'|["'])*>""")
# Markup whose text is not simply "everything between the tags": scripts, styles, comments,
# CDATA, and a stray "<" that is text ("TRL < 5"), which BeautifulSoup reads as a browser would.
_TRICKY = re.compile(r"<(?:script|style|!--|!\[CDATA)|<(?![A-Za-z/!?])", re.IGNORECASE)
# The portal cuts long descriptions short, sometimes inside a tag: `... the <a href="https://env`.
_CUT_TAG = re.compile(r"<[A-Za-z/!][^<>]*$")


def clean_text(value: str | None) -> str:
    """HTML or plain text -> one line of plain text with single spaces (entities decoded)."""
    if not value:
        return ""
    if _MARKUP.search(value):
        value = _CUT_TAG.sub("", value)
        if _TRICKY.search(value):
            from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

            with warnings.catch_warnings():
                # A plain string that looks like a URL or file name is still just text to us.
                warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
                value = BeautifulSoup(value, "html.parser").get_text(" ")
        else:
            # Plain paragraphs and links, as the portal sends by the thousand: dropping the tags
            # gives the same text as BeautifulSoup at a tenth of the cost.
            value = html.unescape(_TAG.sub(" ", value))
    if _UNTIDY.search(value) is None:  # most strings: the cleaning would keep them
        return value.strip()
    # Runs of whitespace as one space: str.split() splits at exactly what `\s` matches
    # (str.isspace), at a third of the cost of re.sub(r"\s+", " ") and strip().
    return " ".join(_INVISIBLE.sub("", value).split())

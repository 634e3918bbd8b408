"""Clean text out of HTML and untidy source strings."""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

_SPACE = re.compile(r"\s+")
_MARKUP = re.compile(r"[<&]")
# The portal cuts long descriptions short, sometimes inside a tag: `... the <a href="https://env`.
_CUT_TAG = re.compile(r"<[A-Za-z/!][^<>]*$")


def clean_text(value: str | None) -> str:
    """HTML or plain text -> one line of plain text with single spaces (entities decoded)."""
    if not value:
        return ""
    if _MARKUP.search(value):
        value = _CUT_TAG.sub("", value)
        with warnings.catch_warnings():
            # A plain string that looks like a URL or file name is still just text to us.
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            value = BeautifulSoup(value, "html.parser").get_text(" ")
    return _SPACE.sub(" ", value).strip()

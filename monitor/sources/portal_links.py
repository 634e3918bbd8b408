"""The call a link into the EU Funding & Tenders Portal names, so that an item about a call
from another source (the portal's own RSS) is the same call as the search API's.

Two shapes are in use: a topic page (`…/topic-details/horizon-cl5-2027-07-d3-28`, the
identifier in lower case) and a topic search narrowed to a call (`…/topic-search;callCode=
RENEWFM-2025-INVEST-MULTI;…`, the shape of the RSS's links as its public clients read them).
"""

from __future__ import annotations

import re

_TOPIC = re.compile(r"/topic-details/([A-Za-z0-9][A-Za-z0-9._-]*)")
_CALL_CODE = re.compile(r"[;?&]callCode=([A-Za-z0-9][A-Za-z0-9._-]*)")
_NO_CODE = {"NULL", "DEFAULT"}  # what the portal writes in a search that names no call


def portal_identifier(url: str | None) -> str | None:
    """The topic or call identifier a portal link names, upper-cased as the API writes it."""
    if not url or "funding-tenders" not in url:
        return None
    for pattern in (_TOPIC, _CALL_CODE):
        found = pattern.search(url)
        if found and found.group(1).upper() not in _NO_CODE:
            return found.group(1).upper()
    return None

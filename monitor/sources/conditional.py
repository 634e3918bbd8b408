"""Which stored validators (ETag, Last-Modified) a source's request may carry.

A server's validators answer "has *this* changed?" for the request that got them. They are
stored with the fingerprint of that request (`request_key`: the source's kind and every option,
its url, selectors and the rest, which shape what is asked for and how it is read), and sent
again only while the source makes the same request: a source whose url or options were edited
is fetched and parsed in full once, rather than told "not modified" about the old address, or
about a page its new selectors were never run on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from monitor.models import Validators

if TYPE_CHECKING:
    from monitor.config import SourceConfig


def request_key(source: SourceConfig) -> str:
    """A short fingerprint of what the source asks for and how it reads the answer."""
    shape = json.dumps(
        [source.kind, source.options], sort_keys=True, default=_plain, ensure_ascii=False
    )
    return hashlib.sha256(shape.encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    # an options dataclass by its fields (vars: no deep copy, unlike dataclasses.asdict)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return vars(value)
    return str(value)


def validators_to_send(
    source: SourceConfig, state: Mapping[str, Any], *, fresh: bool = False
) -> Validators:
    """The stored validators if they were got by the request the source makes now, else none
    (so the answer is read in full); none either when `fresh` (`sources check` always parses)."""
    if fresh or state.get("validators_for") != request_key(source):
        return Validators()
    return Validators(state.get("etag"), state.get("last_modified"))

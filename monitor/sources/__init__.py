"""The registry of source kinds, keyed by the `kind` in sources.toml and filled by a decorator."""

from __future__ import annotations

from collections.abc import Callable

from monitor.sources.base import Collector, SourceKind

_KINDS: dict[str, SourceKind] = {}


def register(name: str, *, options: type) -> Callable[[Collector], Collector]:
    """Declare a kind: its name in sources.toml, its options dataclass and its collector."""

    def decorate(collect: Collector) -> Collector:
        if name in _KINDS:
            raise RuntimeError(f"source kind {name!r} is registered twice")
        doc = (collect.__doc__ or "").strip().splitlines()
        _KINDS[name] = SourceKind(name, options, collect, doc[0] if doc else "")
        return collect

    return decorate


def source_kind(name: str) -> SourceKind | None:
    _load_builtin_kinds()
    return _KINDS.get(name)


def known_kinds() -> list[str]:
    _load_builtin_kinds()
    return sorted(_KINDS)


def _load_builtin_kinds() -> None:
    # Imported late: the kind modules import this registry to register themselves.
    from monitor.sources import eu_portal, html_page, ical, json_api, rss  # noqa: F401

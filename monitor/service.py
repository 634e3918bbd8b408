"""The two jobs the bot does, shared by `monitor run`, `monitor digest` and `monitor serve`:
fetch sources and match what is new, and describe how that went in plain lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from monitor.clock import Clock
from monitor.config import Config, SourceConfig
from monitor.matching import load_matchers, match_and_store, sources_not_serving
from monitor.models import RunSummary, SourceOutcome
from monitor.pipeline import run_once
from monitor.stop import StopRequested
from monitor.store import Store


def fetch_and_match(
    config: Config,
    store: Store,
    sources: Sequence[SourceConfig],
    clock: Clock,
    on_done: Callable[[SourceOutcome], None] | None = None,
    stop: StopRequested | None = None,
) -> tuple[RunSummary, bool]:
    """Fetch and store `sources`, then match new and changed items for every group; (summary,
    rules found).

    Every group's rules are loaded before fetching, so broken rules stop the run before
    anything is stored unmatched. Each source is fetched once, whatever the number of groups;
    each group then judges the new and changed items of the sources that serve it. `stop`
    cuts the fetch short (monitor serve's SIGTERM).
    """
    matchers = load_matchers(config)
    summary = run_once(config, store, sources, clock=clock, on_done=on_done, stop=stop)
    now = clock.now()
    for group, matcher in matchers.items():
        if matcher is not None:
            skip = sources_not_serving(config, group)
            ids = summary.new_or_changed_ids
            match_and_store(store, matcher, ids, now, group=group, not_sources=skip)
    return summary, any(m is not None for m in matchers.values())


def summary_lines(summary: RunSummary) -> list[str]:
    """One line per source (items, new, changed, or the error) and a total."""
    lines = []
    width = max((len(o.source) for o in summary.outcomes), default=0)
    for outcome in summary.outcomes:
        head = f"{outcome.source.ljust(width)}  "
        if outcome.ok:
            lines.append(
                f"{head}{outcome.items_seen} items, {outcome.items_new} new, "
                f"{outcome.items_changed} changed"
                + (" (not modified)" if outcome.not_modified else "")
            )
        else:
            lines.append(f"{head}FAILED: {outcome.error}")
        lines += [f"{' ' * len(head)}warning: {w}" for w in outcome.warnings]
    failed, count = len(summary.failed), len(summary.outcomes)
    lines.append(
        f"Total: {count} source{'' if count == 1 else 's'} ({failed} failed), "
        f"{summary.items_seen} items, {summary.items_new} new, {summary.items_changed} changed"
    )
    return lines

"""The two jobs the bot does, shared by `monitor run`, `monitor digest` and `monitor serve`:
fetch sources and match what is new, and describe how that went in plain lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from monitor.clock import Clock
from monitor.config import Config, SourceConfig
from monitor.matching import load_matcher, match_and_store
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
    """Fetch and store `sources`, then match new and changed items; (summary, rules found).

    The rules are loaded before fetching, so broken rules stop the run before anything
    is stored unmatched. `stop` cuts the fetch short (monitor serve's SIGTERM).
    """
    matcher = load_matcher(config.settings.rules)
    summary = run_once(config, store, sources, clock=clock, on_done=on_done, stop=stop)
    if matcher is not None:
        match_and_store(store, matcher, summary.new_or_changed_ids, clock.now())
    return summary, matcher is not None


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

"""The two jobs the bot does, shared by `monitor run`, `monitor digest` and `monitor serve`:
fetch sources and match what is new, and describe how that went in plain lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from monitor.clock import Clock
from monitor.config import Config, SourceConfig
from monitor.matching import load_matchers, match_and_store, sources_not_serving
from monitor.models import RunSummary, SourceOutcome
from monitor.pipeline import run_once
from monitor.run_words import counts, run_words
from monitor.stop import StopRequested
from monitor.store import Store

if TYPE_CHECKING:
    from monitor.rules import Matcher


def fetch_and_match(
    config: Config,
    store: Store,
    sources: Sequence[SourceConfig],
    clock: Clock,
    on_done: Callable[[SourceOutcome], None] | None = None,
    stop: StopRequested | None = None,
) -> tuple[RunSummary, bool]:
    """Fetch and store `sources`, and match new and changed items for every group; (summary,
    rules found).

    Every group's rules are loaded before fetching, so broken rules stop the run before
    anything is stored unmatched. Each source is fetched once, whatever the number of groups;
    each group judges the new and changed items of the sources that serve it, a batch of
    sources at a time as soon as the batch is stored, while the rest are still fetched (the
    wait for the last answers hides the matching). `stop` cuts the fetch short (monitor
    serve's SIGTERM); the batches stored by then are matched.
    """
    matchers = load_matchers(config)
    batches = _BatchMatcher(config, store, clock, matchers)
    summary = run_once(
        config, store, sources, clock=clock, on_done=on_done, stop=stop, after_batch=batches
    )
    batches.raise_failure()
    return summary, any(m is not None for m in matchers.values())


class _BatchMatcher:
    """Matches each stored batch's new and changed items for every group. A failure (the
    database held by another program past its wait) stops the matching but not the fetch:
    every source is still stored, and the failure is raised after the run, as when matching
    followed the whole fetch."""

    def __init__(
        self, config: Config, store: Store, clock: Clock, matchers: dict[str, Matcher | None]
    ) -> None:
        self.store, self.clock = store, clock
        self.groups = [
            (group, matcher, sources_not_serving(config, group))
            for group, matcher in matchers.items()
            if matcher is not None
        ]
        self.failure: Exception | None = None

    def __call__(self, outcomes: list[SourceOutcome]) -> None:
        ids = [i for o in outcomes for i in (*o.new_ids, *o.changed_ids)]
        if self.failure is not None or not ids:
            return
        now = self.clock.now()
        try:
            for group, matcher, skip in self.groups:
                match_and_store(self.store, matcher, ids, now, group=group, not_sources=skip)
        except Exception as exc:
            self.failure = exc

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure


def summary_lines(summary: RunSummary, language: str = "sv") -> list[str]:
    """One line per source (items, new, changed, or the error) and a total, in `language`."""
    said = run_words(language)
    lines = []
    width = max((len(o.source) for o in summary.outcomes), default=0)
    for outcome in summary.outcomes:
        head = f"{outcome.source.ljust(width)}  "
        if outcome.ok:
            lines.append(
                head
                + counts(language, outcome.items_seen, outcome.items_new, outcome.items_changed)
                + (said["not_modified"] if outcome.not_modified else "")
            )
        else:
            lines.append(head + said["failed"].format(error=outcome.error))
        lines += [" " * len(head) + said["warning"].format(warning=w) for w in outcome.warnings]
    failed, count = len(summary.failed), len(summary.outcomes)
    total = counts(language, summary.items_seen, summary.items_new, summary.items_changed)
    noun = said["source"] if count == 1 else said["sources"]
    lines.append(said["total"].format(count=count, noun=noun, failed=failed, counts=total))
    return lines

"""One pass of the pipeline: fetch every chosen source concurrently, parse, store.

Each source runs inside its own guard: whatever goes wrong with it becomes its outcome's error,
and the other sources carry on. Nothing here knows about the CLI or the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import httpx

from monitor.clock import Clock
from monitor.config import Config, SourceConfig
from monitor.errors import FetchError
from monitor.fetch import Fetched, Fetcher, RetryPolicy, make_client
from monitor.models import Item, RunSummary, SourceOutcome, Validators
from monitor.sources.base import SourceContext
from monitor.sources.kinds import KINDS
from monitor.store import Store

log = logging.getLogger(__name__)


def chosen_sources(config: Config, source_ids: Sequence[str] = ()) -> list[SourceConfig]:
    """The sources named (enabled or not: naming one is asking for it), else every enabled one."""
    if source_ids:
        return [config.source(source_id) for source_id in source_ids]
    return [s for s in config.sources if s.enabled]


def run_once(
    config: Config,
    store: Store,
    sources: Sequence[SourceConfig],
    *,
    clock: Clock,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
    on_done: Callable[[SourceOutcome], None] | None = None,
) -> RunSummary:
    """Fetch, parse and store `sources`; one failing source never stops the others.

    Every source sees the same today (the clock's, in settings.timezone). `on_done` is called
    as each source finishes (for a progress display).
    """
    run_id = store.start_run(clock.now())
    outcomes, fetcher = asyncio.run(
        _fetch_all(
            config, sources, transport, policy, clock, store=store, run_id=run_id, on_done=on_done
        )
    )
    store.finish_run(
        run_id,
        clock.now(),
        ok=sum(o.ok for o in outcomes),
        failed=sum(not o.ok for o in outcomes),
    )
    return RunSummary(
        run_id=run_id,
        outcomes=outcomes,
        bytes_received=fetcher.bytes_received,
        peak_in_flight=fetcher.peak_in_flight,
    )


@dataclass(frozen=True)
class Checked:
    """A source checked: its outcome, the items it would give, and its first answer (the
    source's own document, whatever became of parsing it), if one came."""

    source: SourceConfig
    outcome: SourceOutcome
    items: list[Item]
    answer: Fetched | None = None


def check_sources(
    config: Config,
    store: Store,
    sources: Sequence[SourceConfig],
    *,
    clock: Clock,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Checked]:
    """Fetch and parse without storing anything: what would each source give now?"""
    results, _ = asyncio.run(_fetch_all(config, sources, transport, None, clock, store=store))
    return results


async def _fetch_all(
    config, sources, transport, policy, clock: Clock, *, store, run_id=None, on_done=None
):
    policy = policy or RetryPolicy(retries=config.settings.retries)
    when = _When(clock, clock.today(config.settings.timezone))

    async def run_one(src: SourceConfig) -> SourceOutcome:
        outcome = await _run_source(src, config, store, fetcher, when, run_id)
        if on_done is not None:
            on_done(outcome)
        return outcome

    async with make_client(config.settings, transport) as client:
        fetcher = Fetcher(client, policy, config.politeness)
        jobs = [
            run_one(src) if run_id is not None else _check_source(src, config, store, fetcher, when)
            for src in sources
        ]
        return await asyncio.gather(*jobs), fetcher


@dataclass(frozen=True)
class _When:
    clock: Clock
    today: date  # one date for the whole run, even one that passes midnight


def _context(
    source: SourceConfig,
    config: Config,
    store: Store,
    fetcher: Fetcher,
    when: _When,
    *,
    fresh: bool,
):
    """A kind's context; `fresh` forgets the stored validators so a check always parses."""
    state = store.source_state(source.id) or {}
    validators = (
        Validators() if fresh else Validators(state.get("etag"), state.get("last_modified"))
    )
    return SourceContext(
        source.id,
        source.options,
        fetcher,
        store,
        when.today,
        when.clock,
        validators,
        store.stored_item,
        config.settings.timezone,
    )


async def _collect(source: SourceConfig, context: SourceContext, outcome: SourceOutcome):
    """The kind's result, or None with the outcome marked failed and why."""
    kind = KINDS.get(source.kind)
    assert kind is not None, "config validation guarantees a known kind"
    try:
        return await kind.collect(context)
    except FetchError as exc:
        outcome.ok, outcome.error, outcome.http_status = False, str(exc), exc.status
    except Exception as exc:  # a bug or an input no parser foresaw: still only this source fails
        log.exception("source %s failed unexpectedly", source.id)
        outcome.ok, outcome.error = False, f"unexpected error: {type(exc).__name__}: {exc}"
    return None


async def _run_source(
    source: SourceConfig,
    config: Config,
    store: Store,
    fetcher: Fetcher,
    when: _When,
    run_id: int,
) -> SourceOutcome:
    outcome = SourceOutcome(source=source.id, name=source.name)
    started = when.clock.now()
    context = _context(source, config, store, fetcher, when, fresh=False)
    collected = await _collect(source, context, outcome)
    if collected is None:
        store.save_failure(
            run_id,
            outcome,
            started=started,
            finished=when.clock.now(),
            unhealthy_after=config.settings.unhealthy_after,
        )
        return outcome
    outcome.http_status = collected.http_status
    outcome.warnings = collected.warnings
    outcome.not_modified = collected.not_modified
    store.save_success(
        run_id,
        outcome,
        collected.items,
        started=started,
        finished=when.clock.now(),
        validators=collected.validators,
    )
    return outcome


async def _check_source(
    source: SourceConfig, config: Config, store: Store, fetcher: Fetcher, when: _When
) -> Checked:
    outcome = SourceOutcome(source=source.id, name=source.name)
    context = _context(source, config, store, fetcher, when, fresh=True)
    context.answers = []
    collected = await _collect(source, context, outcome)
    answer = context.answers[0] if context.answers else None
    if collected is None:
        if outcome.http_status is None and answer is not None:
            outcome.http_status = answer.status  # it answered; the parsing failed
        return Checked(source, outcome, [], answer)
    outcome.http_status, outcome.warnings = collected.http_status, collected.warnings
    outcome.items_seen = len(collected.items)
    return Checked(source, outcome, collected.items, answer)

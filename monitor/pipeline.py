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

from monitor import parsing
from monitor.clock import Clock
from monitor.config import Config, SourceConfig
from monitor.errors import FetchError
from monitor.fetch import Fetched, Fetcher, RetryPolicy, make_client, tls_context
from monitor.models import Item, RunSummary, SourceOutcome
from monitor.parsing import ParsePool
from monitor.sources.base import SourceContext
from monitor.sources.conditional import request_key, validators_to_send
from monitor.sources.kinds import KINDS
from monitor.stop import Stopped, StopRequested
from monitor.store import Store

log = logging.getLogger(__name__)

SAVE_EVERY = 0.5  # seconds: finished sources are stored together at most this often
AFTER_STEP = 8  # stored sources given to after_batch (matching) at a time, between answers


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
    stop: StopRequested | None = None,
    after_batch: Callable[[list[SourceOutcome]], None] | None = None,
) -> RunSummary:
    """Fetch, parse and store `sources`; one failing source never stops the others.

    Every source sees the same today (the clock's, in settings.timezone). `on_done` is called
    as each source finishes (for a progress display). `stop` (asked from another thread) cuts
    the run short with Stopped: each source is stored whole or not at all, as after a kill.
    `after_batch` is given the outcomes of the sources stored (committed), a few at a time,
    while the others are still being fetched: what a run does with its new items (matching)
    is then done by the time the last answer comes, but for the last batch's.
    """
    run_id = store.start_run(clock.now())
    try:
        outcomes, fetcher = asyncio.run(
            _fetch_all(
                config,
                sources,
                transport,
                policy,
                clock,
                store=store,
                run_id=run_id,
                on_done=on_done,
                stop=stop,
                after_batch=after_batch,
            )
        )
    except asyncio.CancelledError:
        raise Stopped(
            "the fetch was stopped before every source was done; the sources not stored "
            "are fetched again at the next start"
        ) from None
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
    config,
    sources,
    transport,
    policy,
    clock: Clock,
    *,
    store,
    run_id=None,
    on_done=None,
    stop=None,
    after_batch=None,
):
    policy = policy or RetryPolicy(retries=config.settings.retries)
    pool = ParsePool() if run_id is not None and len(sources) >= parsing.POOL_FROM else None
    when = _When(clock, clock.today(config.settings.timezone), pool)
    saver = _Saver(store, on_done, after_batch)

    async def run_one(src: SourceConfig) -> SourceOutcome:
        outcome, save = await _run_source(src, config, store, fetcher, when, run_id)
        saver.add(outcome, save)
        return outcome

    settings = config.settings
    # A client per host over the network (see Fetcher); an in-process transport has no
    # connections to choose from, and one client for it is enough.
    tls = tls_context()  # made ahead, if the command asked for it (fetch.prepare_tls)
    host_client = (
        (lambda: make_client(settings, connections=settings.per_host, tls=tls))
        if transport is None
        else None
    )
    if pool is not None:  # once the first requests are out (see parsing.START_AFTER)
        asyncio.get_running_loop().call_later(parsing.START_AFTER, pool.start)
    async with make_client(settings, transport, tls=tls) as client:
        fetcher = Fetcher(client, policy, config.politeness, host_client)
        jobs = [
            run_one(src) if run_id is not None else _check_source(src, config, store, fetcher, when)
            for src in sources
        ]
        try:
            if stop is None:
                return await asyncio.gather(*jobs), fetcher
            with stop.cancels_this_task():
                return await asyncio.gather(*jobs), fetcher
        finally:
            # what was collected whole is kept, even when the run is stopped, and matched
            saver.flush(last=True)
            await fetcher.aclose()
            if pool is not None:
                pool.close()


class _Saver:
    """Stores finished sources in batches: one transaction, one wait for the disk, for all the
    sources done within SAVE_EVERY seconds of the first of them, rather than one per source.
    Saving runs on the event loop, so while it waits no request starts: per source, that was
    most of a run answered by 304s. Each source is still stored whole or not at all; a run
    killed between two batches leaves the last one's sources unstored, fetched in full at the
    next run. A failed save (the database held by another program) stops the run at the next
    source done, as it did when each source saved itself.

    `after_batch` (matching) is given a stored batch AFTER_STEP sources at a time, each step
    a callback of its own, so that answers that came meanwhile are taken in between: a whole
    batch matched at once held every host's next request back by up to 0.1 s, five times a
    run. The last flush gives it everything left, before the run ends."""

    def __init__(
        self,
        store: Store,
        on_done: Callable[[SourceOutcome], None] | None,
        after_batch: Callable[[list[SourceOutcome]], None] | None = None,
    ) -> None:
        self.store, self.on_done, self.after_batch = store, on_done, after_batch
        self.pending: list[tuple[SourceOutcome, Callable[[], None]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._failure: BaseException | None = None
        self._stored: list[SourceOutcome] = []  # stored, not yet given to after_batch
        self._step: asyncio.Handle | None = None

    def add(self, outcome: SourceOutcome, save: Callable[[], None]) -> None:
        self._raise_failure()
        self.pending.append((outcome, save))
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(SAVE_EVERY, self._on_time)

    def _on_time(self) -> None:
        self._timer = None
        try:
            self.flush()
        except BaseException as exc:  # a loop callback cannot raise into the run: kept
            self._failure = exc

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def flush(self, *, last: bool = False) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._raise_failure()
        pending, self.pending = self.pending, []
        if pending:
            with self.store.batch():
                for _, save in pending:
                    save()
            if self.on_done is not None:
                for outcome, _ in pending:
                    self.on_done(outcome)
        if self.after_batch is None:
            return
        self._stored += [outcome for outcome, _ in pending]
        if last:
            if self._step is not None:
                self._step.cancel()
                self._step = None
            stored, self._stored = self._stored, []
            if stored:
                self.after_batch(stored)
        elif self._stored and self._step is None:
            self._step = asyncio.get_running_loop().call_soon(self._after_step)

    def _after_step(self) -> None:
        self._step = None
        step, self._stored = self._stored[:AFTER_STEP], self._stored[AFTER_STEP:]
        try:
            if self.after_batch is not None:
                self.after_batch(step)
        except BaseException as exc:  # as in _on_time: raised at the next source done
            self._failure = exc
        if self._stored:
            self._step = asyncio.get_running_loop().call_soon(self._after_step)


@dataclass(frozen=True)
class _When:
    clock: Clock
    today: date  # one date for the whole run, even one that passes midnight
    parse_pool: ParsePool | None = None  # where the run's documents are parsed, if not inline


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
    return SourceContext(
        source.id,
        source.options,
        fetcher,
        store,
        when.today,
        when.clock,
        validators_to_send(source, state, fresh=fresh),
        store.stored_item,
        config.settings.timezone,
        parse_pool=when.parse_pool,
    )


async def _collect(
    source: SourceConfig, context: SourceContext, outcome: SourceOutcome, budget: float
):
    """The kind's result, or None with the outcome marked failed and why. `budget` bounds the
    source's whole collection (every page, detail and retry), so one source cannot hold
    `monitor serve`'s single worker, and the weekly digest behind it, for long."""
    kind = KINDS.get(source.kind)
    assert kind is not None, "config validation guarantees a known kind"
    try:
        async with asyncio.timeout(budget) as bound:
            return await kind.collect(context)
    except TimeoutError as exc:
        if bound.expired():
            outcome.ok = False
            outcome.error = (
                f"the source took longer than {budget:g} s in all (settings.source_timeout); "
                "it is tried again at its next run"
            )
        else:
            _unexpected(source, outcome, exc)
    except FetchError as exc:
        outcome.ok, outcome.error, outcome.http_status = False, str(exc), exc.status
    except Exception as exc:  # a bug or an input no parser foresaw: still only this source fails
        _unexpected(source, outcome, exc)
    return None


def _unexpected(source: SourceConfig, outcome: SourceOutcome, exc: Exception) -> None:
    log.error("source %s failed unexpectedly", source.id, exc_info=exc)
    outcome.ok, outcome.error = False, f"unexpected error: {type(exc).__name__}: {exc}"


async def _run_source(
    source: SourceConfig,
    config: Config,
    store: Store,
    fetcher: Fetcher,
    when: _When,
    run_id: int,
) -> tuple[SourceOutcome, Callable[[], None]]:
    """The source collected, and how to store it (the caller saves it in a batch)."""
    outcome = SourceOutcome(source=source.id, name=source.name)
    started = when.clock.now()
    context = _context(source, config, store, fetcher, when, fresh=False)
    collected = await _collect(source, context, outcome, config.settings.source_timeout)
    finished = when.clock.now()
    if collected is None:
        return outcome, lambda: store.save_failure(
            run_id,
            outcome,
            started=started,
            finished=finished,
            unhealthy_after=config.settings.unhealthy_after,
        )
    outcome.http_status = collected.http_status
    outcome.warnings = collected.warnings
    outcome.not_modified = collected.not_modified

    def save() -> None:
        store.save_success(
            run_id,
            outcome,
            collected.items,
            started=started,
            finished=finished,
            validators=collected.validators,
            request=request_key(source),
        )

    return outcome, save


async def _check_source(
    source: SourceConfig, config: Config, store: Store, fetcher: Fetcher, when: _When
) -> Checked:
    outcome = SourceOutcome(source=source.id, name=source.name)
    context = _context(source, config, store, fetcher, when, fresh=True)
    context.answers = []
    collected = await _collect(source, context, outcome, config.settings.source_timeout)
    answer = context.answers[0] if context.answers else None
    if collected is None:
        if outcome.http_status is None and answer is not None:
            outcome.http_status = answer.status  # it answered; the parsing failed
        return Checked(source, outcome, [], answer)
    outcome.http_status, outcome.warnings = collected.http_status, collected.warnings
    outcome.items_seen = len(collected.items)
    return Checked(source, outcome, collected.items, answer)

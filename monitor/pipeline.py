"""One pass of the pipeline: fetch every chosen source concurrently, parse, store.

Each source runs inside its own guard: whatever goes wrong with it becomes its outcome's error,
and the other sources carry on. Nothing here knows about the CLI or the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import httpx

from monitor.config import Config, SourceConfig
from monitor.errors import FetchError
from monitor.fetch import RetryPolicy, make_client
from monitor.models import RunSummary, SourceOutcome
from monitor.sources import source_kind
from monitor.sources.base import SourceContext
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
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
    today: date | None = None,
) -> RunSummary:
    """Fetch, parse and store `sources`; one failing source never stops the others."""
    policy = policy or RetryPolicy(retries=config.settings.retries)
    today = today or datetime.now(ZoneInfo(config.settings.timezone)).date()
    run_id = store.start_run(datetime.now(UTC))
    outcomes = asyncio.run(_fetch_all(config, store, sources, run_id, transport, policy, today))
    store.finish_run(
        run_id,
        datetime.now(UTC),
        ok=sum(o.ok for o in outcomes),
        failed=sum(not o.ok for o in outcomes),
    )
    return RunSummary(run_id=run_id, outcomes=outcomes)


async def _fetch_all(config, store, sources, run_id, transport, policy, today):
    async with make_client(config.settings, transport) as client:
        return await asyncio.gather(
            *(_run_source(src, store, client, run_id, policy, today) for src in sources)
        )


async def _run_source(
    source: SourceConfig,
    store: Store,
    client: httpx.AsyncClient,
    run_id: int,
    policy: RetryPolicy,
    today: date,
) -> SourceOutcome:
    outcome = SourceOutcome(source=source.id, name=source.name)
    started = datetime.now(UTC)
    kind = source_kind(source.kind)
    assert kind is not None, "config validation guarantees a known kind"
    context = SourceContext(source.id, source.options, client, policy, store, today)
    try:
        collected = await kind.collect(context)
    except FetchError as exc:
        outcome.ok, outcome.error, outcome.http_status = False, str(exc), exc.status
    except Exception as exc:  # a bug or an input no parser foresaw: still only this source fails
        log.exception("source %s failed unexpectedly", source.id)
        outcome.ok, outcome.error = False, f"unexpected error: {type(exc).__name__}: {exc}"
    else:
        outcome.http_status = collected.http_status
        outcome.warnings = collected.warnings
        store.save_success(
            run_id, outcome, collected.items, started=started, finished=datetime.now(UTC)
        )
        return outcome
    store.save_failure(run_id, outcome, started=started, finished=datetime.now(UTC))
    return outcome

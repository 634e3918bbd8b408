"""Parsing fetched documents in a worker process, beside the event loop that fetches.

A run of hundreds of feeds spends more of its event loop's time in feedparser than waiting for
the answers (800 feeds: about a second of a core), and while the loop parses, no request
starts: the parsing pushed the last answers past the polite floor. A worker process parses on
the machine's other core; the loop only sends the document and takes the items back. The
parsers are pure functions of the document and their context, so the items are the same, and
what a parser raises (a FetchError saying why a feed is unreadable) comes back as it was.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from monitor.models import Item
    from monitor.sources.document import Document, ParseContext, Parser

log = logging.getLogger(__name__)

# Below this many sources in a run, the event loop keeps up with parsing on its own (200
# feeds: a quarter of a second of parsing spread over 2.5 s of waiting), and a worker only
# adds its start (a fresh interpreter importing the parsers, about 0.15 s of a core) and
# each document's trip to it and back; at 800 it took a second off the loop. Tests set it to
# 1 to run their sources through the worker.
POOL_FROM = 400
# The worker is started this long after the fetch, once the first requests are out, and
# documents are parsed inline until it is ready: it never holds the first requests back, and
# no answer waits for it. Tests set WAIT_FOR_WORKER to send every document to it.
START_AFTER = 0.05
WAIT_FOR_WORKER = False


class ParsePool:
    """One worker process, started by start() and ended by close(). "spawn": a fresh
    interpreter, never a fork of a process with threads (`monitor serve`'s scheduler).
    Until it is ready, and should it die, documents are parsed here."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._ready: Future[int] | None = None
        self._closed = False
        self._sendable: dict[Parser, bool] = {}

    def start(self) -> None:
        if self._pool is not None or self._closed:
            return
        import multiprocessing  # imported here: only a run of many sources starts a worker
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(1, mp_context=context)
        self._ready = self._pool.submit(os.getpid)  # done once the worker runs

    async def parse(self, parse: Parser, document: Document, context: ParseContext) -> list[Item]:
        from concurrent.futures.process import BrokenProcessPool

        if WAIT_FOR_WORKER and self._ready is None:
            self.start()
        if self._pool is None or self._ready is None or not self._can_send(parse):
            return parse(document, context)
        loop = asyncio.get_running_loop()
        try:
            if WAIT_FOR_WORKER:
                await asyncio.wrap_future(self._ready)
            elif not self._ready.done():
                return parse(document, context)
            return await loop.run_in_executor(self._pool, parse, document, context)
        except BrokenProcessPool:
            log.warning("the parsing worker stopped; the run's documents are parsed inline")
            self.close()
            return parse(document, context)

    def _can_send(self, parse: Parser) -> bool:
        """Whether the parser reaches the worker (a module's function, not a closure)."""
        sendable = self._sendable.get(parse)
        if sendable is None:
            try:
                pickle.dumps(parse)
                sendable = True
            except (pickle.PicklingError, AttributeError, TypeError):
                sendable = False
            self._sendable[parse] = sendable
        return sendable

    def close(self) -> None:
        """Tell the worker to end, without waiting for it (its exit takes tens of
        milliseconds, which the run spends on matching and the digest meanwhile; the
        interpreter's exit waits for it)."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

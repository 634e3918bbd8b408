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
    from concurrent.futures import ProcessPoolExecutor

    from monitor.models import Item
    from monitor.sources.document import Document, ParseContext, Parser

log = logging.getLogger(__name__)

# Below this many sources in a run, a worker costs more than it saves: it is a fresh
# interpreter importing the parsers (about 0.1 s of the other core), and each document
# crosses to it and back (tests set it to 1 to run their sources through the worker).
POOL_FROM = 100


class ParsePool:
    """One worker process, started when made so that it is ready by the first answers;
    close() ends it. "spawn": a fresh interpreter, never a fork of a process with threads
    (`monitor serve`'s scheduler). Should the worker die, the rest is parsed here."""

    def __init__(self) -> None:
        import multiprocessing  # imported here: only a run of many sources starts a worker
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(1, mp_context=context)
        self._pool.submit(os.getpid)  # starts the worker now, while the first requests wait
        self._sendable: dict[Parser, bool] = {}

    async def parse(self, parse: Parser, document: Document, context: ParseContext) -> list[Item]:
        from concurrent.futures.process import BrokenProcessPool

        if self._pool is None or not self._can_send(parse):
            return parse(document, context)
        loop = asyncio.get_running_loop()
        try:
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
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

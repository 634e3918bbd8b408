"""A stop asked for from another thread (`monitor serve`'s SIGTERM handler), which cuts the
fetch in hand short: the fetch runs its own event loop in the scheduler's worker thread, and
waiting for a source that trickles (up to settings.timeout per request) is not stopping."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from monitor.errors import MonitorError


class Stopped(MonitorError):
    """The work in hand was cut short because a stop was asked for."""


class StopRequested:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked = False
        self._tasks: list[tuple[asyncio.AbstractEventLoop, asyncio.Task[object]]] = []

    @property
    def asked(self) -> bool:
        return self._asked

    def ask(self) -> None:
        """Cancel every task registered now or later (callable from any thread)."""
        with self._lock:
            self._asked = True
            tasks = list(self._tasks)
        for loop, task in tasks:
            _cancel(loop, task)

    @contextmanager
    def cancels_this_task(self) -> Iterator[None]:
        """While the block runs, a stop cancels the current task (raising CancelledError)."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None, "called from a coroutine"
        entry = (loop, task)
        with self._lock:
            self._tasks.append(entry)
            asked = self._asked
        if asked:
            _cancel(loop, task)
        try:
            yield
        finally:
            with self._lock:
                self._tasks.remove(entry)


def _cancel(loop: asyncio.AbstractEventLoop, task: asyncio.Task[object]) -> None:
    with contextlib.suppress(RuntimeError):  # the loop has closed: the fetch is over anyway
        loop.call_soon_threadsafe(task.cancel)

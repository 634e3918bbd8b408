"""One writer at a time: a lock file beside the database.

`monitor serve` and a manual `monitor run` (or `digest --send`) must not write at the same
time; the second waits for the first, or says clearly that a run is in progress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from monitor.errors import MonitorError


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class RunInProgress(MonitorError):
    """Another process holds the database's run lock."""


@contextmanager
def run_lock(
    database: Path, wait: float, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the database's run lock for the block; RunInProgress after `wait` seconds.

    `on_wait` is called once if the lock is not free at once (to tell the user why we wait).
    """
    lock = FileLock(lock_path(database))
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if wait <= 0:
                raise
            if on_wait is not None:
                on_wait()
            lock.acquire(timeout=wait)
    except Timeout as exc:
        raise RunInProgress(
            f"en annan körning skriver till {database} (låsfilen {lock.lock_file}); "
            "försök igen när den är klar"
        ) from exc
    try:
        yield
    finally:
        lock.release()

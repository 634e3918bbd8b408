"""Source health: is a source still giving what it used to? Pure rules, applied by the store.

A source is failing from its first failed run, and unhealthy when it failed `unhealthy_after`
runs in a row or returned no items where it used to return some (the usual sign of a page whose
layout changed). The next good run makes it healthy again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Health:
    healthy: bool
    reason: str | None = None


def after_success(previous_count: int | None, count: int, not_modified: bool) -> Health:
    if not_modified or count > 0 or not previous_count:
        return Health(True)
    return Health(
        False,
        f"returned no items where it used to return {previous_count}; "
        "the page layout or address may have changed",
    )


def after_failure(consecutive_failures: int, unhealthy_after: int, error: str) -> Health:
    if consecutive_failures >= unhealthy_after:
        return Health(False, _failed(consecutive_failures, error))
    return Health(True)


@dataclass(frozen=True)
class Status:
    """A source's health as shown to people: ok, failing (its last run failed, fewer than
    `unhealthy_after` in a row) or unhealthy. Read from the stored state, so every view agrees."""

    word: str  # "ok" | "failing" | "unhealthy"
    reason: str | None = None
    failures: int = 0  # failed runs in a row
    error: str | None = None  # the last run's error, when it failed


def status(state: Mapping[str, Any]) -> Status:
    failures = state.get("consecutive_failures") or 0
    error = state.get("last_error") if failures else None
    if not state.get("healthy", 1):
        return Status("unhealthy", state.get("health_reason"), failures, error)
    if failures:
        # Failing from the first failure: "ok" until the third failed run hid it.
        return Status("failing", _failed(failures, error or "unknown error"), failures, error)
    return Status("ok")


def _failed(failures: int, error: str) -> str:
    runs = "run" if failures == 1 else f"{failures} runs in a row"
    return f"failed {runs}: {error}"

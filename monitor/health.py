"""Source health: is a source still giving what it used to? Pure rules, applied by the store.

A source is unhealthy when it failed `unhealthy_after` runs in a row, or when it returned no
items where it used to return some (the usual sign of a page whose layout changed). The next
good run makes it healthy again.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        runs = "run" if consecutive_failures == 1 else f"{consecutive_failures} runs in a row"
        return Health(False, f"failed {runs}: {error}")
    return Health(True)

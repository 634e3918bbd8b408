"""What any source's call dates mean today: the next deadline, and whether a call has closed."""

from __future__ import annotations

from datetime import date

from monitor.models import CallStatus


def next_deadline(deadlines: tuple[date, ...], today: date) -> date | None:
    """The first deadline still ahead, or the last one when all have passed (sorted input)."""
    upcoming = [d for d in deadlines if d >= today]
    if upcoming:
        return upcoming[0]
    return deadlines[-1] if deadlines else None


def effective_status(
    reported: CallStatus | None, deadlines: tuple[date, ...], today: date
) -> CallStatus | None:
    """The reported status, except that a call whose every deadline has passed is closed."""
    if reported not in (None, "closed") and deadlines and deadlines[-1] < today:
        return "closed"
    return reported

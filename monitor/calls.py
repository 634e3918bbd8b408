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
    reported: CallStatus | None,
    deadlines: tuple[date, ...],
    today: date,
    opening: date | None = None,
) -> CallStatus | None:
    """The reported status as of today: a call whose every deadline has passed is closed.

    `opening` is given only for a status read once from a page that is not read again: such a
    forthcoming call is open once its opening date has come. (The portal's own status is fresh
    on every run and wins over its start dates.)"""
    if reported not in (None, "closed") and deadlines and deadlines[-1] < today:
        return "closed"
    if reported == "forthcoming" and opening is not None and opening <= today:
        return "open"
    return reported

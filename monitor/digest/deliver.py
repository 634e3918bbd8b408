"""Deliver the weekly digest through every chosen notifier exactly once: the one ledger that
records a digest, resumes one cut short and marks it sent, for all notifiers alike.

A new digest is built once (one neutral document), rendered by each notifier and recorded with
every notifier's messages before the first is sent. Each notifier then sends its missing
messages in order, each marked as it is sent; a notifier that fails stops there and the others
go on, so the next send resumes each notifier where it stopped and sends nothing twice.
Shared by `monitor digest --send` and `monitor serve`.

`print_or_send` is the one place that decides between printing the digest and sending it
(`monitor run`, `monitor digest` and `monitor serve` all use it).

Each group ([[groups]]) has its own digest, ledger and notifiers: `deliver` and
`print_or_send` do one group, the one of the config they are given (`Config.for_group`), and
`each_group` does them all in turn, one group's failure not stopping the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from monitor.clock import Clock
from monitor.config import Config
from monitor.digest.build import Built, build_digest
from monitor.errors import MonitorError, NotifyError
from monitor.notify import previews, registry
from monitor.notify.base import AnswerLost, Notifier, TargetRefused
from monitor.notify.i18n import Words
from monitor.notify.retry import RetryPolicy
from monitor.store import Store
from monitor.store.digests import (
    NotifierState,
    Recorded,
    StoredDigest,
    clear_in_flight,
    mark_in_flight,
    mark_notifier_done,
    mark_posted,
    record_digest,
    skipped_receipt,
    uncertain_receipt,
    unsent_digest,
)

Show = Callable[[str], None]

# Said on the terminal when a send finds nothing the earlier digests have not announced.
# Kept here, not in notify/i18n.py: it is the command's answer, never part of a digest.
NOTHING_NEW = {
    "sv": "Inget nytt sedan {start}: ingenting skickades.",
    "en": "Nothing new since {start}: nothing was sent.",
}
# Said once, when a webhook's message is marked uncertain (sent, its answer lost).
UNCERTAIN = {
    "sv": "Varning: meddelande {n} av {of} till {label} (sammanfattningen {ends}) kan ha kommit "
    "fram men svaret kom aldrig ({why}); kontrollera kanalen; `monitor digest --resend {ref}` "
    "skickar det igen.",
    "en": "Warning: message {n} of {of} to {label} (the digest of {ends}) may have arrived but "
    "its answer never came ({why}); check the channel; `monitor digest --resend {ref}` sends it "
    "again.",
}
# Said when a notifier a half-sent digest waits for lacks its secret now (forgotten, not taken
# out): nothing of the digest is given up, and the next send with the secret finishes it.
WAITING = {
    "sv": "{label} väntar på {variable}, som inte är satt: {left} av {of} meddelanden i "
    "sammanfattningen {ends} har inte skickats dit, och nästa sammanfattning väntar på dem. "
    "Sätt {variable} och kör `monitor digest --send` igen, eller skriv [notify] send utan "
    "{name} för att ge upp dem.",
    "en": "{label} is waiting for {variable}, which is not set: {left} of {of} messages of the "
    "digest of {ends} have not been sent there, and the next digest waits for them. Set "
    "{variable} and run `monitor digest --send` again, or write [notify] send without {name} "
    "to give them up.",
}


@dataclass
class Delivery:
    ok: bool
    lines: list[str] = field(default_factory=list)  # what to tell the user, in order
    notes: list[str] = field(default_factory=list)  # said on the side (stderr)


@dataclass
class GroupDelivery:
    """What happened to one group's digest; `heading` names the group ("" without
    [[groups]], where the output is as before groups)."""

    group: str
    heading: str
    delivery: Delivery


def heading(config: Config) -> str:
    """ "Linköpings kommun (linkoping)" for a config with [[groups]], "" without."""
    name = next((g.name for g in config.groups if g.id == config.group), None)
    return f"{name} ({config.group})" if name is not None else ""


def each_group(
    config: Config, act: Callable[[Config], Delivery], groups: Sequence[str] = ()
) -> list[GroupDelivery]:
    """`act` for each of `groups` (every group when empty), one after another, each with the
    config as that group sees it. With [[groups]], an error in one group (a config or rules
    problem of its own) is that group's failed delivery and the next group still gets its
    digest; without them, errors are raised as they always were."""
    done = []
    for group in groups or config.group_ids:
        seen = config.for_group(group)
        if not config.groups:
            done.append(GroupDelivery(group, "", act(seen)))
            continue
        try:
            delivery = act(seen)
        except MonitorError as exc:
            delivery = Delivery(ok=False, notes=[f"Error: {exc}"])
        done.append(GroupDelivery(group, heading(seen), delivery))
    return done


def chosen_notifiers(config: Config) -> list[str]:
    """`[notify] send`, else every notifier that is set up (the console only when named)."""
    if config.notify.send is not None:
        return list(dict.fromkeys(config.notify.send))
    return [
        name
        for name in registry.NOTIFIER_NAMES
        if name != "console" and registry.kind(name).configured(config)
    ]


def sends_somewhere(config: Config) -> bool:
    """Whether a send would reach anyone (a digest only printed is not sent)."""
    return any(name != "console" for name in chosen_notifiers(config))


def deliver(
    config: Config,
    store: Store,
    clock: Clock,
    since: date | None = None,
    retry: RetryPolicy | None = None,
    *,
    to: Sequence[str] = (),
    show: Show | None = None,
) -> Delivery:
    """Send the digest of `config.group` through `to`, or every chosen notifier
    (`chosen_notifiers`).

    A new digest is recorded for every chosen notifier and those in `to`, so that sending to
    one (`--to email`) leaves the others theirs for the next send rather than losing the week
    for them. `retry`: how failed requests are retried (`notify.retry.USUAL` when None);
    `show` prints for the console notifier.
    """
    delivery = Delivery(ok=True)
    now_to = list(dict.fromkeys(to))
    kept_for = list(dict.fromkeys([*chosen_notifiers(config), *now_to]))
    if not kept_for:
        delivery.ok = False
        pending = unsent_digest(store.db, group=config.group)
        if pending is not None:  # one waits for a secret: say that, not "set one up"
            delivery.notes += [
                note
                for state in pending.pending()
                if (note := _waiting(config, pending, state, config.settings.language))
            ]
            if delivery.notes:
                return delivery
        delivery.notes.append("Error: no notifier is set up; set up one of them:")
        delivery.notes += [
            f"  {registry.label(name)}: {registry.kind(name).setup_hint(config)}"
            for name in registry.NOTIFIER_NAMES
            if name != "console"
        ]
        return delivery
    unready = [name for name in kept_for if not registry.kind(name).configured(config)]
    if unready:  # nothing is recorded: a digest must not wait for a notifier that cannot send
        delivery.ok = False
        for name in unready:
            hint = registry.kind(name).setup_hint(config)
            delivery.notes.append(f"Error: {registry.label(name)} is not set up: {hint}.")
        return delivery
    words = Words(config.settings.language)
    try:
        notifiers = {name: registry.kind(name).make(config, words, retry) for name in kept_for}
    except NotifyError as exc:
        return Delivery(ok=False, notes=[f"Error: {exc}"])
    sending = now_to or kept_for
    group = config.group
    pending = unsent_digest(store.db, group=group)
    if pending is not None:
        _resume(store, clock, config, pending, notifiers, sending, delivery, words.language)
        if not delivery.ok or unsent_digest(store.db, group=group) is not None:
            return delivery
        # Finished: what came after it is the next digest, sent now rather than a week late.
    built = build_digest(config, store, clock, since=since)
    if built.digest.is_empty:
        start = words.day(built.digest.local(built.digest.period_start).date())
        delivery.lines.append(NOTHING_NEW[words.language].format(start=start))
        return delivery
    for name in sending:
        notifier = notifiers[name]
        if not notifier.records:  # the console: printed, never recorded
            for message in notifier.render(built.document):
                if show is not None:
                    show(message.text)
                else:
                    notifier.send(message, None)
    recording = {name: n for name, n in notifiers.items() if n.records}
    if not recording:
        return delivery
    _record(store, clock, built, recording, config.settings.language, group)
    pending = unsent_digest(store.db, group=group)
    assert pending is not None, "the digest was just recorded"
    for name, notifier in recording.items():
        if name in sending:
            _send(store, clock, pending, notifier, delivery, words.language)
        else:
            delivery.notes.append(_left_for_later(name, len(pending.of(name)), pending))
    return delivery


def _record(
    store: Store,
    clock: Clock,
    built: Built,
    notifiers: dict[str, Notifier],
    language: str,
    group: str,
) -> None:
    digest = built.digest
    record_digest(
        store.db,
        clock.now(),
        period_start=digest.period_start,
        period_end=digest.period_end,
        language=language,
        notifiers=[
            Recorded(name, n.mode, n.render(built.document)) for name, n in notifiers.items()
        ],
        item_ids=digest.item_ids(),
        deadlines=digest.deadlines(),
        group=group,
    )


def _resume(
    store: Store,
    clock: Clock,
    config: Config,
    pending: StoredDigest,
    notifiers: dict[str, Notifier],
    sending: list[str],
    delivery: Delivery,
    language: str,
) -> None:
    """Finish the digest that was cut short, notifier by notifier, before any new one.

    `notifiers` are those chosen now. One the digest was recorded for that is not among them
    nor named with --to is given up when it was taken out of the configuration (left out of
    [notify] send, or its table gone), since waiting for it would hold back every digest after
    this one; one that only lacks its secret now (`NotifierKind.waits_for`) keeps its messages
    and the digest waits for it, said once.
    """
    ends = pending.period_end[:10]
    waiting = {state.name for state in pending.pending()}
    for state in pending.notifiers:
        name = state.name
        label, left = registry.label(name), len(pending.missing(name))
        if name not in waiting:
            if name in sending:
                delivery.lines.append(f"{label} already has the whole digest of {ends}.")
        elif name in sending:
            delivery.notes.append(
                f"Resuming the digest of {ends} for {label}: "
                f"{left} of {len(pending.of(name))} messages still to send."
            )
            _send(store, clock, pending, notifiers[name], delivery, language, resuming=True)
        elif name in notifiers:
            delivery.notes.append(_left_for_later(name, left, pending))
        elif note := _waiting(config, pending, state, language):
            delivery.ok = False
            delivery.notes.append(note)
        else:
            mark_notifier_done(store.db, pending.id, name, clock.now(), dropped=True)
            why = (
                "no longer in [notify] send"
                if config.notify.send is not None
                else "no longer set up in sources.toml"
            )
            delivery.notes.append(
                f"{label} is {why}: the {left} messages of the digest "
                f"of {ends} it still had are not sent."
            )
    recorded = {state.name for state in pending.notifiers}
    for name in sending:
        if name not in recorded and notifiers[name].records:
            delivery.notes.append(
                f"{registry.label(name)} was not set up when the digest of {ends} was made: "
                "it gets the next digest."
            )


def _waiting(config: Config, pending: StoredDigest, state: NotifierState, language: str) -> str:
    """What to say of a notifier the digest waits for, lacking its secret now ("" if it was
    taken out instead)."""
    variable = _waits_for(config, state.name, state.mode)
    if variable is None:
        return ""
    return WAITING[language].format(
        label=registry.label(state.name),
        name=state.name,
        variable=variable,
        left=len(pending.missing(state.name)),
        of=len(pending.of(state.name)),
        ends=pending.period_end[:10],
    )


def _waits_for(config: Config, name: str, mode: str) -> str | None:
    """The secret a recorded notifier that is not chosen now waits for; None when it was taken
    out ([notify] send leaves it out, or nothing but its missing table set it up)."""
    if config.notify.send is not None:  # it would be chosen, or refused as not set up, if named
        return None
    return registry.kind(name).waits_for(config, mode)


def _left_for_later(name: str, left: int, digest: StoredDigest) -> str:
    return (
        f"{registry.label(name)} still has {left} messages of the digest of "
        f"{digest.period_end[:10]} to send: `monitor digest --send` sends them."
    )


def _send(
    store: Store,
    clock: Clock,
    digest: StoredDigest,
    notifier: Notifier,
    delivery: Delivery,
    language: str,
    *,
    resuming: bool = False,
) -> None:
    """Send the notifier's messages not yet sent, in order; mark each at once.

    On resuming, the first message not marked may have arrived before the send was cut short
    (killed between the notifier's accept and its answer): the notifier is asked first
    (`find`) and what it finds is marked, not sent again. A destination that refuses for good
    (`TargetRefused`: a Slack area channel) has its messages skipped, said once, and the others
    go on. Each message is marked in flight before it is sent: one whose answer was lost
    (`AnswerLost`), or found in flight on resuming, from a notifier that cannot look it up and
    does not resend (a webhook), is marked uncertain and said once, never sent blind again.
    """
    name = notifier.name
    mine = digest.of(name)
    receipts = {m.message.key: m.receipt for m in mine if m.receipt}
    # destinations that refused for good (from an earlier send, too): their messages are skipped
    refused = {m.message.target: str(m.receipt) for m in mine if m.skipped}
    sent = skipped = uncertain = 0
    look_first = resuming
    for n, stored in enumerate(mine, 1):
        if stored.receipt is not None:
            continue
        message = stored.message
        if message.target in refused:
            mark_posted(store.db, stored.id, refused[message.target], clock.now())
            skipped += 1
            continue
        reply_to = receipts.get(message.parent) if message.parent else None
        try:
            if message.parent and reply_to is None:
                raise NotifyError(f"message {message.key} has no parent message to reply to")
            found = notifier.find(message, reply_to) if look_first or stored.in_flight else None
            if found is None and stored.in_flight and not notifier.resends_lost:
                raise AnswerLost("the send was cut short before its answer was kept", "cut-short")
            if found is None:
                mark_in_flight(store.db, stored.id, clock.now())
            receipt = found if found is not None else notifier.send(message, reply_to)
        except TargetRefused as exc:
            refused[message.target] = skipped_receipt(exc.error)
            mark_posted(store.db, stored.id, refused[message.target], clock.now())
            skipped += 1
            delivery.notes.append(
                f"Warning ({registry.label(name)}): skipped {message.target}, which refused its "
                f"copy of the digest: {exc}. The other channels get theirs; {message.target} "
                "gets the next digest once that is fixed."
            )
            continue
        except AnswerLost as exc:
            # only a notifier without threads (a webhook) raises it: its replies stand alone
            receipts[message.key] = uncertain_receipt(exc.why)
            mark_posted(store.db, stored.id, receipts[message.key], clock.now())
            uncertain += 1
            delivery.notes.append(
                UNCERTAIN[language].format(
                    n=n,
                    of=len(mine),
                    label=registry.label(name),
                    ends=digest.period_end[:10],
                    why=exc.why,
                    ref=f"{digest.id}/{name}/{n}",
                )
            )
            continue
        except NotifyError as exc:
            clear_in_flight(store.db, stored.id)
            done = len(receipts)
            delivery.ok = False
            delivery.notes.append(
                f"Error ({registry.label(name)}): sent {done} of {len(mine)} messages; {exc}. "
                "Run `monitor digest --send` again to send the rest."
            )
            return  # later messages may reply to this one: keep the order
        look_first = False
        mark_posted(store.db, stored.id, receipt, clock.now())
        receipts[message.key] = receipt
        if found is not None:
            delivery.notes.append(
                f"{registry.label(name)} already had message {message.key} of the digest: "
                "kept its receipt, not sent again."
            )
        else:
            sent += 1
    mark_notifier_done(store.db, digest.id, name, clock.now(), dropped=False)
    what = f"{sent} {'message' if sent == 1 else 'messages'}"
    if skipped:
        what += f" ({skipped} skipped)"
    if uncertain:
        what += f" ({uncertain} uncertain: see the warning)"
    if sent + skipped + uncertain == len(mine):
        delivery.lines.append(f"Sent the digest to {registry.label(name)}: {what}.")
    else:
        delivery.lines.append(
            f"Sent the rest of the digest to {registry.label(name)}: {what} ({len(mine)} in all)."
        )


def print_or_send(
    config: Config,
    store: Store,
    clock: Clock,
    show: Show,
    *,
    send: bool,
    fmt: str = "text",
    since: date | None = None,
) -> Delivery:
    """Send the digest when asked to and a notifier is set up; else give it, rendered, to `show`.

    A send asked for with none set up prints instead and says so in the notes (what `monitor
    serve` does: the digest then shows in the service's log). A printed digest is not recorded,
    so the next one still covers the same period.
    """
    if send and sends_somewhere(config):
        return deliver(config, store, clock, since, show=show)
    built = build_digest(config, store, clock, since=since)
    words = Words(config.settings.language)
    show(previews.render(built.document, fmt, config, words))
    said = "No notifier (Slack, Teams, e-mail) is set up: the digest was printed, not sent"
    notes = [said] if send else []
    return Delivery(ok=True, notes=notes)

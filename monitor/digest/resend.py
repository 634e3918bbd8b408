"""`monitor digest --resend 12/teams/2`: send again a message the ledger marked uncertain.

A webhook's message whose answer was lost may have arrived, and nothing can be asked: the ledger
marks it `uncertain:` and says so once (digest/deliver.py), never posting it blind. The admin
who finds it missing from the channel sends it again here, by the reference that warning gave:
the digest's id, the notifier and the message's number among its messages. Only an uncertain
message is resent; its new receipt replaces the mark.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.clock import Clock
from monitor.config import Config
from monitor.digest.deliver import Delivery
from monitor.errors import NotifyError
from monitor.notify import registry
from monitor.notify.base import AnswerLost
from monitor.notify.i18n import Words
from monitor.notify.retry import RetryPolicy
from monitor.store import Store
from monitor.store.digests import (
    StoredDigest,
    StoredMessage,
    digest_by_id,
    mark_posted,
    uncertain_receipt,
)

FORM = "DIGEST/NOTIFIER/N, as the warning says (e.g. 12/teams/2)"


def resend(
    config: Config,
    store: Store,
    clock: Clock,
    refs: Sequence[str],
    retry: RetryPolicy | None = None,
) -> Delivery:
    """Send each referenced uncertain message once more, in the order given."""
    delivery = Delivery(ok=True)
    for ref in refs:
        try:
            digest, name, n, stored = _part(store, ref)
            # the notifier as the digest's group has it: its channel, webhook, recipients
            seen = config.for_group(digest.group) if config.groups else config
            notifier = registry.kind(name).make(seen, Words(seen.settings.language), retry)
            messages = digest.of(name)
            parent = next((m for m in messages if m.message.key == stored.message.parent), None)
            reply_to = parent.receipt if parent is not None else None
            receipt = notifier.send(stored.message, reply_to)
        except AnswerLost as exc:
            mark_posted(store.db, stored.id, uncertain_receipt(exc.why), clock.now())
            delivery.ok = False
            delivery.notes.append(f"Error: {ref}: {exc}; check the channel again.")
            continue
        except NotifyError as exc:
            delivery.ok = False
            delivery.notes.append(f"Error: {ref}: {exc}.")
            continue
        mark_posted(store.db, stored.id, receipt, clock.now())
        delivery.lines.append(
            f"Sent message {n} of {len(messages)} of the digest of {digest.period_end[:10]} "
            f"to {registry.label(name)} again."
        )
    return delivery


def _part(store: Store, ref: str) -> tuple[StoredDigest, str, int, StoredMessage]:
    """The digest, notifier, number and message `ref` names; NotifyError if it names none that
    is uncertain."""
    digest_id, _, rest = ref.partition("/")
    name, _, number = rest.partition("/")
    if not (digest_id.isdigit() and number.isdigit() and name in registry.NOTIFIER_NAMES):
        raise NotifyError(f"not a message reference: write it as {FORM}")
    digest = digest_by_id(store.db, int(digest_id))
    if digest is None:
        raise NotifyError(f"there is no digest {digest_id}: copy the reference from the warning")
    messages = digest.of(name)
    n = int(number)
    if not 1 <= n <= len(messages):
        raise NotifyError(
            f"the digest {digest_id} has {len(messages)} messages to {registry.label(name)}, "
            f"not a message {n}"
        )
    stored = messages[n - 1]
    if not stored.uncertain:
        state = "is not sent yet" if stored.receipt is None else f"was sent ({stored.receipt})"
        raise NotifyError(
            f"message {n} to {registry.label(name)} {state}, not uncertain: only a message "
            "whose answer was lost is resent (`monitor digest --send` sends what is left)"
        )
    return digest, name, n, stored

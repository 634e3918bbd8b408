"""What every notifier is: it renders the neutral digest document into messages, and sends one
message at a time. Recording, resuming and marking sent are not a notifier's business: the one
ledger (`digest/deliver.py`, `store/digests.py`) does that for all of them, so that each
notifier's messages are sent exactly once and a half-sent digest resumes where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from monitor.errors import NotifyError

if TYPE_CHECKING:  # the store keeps Messages: it need not load config or slack-sdk for that
    from monitor.config import Config
    from monitor.digest.document import DigestDocument
    from monitor.notify.i18n import Words
    from monitor.notify.retry import RetryPolicy


@dataclass(frozen=True)
class Message:
    """One message as it will be sent, recorded before the first is sent so that a rerun sends
    the very same messages."""

    key: str  # unique among one notifier's messages of a digest: "top", "area:klimat:1", "mail"
    text: str  # plain text: Slack's notification fallback, a Teams card's summary
    payload: dict[str, Any] = field(default_factory=dict)  # JSON: what the transport sends
    parent: str | None = None  # the key of the message this one replies to (Slack's threads)
    target: str = ""  # a Slack channel; "" for a notifier with one destination
    # Names this message of this digest wherever it went ("12@2026-08-24T07:00:00+00:00/top"):
    # set by the ledger when it reads a recorded digest, never part of the payload sent.
    ref: str = ""


class TargetRefused(NotifyError):
    """A destination other than the notifier's main one refused a message for good (a Slack
    area channel the bot is not in): the ledger skips that destination's messages and goes on."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


class AnswerLost(NotifyError):
    """The message was sent but its answer never came (the connection dropped after the
    request, a timeout waiting for the answer): it may have arrived. A notifier that cannot
    look it up raises this instead of sending it again; the ledger marks it uncertain."""

    def __init__(self, message: str, why: str = "answer-lost") -> None:
        super().__init__(message)
        self.why = why  # a word for the ledger's receipt: "ReadTimeout", "cut-short"


class Notifier(Protocol):
    name: str  # as in [notify] send and --to: "slack", "teams", "email", "console"
    mode: str  # how it sends, recorded with the digest: "bot", "webhook", "smtp", ...
    records: bool  # False for the console: a printed digest is not recorded as sent
    # What a rerun does with a message sent but never answered (a kill before its receipt was
    # kept): True, send it again (after `find`; e-mail's copy keeps its Message-ID); False, a
    # webhook that cannot tell: the ledger marks it uncertain and says so, never sends blind.
    resends_lost: bool

    def render(self, document: DigestDocument) -> list[Message]:
        """The digest as this notifier's messages, in the order they are sent."""
        ...

    def send(self, message: Message, reply_to: str | None) -> str:
        """Send one message; return its receipt (a Slack ts, a Message-ID), which replies to it
        are handed as `reply_to`. Raise NotifyError with what failed and what to do
        (TargetRefused when only that message's destination refuses it, AnswerLost when it
        may have arrived and `resends_lost` is False)."""
        ...

    def find(self, message: Message, reply_to: str | None) -> str | None:
        """The receipt of `message` if it already arrived (its answer was lost, or the send was
        killed before the receipt was kept); None if it did not or the notifier cannot tell."""
        ...


class NotifierKind(Protocol):
    """What a notifier module offers the registry (`notify/registry.py`)."""

    def configured(self, config: Config) -> bool:
        """Whether the config and environment hold what the notifier needs."""
        ...

    def setup_hint(self, config: Config) -> str:
        """What to set for it, in plain words ("set TEAMS_WEBHOOK_URL")."""
        ...

    def waits_for(self, config: Config, mode: str) -> str | None:
        """The environment variable a notifier not set up now lacks, when it is set up by its
        secret alone (Slack, Teams: forgetting the secret is not taking it out, so a digest
        recorded for it in `mode` waits); None when only the file sets it up (e-mail: its
        table gone is the notifier taken out)."""
        ...

    def make(self, config: Config, words: Words, retry: RetryPolicy | None) -> Notifier:
        """The notifier; `retry` is how failed requests are retried (the usual policy if None)."""
        ...

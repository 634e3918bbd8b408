"""The console notifier: the digest printed as plain text (a service's log, a terminal), never
recorded, so the next digest still covers the same period."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.notify.base import Message
from monitor.notify.plain_text import as_text

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.digest.document import DigestDocument
    from monitor.notify.i18n import Words
    from monitor.notify.retry import RetryPolicy


class ConsoleNotifier:
    name = "console"
    mode = "print"
    records = False
    resends_lost = True  # nothing is recorded, so nothing is resumed

    def render(self, document: DigestDocument) -> list[Message]:
        return [Message("text", as_text(document))]

    def find(self, message: Message, reply_to: str | None) -> str | None:
        return None

    def send(self, message: Message, reply_to: str | None) -> str:
        print(message.text, end="")
        return "printed"


class _Kind:
    def configured(self, config: Config) -> bool:
        return True

    def setup_hint(self, config: Config) -> str:
        return "nothing to set"

    def waits_for(self, config: Config, mode: str) -> str | None:
        return None  # never recorded

    def make(self, config: Config, words: Words, retry: RetryPolicy | None) -> ConsoleNotifier:
        return ConsoleNotifier()


KIND = _Kind()

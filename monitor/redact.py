"""Secrets out of every log line: the notifiers' tokens, webhook addresses and the SMTP password
are masked in what any logger prints (slack-sdk and httpx log request URLs: a Slack webhook's
path and a Teams webhook's `sig` are secrets), and in the tracebacks `-v` shows.

Masked are the secret values themselves (handed in by the caller: `config.secret_values` reads
them from the environment) and what looks like one whatever its value: Slack tokens
(`xoxb-…`, `xapp-…`), Slack webhook paths and a URL's `sig=` parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

MASK = "***"
_PATTERNS = (
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]+"), "xox?-" + MASK),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), "xapp-" + MASK),
    (re.compile(r"(hooks\.slack\.com/(?:services|workflows)/)[^\s\"'<>]+"), r"\1" + MASK),
    (re.compile(r"([?&;]sig=)[^&\s\"'<>]+", re.IGNORECASE), r"\1" + MASK),
)
_SHORTEST = 4  # a secret shorter than this would mask ordinary words


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a webhook URL is masked whole before a part of it could be.
        self.secrets = sorted({s for s in secrets if len(s) >= _SHORTEST}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


class RedactingFilter:
    """Masks a record's message, arguments and exception text before any handler prints it.

    A handler takes any object with a `filter` method; not a `logging.Filter`, so that the
    commands that only mask an error message (a failed `show`) need not import logging."""

    def __init__(self, redactor: Redactor) -> None:
        self.redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        import logging

        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install(redactor: Redactor) -> None:
    """On every handler of the root logger, where every logger's records end up (a filter on a
    logger would not see its children's records). Installed again (a command run twice in one
    process), the secrets of now replace those of before."""
    import logging

    for handler in logging.getLogger().handlers:
        mine = [f for f in handler.filters if isinstance(f, RedactingFilter)]
        for found in mine:
            found.redact = redactor
        if not mine:
            handler.addFilter(RedactingFilter(redactor))

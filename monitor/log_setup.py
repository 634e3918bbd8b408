"""Where the log goes for a command: the user sees our own plain lines, not the libraries'.

Without -v a command's stderr gets only the project's warnings and errors, each as one line
("varning: databasen … används av ett annat program; …"), without a logger's name or a
traceback: the plain message that says what is wrong. Libraries' records (slack-sdk logs
"Failed to send a request to Slack API server" on every retry) stay out; what they report
comes back to us as an exception, which we say in our own words. With -v (and in `monitor
serve`, whose log is a service's journal) every record comes with its level and logger."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

DETAILED = "%(levelname)s %(name)s: %(message)s"
PREFIX = {logging.WARNING: "varning: ", logging.ERROR: "fel: ", logging.CRITICAL: "fel: "}


class _CurrentStderr(logging.StreamHandler):
    """stderr as it is when a record is written (a test's runner swaps it per command)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._fixed = stream

    @property
    def stream(self) -> TextIO:
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        self._fixed = value


class _Ours(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == "monitor" or record.name.startswith("monitor.")


class _Plain(logging.Formatter):
    """The message alone after a Swedish word for its level; no traceback (that is -v's)."""

    def format(self, record: logging.LogRecord) -> str:
        return PREFIX.get(record.levelno, "") + record.getMessage()


def handler(detailed: bool, stream: TextIO | None = None) -> logging.Handler:
    made = _CurrentStderr(stream)
    if detailed:
        made.setFormatter(logging.Formatter(DETAILED))
    else:
        made.addFilter(_Ours())
        made.setFormatter(_Plain())
    return made


def set_up_logging(verbose: bool, detailed: bool = False) -> None:
    """The root logger's one handler, as `handler` makes it (detailed with -v or `detailed`).
    A program that set up logging itself (a test run, an embedding service) keeps its own
    handlers, as with basicConfig."""
    root = logging.getLogger()
    if any(not isinstance(h, _CurrentStderr) for h in root.handlers):
        return
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(verbose or detailed))
    root.setLevel(logging.INFO if verbose else logging.WARNING)

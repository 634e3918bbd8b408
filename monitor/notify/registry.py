"""The table of notifiers: the name in `[notify] send` and `--to` -> the module that implements
it. Adding a notifier is one module plus one line here: the module defines `KIND`, a
`NotifierKind` (notify/base.py). Modules are imported on first use, so config can read the
names without importing slack-sdk or smtplib.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from monitor.notify.base import NotifierKind


@dataclass(frozen=True)
class NotifierEntry:
    module: str  # where `KIND` lives
    label: str  # its name in what the commands say: "Slack", "Teams", "e-mail"
    purpose: str  # what it is for, in a few words


_TABLE: dict[str, NotifierEntry] = {
    "slack": NotifierEntry(
        "monitor.notify.slack", "Slack", "Slack: a bot token with threads, or a webhook"
    ),
    "teams": NotifierEntry("monitor.notify.teams", "Teams", "Microsoft Teams: a Workflows webhook"),
    "email": NotifierEntry("monitor.notify.email", "e-mail", "e-mail through an SMTP server"),
    "console": NotifierEntry(
        "monitor.notify.console", "the console", "printed on the terminal, not recorded"
    ),
}

NOTIFIER_NAMES: tuple[str, ...] = tuple(_TABLE)


def kind(name: str) -> NotifierKind:
    return cast("NotifierKind", importlib.import_module(_TABLE[name].module).KIND)


def label(name: str) -> str:
    return _TABLE[name].label


def purpose(name: str) -> str:
    return _TABLE[name].purpose

"""Domain errors, raised deep in the pipeline and turned into one line by the CLI.

MonitorError
 ├── ConfigError    sources.toml is broken (file, line, source id, key)
 ├── RuleError      a rule file is broken (file, line, area, key)
 ├── StoreError     the SQLite file cannot be opened or migrated
 ├── FetchError     one source could not be fetched or parsed (source id, HTTP status)
 └── NotifyError    Slack or another notifier refused a message
"""

from __future__ import annotations

from pathlib import Path


class MonitorError(Exception):
    """Base of every error a user can be shown as one line."""


class _LocatedError(MonitorError):
    """An error about a place in a file: `file, rad N: [where] message` (Swedish: said before
    the configured language is known, when the config itself is the error)."""

    def __init__(
        self,
        message: str,
        *,
        file: Path | str | None = None,
        line: int | None = None,
        where: str | None = None,
    ) -> None:
        self.message = message
        self.file = Path(file) if file is not None else None
        self.line = line
        self.where = where
        super().__init__(str(self))

    def __str__(self) -> str:
        place = ""
        if self.file is not None:
            place = str(self.file)
            if self.line is not None:
                place += f", rad {self.line}"
            place += ": "
        where = f"{self.where}: " if self.where else ""
        return f"{place}{where}{self.message}"


class ConfigError(_LocatedError):
    """sources.toml cannot be read or is invalid."""


class RuleError(_LocatedError):
    """A rule file under rules/ cannot be read or is invalid."""


class StoreError(MonitorError):
    """The database cannot be opened, migrated or written."""


class FetchError(MonitorError):
    """One source failed; the run goes on with the others."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class NotifyError(MonitorError):
    """A notifier (Slack) could not deliver a message."""

"""What every command shares: the config, the store and the clock, each made when first asked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.clock import Clock
from monitor.config import (
    Config,
    clock_from_environment,
    load_config,
    resolve_config_path,
    resolve_database_override,
    resolve_group,
    secret_values,
)

if TYPE_CHECKING:
    from monitor.store import Store
    from monitor.store.reader import Queryable

# `monitor run` and `monitor sources check`: some sources failed, the others did their work.
EXIT_SOURCES_FAILED = 3


@dataclass
class App:
    """What every command needs, loaded only when a command asks for it."""

    config_option: str | None
    db_option: str | None
    verbose: bool
    _config: Config | None = None
    _settings: Config | None = None
    _store: Store | None = None
    _reader: Store | None = None
    _read_db: Queryable | None = None
    _clock: Clock | None = None
    _logging: bool = False

    def set_up_logging(self, detailed: bool = False) -> None:
        """The log on stderr, every record's secrets masked; once. Every command but the
        officials' questions does this first (cli/group.py); those, only when they open the
        store, whose writes may log (waiting for another program's lock). Without -v only our
        own plain lines (log_setup.py); `detailed` (serve's journal) as with -v."""
        if self._logging:
            return
        from monitor.log_setup import set_up_logging
        from monitor.redact import Redactor, install

        set_up_logging(self.verbose, detailed=detailed)
        install(Redactor(secret_values()))  # libraries' loggers too: slack-sdk and httpx log URLs
        self._logging = True

    @property
    def clock(self) -> Clock:
        """The one clock every command passes down (pinned by MONITOR_TODAY)."""
        if self._clock is None:
            self._clock = clock_from_environment()
        return self._clock

    @property
    def config(self) -> Config:
        """The whole config, sources validated (they load their kinds' parsers)."""
        if self._config is None:
            self._config = self._load(with_sources=True)
        return self._config

    @property
    def settings_config(self) -> Config:
        """The config without its sources: enough for commands that only read the database."""
        if self._config is not None:
            return self._config
        if self._settings is None:
            self._settings = self._load(with_sources=False)
        return self._settings

    def _load(self, *, with_sources: bool) -> Config:
        path = resolve_config_path(self.config_option)
        if path is None and self._settings is None:  # say it once
            # said before any config is read: in the default language
            from monitor.cli.words import words

            click.echo(words("sv")["no_config"].format(folder=Path.cwd()), err=True)
        override = resolve_database_override(self.db_option)
        if not with_sources:  # the kinds' table only for reading [[sources]]
            return load_config(path, override, kinds=None, with_sources=False)
        from monitor.sources.kinds import KINDS

        return load_config(path, override, kinds=KINDS)

    def group(self, option: str | None) -> str:
        """The group this command is for (--group, MONITOR_GROUP, or the only one)."""
        return resolve_group(option, self.settings_config)

    @property
    def store(self) -> Store:
        if self._store is None:
            from monitor.store import open_store  # sqlite-utils only for commands that need it

            self.set_up_logging()
            self._store = open_store(self.settings_config.settings.database)
        return self._store

    @property
    def reader(self) -> Store:
        """The store for commands that write nothing: read-only when the database allows it
        (see open_store), so a read-only file system does not stop `monitor search`."""
        if self._store is not None:
            return self._store
        if self._reader is None:
            from monitor.store import open_store

            self._require_database()

            self.set_up_logging()
            self._reader = open_store(self.settings_config.settings.database, read_only=True)
        return self._reader

    @property
    def read_db(self) -> Queryable:
        """The database for the questions officials ask (search, show, deadlines, export): a
        plain read-only sqlite3 connection when the database can be read as it is, which keeps
        sqlite-utils out of those commands' start-up; else the reader store's (see open_store:
        a missing or older database is created or migrated first)."""
        if self._store is not None or self._reader is not None:
            return self.reader.db
        if self._read_db is None:
            from monitor.store.reader import open_reader

            self._require_database()
            self._read_db = open_reader(self.settings_config.settings.database)
            if self._read_db is None:
                self._read_db = self.reader.db
        return self._read_db

    def _require_database(self) -> None:
        """A command that only reads stops on a missing database rather than creating an
        empty one: a mistyped --db or the wrong folder would otherwise answer "no hits". (A
        missing folder is the store's own message.)"""
        settings = self.settings_config.settings
        if not settings.database.exists() and settings.database.parent.is_dir():
            from monitor.cli.words import words
            from monitor.errors import StoreError

            said = words(settings.language)["no_database"]
            raise StoreError(said.format(path=settings.database))

    def close(self) -> None:
        """Close the database, if the command opened it (WAL folded back into the file)."""
        for store in (self._store, self._reader):
            if store is not None:
                store.close()
        self._store = self._reader = None


def say_waiting() -> None:
    """Told when a command must wait for the run lock (see monitor.lock)."""
    click.echo("En annan körning pågår; väntar på att den blir klar …", err=True)

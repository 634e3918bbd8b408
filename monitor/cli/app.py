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
)
from monitor.sources.kinds import KINDS

if TYPE_CHECKING:
    from monitor.store import Store

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
    _clock: Clock | None = None

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
            click.echo(
                f"No sources.toml in {Path.cwd()}: using the built-in defaults "
                "(the EU portal only). Give one with --config.",
                err=True,
            )
        override = resolve_database_override(self.db_option)
        return load_config(path, override, kinds=KINDS, with_sources=with_sources)

    def group(self, option: str | None) -> str:
        """The group this command is for (--group, MONITOR_GROUP, or the only one)."""
        return resolve_group(option, self.settings_config)

    @property
    def store(self) -> Store:
        if self._store is None:
            from monitor.store import open_store  # sqlite-utils only for commands that need it

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

            self._reader = open_store(self.settings_config.settings.database, read_only=True)
        return self._reader

    def close(self) -> None:
        """Close the database, if the command opened it (WAL folded back into the file)."""
        for store in (self._store, self._reader):
            if store is not None:
                store.close()
        self._store = self._reader = None


def say_waiting() -> None:
    """Told when a command must wait for the run lock (see monitor.lock)."""
    click.echo("Another run is in progress; waiting for it to finish...", err=True)

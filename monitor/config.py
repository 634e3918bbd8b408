"""Load and validate sources.toml: `[settings]` and `[[sources]]`.

This is the only module that reads environment variables. Every problem becomes a ConfigError
naming the file, the line (TOML gives one for syntax errors; for the rest we find the key's line
in the raw text), the source id and the key.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor import __version__
from monitor.errors import ConfigError
from monitor.models import Politeness
from monitor.options import OptionError, build_options, parse_duration
from monitor.sources import known_kinds, source_kind
from monitor.tomllines import TomlLines

DEFAULT_CONFIG_NAME = "sources.toml"
SOURCE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
COMMON_SOURCE_KEYS = ("id", "kind", "name", "every", "enabled")


@dataclass(frozen=True)
class Settings:
    """`[settings]`: where things live and how politely we fetch. Paths are absolute here."""

    database: Path
    rules: Path
    timezone: str = "Europe/Stockholm"
    user_agent: str = f"EU-bevakning/{__version__} (municipal EU funding monitor)"
    timeout: float = 90.0  # seconds; the portal answers large queries slowly
    retries: int = 3  # extra attempts after a connection error, 429 or 5xx
    concurrency: int = 20  # requests in flight at once, all sources together
    per_host: int = 2  # requests in flight to one host
    host_delay: float = 0.25  # seconds between request starts to one host
    max_bytes: int = 20_000_000  # a larger answer is refused
    unhealthy_after: int = 3  # failed runs in a row before a source is marked unhealthy
    language: str = "sv"  # of the digest: "sv" or "en"


@dataclass(frozen=True)
class SlackTable:
    """`[slack]` in sources.toml."""

    channel: str = ""  # where the digest goes, e.g. "#eu-bevakning"


@dataclass(frozen=True)
class DigestTable:
    """`[digest]` in sources.toml."""

    closing_soon_days: int = 30
    weekday: str = field(
        default="monday",
        metadata={
            "choices": (
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            )
        },
    )
    time: str = "08:00"  # HH:MM in settings.timezone


@dataclass(frozen=True)
class Slack:
    """Where and how to reach Slack: the channel from sources.toml, secrets from the environment.

    Secrets are kept out of repr so that no log or error message can show them.
    """

    channel: str = ""
    token: str | None = field(default=None, repr=False)
    webhook_url: str | None = field(default=None, repr=False)
    api_url: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.token or self.webhook_url)


@dataclass(frozen=True)
class SourceConfig:
    """One `[[sources]]` entry: the common keys plus the kind's own options."""

    id: str
    kind: str
    name: str
    every: timedelta
    enabled: bool
    options: Any
    line: int | None = None


@dataclass(frozen=True)
class Config:
    path: Path | None  # None when the embedded defaults are in use
    settings: Settings
    sources: list[SourceConfig] = field(default_factory=list)
    slack: Slack = field(default_factory=Slack)
    digest: DigestTable = field(default_factory=DigestTable)

    @property
    def politeness(self) -> Politeness:
        s = self.settings
        return Politeness(s.concurrency, s.per_host, s.host_delay, s.max_bytes)

    def source(self, source_id: str) -> SourceConfig:
        for src in self.sources:
            if src.id == source_id:
                return src
        known = ", ".join(s.id for s in self.sources) or "none"
        where = self.path or "the built-in defaults"
        raise ConfigError(f"there is no source with id '{source_id}' in {where} (known: {known})")


_SETTINGS_TYPES: dict[str, type] = {
    "database": str,
    "rules": str,
    "timezone": str,
    "user_agent": str,
    "timeout": float,
    "retries": int,
    "concurrency": int,
    "per_host": int,
    "host_delay": float,
    "max_bytes": int,
    "unhealthy_after": int,
    "language": str,
}
# The smallest sensible value of each number in [settings].
_SETTINGS_MINIMUM = {
    "timeout": 1,
    "retries": 0,
    "concurrency": 1,
    "per_host": 1,
    "host_delay": 0,
    "max_bytes": 1000,
    "unhealthy_after": 1,
}

# The embedded defaults, used when no sources.toml is given or found: the EU portal alone.
EMBEDDED_DEFAULTS = """
[settings]
database = "monitor.db"
rules = "rules"

[[sources]]
id = "eu-portal"
kind = "eu_portal"
name = "EU Funding & Tenders Portal"
every = "6h"
"""


def resolve_config_path(option: str | None, environ: Mapping[str, str] = os.environ) -> Path | None:
    """The config file to read: --config, else MONITOR_CONFIG, else ./sources.toml if present.

    None means "use the embedded defaults". A file named explicitly must exist.
    """
    named = option or environ.get("MONITOR_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"the config file {path} does not exist")
        return path
    default = Path(DEFAULT_CONFIG_NAME)
    return default if default.is_file() else None


def resolve_database_override(
    option: str | None, environ: Mapping[str, str] = os.environ
) -> Path | None:
    """--db, else MONITOR_DB: overrides `settings.database`."""
    named = option or environ.get("MONITOR_DB")
    return Path(named) if named else None


def load_config(
    path: Path | None,
    database: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    *,
    with_sources: bool = True,
) -> Config:
    """Read and validate a config file, or the embedded defaults when `path` is None.

    Slack's secrets come from the environment: SLACK_BOT_TOKEN (chat.postMessage, threads) or
    SLACK_WEBHOOK_URL (an incoming webhook, no threads); SLACK_API_URL overrides the Web API.
    `with_sources=False` leaves [[sources]] unread: commands that only read the database need
    none of the source kinds (and their parsers) loaded, and still work if a source is broken.
    """
    config = _load(path, database, with_sources)
    slack = Slack(
        channel=config.slack.channel,
        token=environ.get("SLACK_BOT_TOKEN") or None,
        webhook_url=environ.get("SLACK_WEBHOOK_URL") or None,
        api_url=environ.get("SLACK_API_URL") or None,
    )
    return dataclasses.replace(config, slack=slack)


def _load(path: Path | None, database: Path | None, with_sources: bool) -> Config:
    if path is None:
        return parse_config(
            EMBEDDED_DEFAULTS,
            None,
            base_dir=Path.cwd(),
            database=database,
            with_sources=with_sources,
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError("the file is not UTF-8 text", file=path) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc.strerror})", file=path) from exc
    return parse_config(
        text, path, base_dir=path.resolve().parent, database=database, with_sources=with_sources
    )


def parse_config(
    text: str,
    path: Path | None,
    *,
    base_dir: Path,
    database: Path | None = None,
    with_sources: bool = True,
) -> Config:
    lines = TomlLines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or lines.line_of_decode_error(str(exc))
        message = getattr(exc, "msg", None) or re.sub(r"\s*\(at line .*\)$", "", str(exc))
        raise ConfigError(f"TOML syntax error: {message}", file=path, line=line) from exc

    def error(message: str, *, line: int | None = None, where: str | None = None) -> ConfigError:
        return ConfigError(message, file=path, line=line, where=where)

    unknown = sorted(set(data) - {"settings", "sources", "slack", "digest"})
    if unknown:
        raise error(
            f"unknown section '{unknown[0]}' (valid sections: settings, sources, slack, digest)",
            line=lines.table_line(unknown[0]),
        )
    settings = _parse_settings(data.get("settings", {}), lines, error, base_dir, database)
    slack_table = _parse_table("slack", SlackTable, data, lines, error)
    digest = _parse_table("digest", DigestTable, data, lines, error)
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", digest.time):
        raise error(
            f"'time' must be HH:MM, e.g. \"08:00\", not {digest.time!r}",
            line=lines.key_line("digest", None, "time"),
            where="[digest]",
        )
    if digest.closing_soon_days < 1:
        raise error(
            "'closing_soon_days' must be at least 1",
            line=lines.key_line("digest", None, "closing_soon_days"),
            where="[digest]",
        )
    raw_sources = data.get("sources", []) if with_sources else []
    if not isinstance(raw_sources, list):
        raise error(
            "'sources' must be a list of [[sources]] tables", line=lines.table_line("sources")
        )
    sources: list[SourceConfig] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_sources):
        src = _parse_source(raw, index, lines, error)
        if src.id in seen:
            raise error(
                f"duplicate source id '{src.id}' (source number {seen[src.id] + 1} has it too)",
                line=lines.key_line("sources", index, "id"),
                where=f"source '{src.id}'",
            )
        seen[src.id] = index
        sources.append(src)
    return Config(
        path=path,
        settings=settings,
        sources=sources,
        slack=Slack(channel=slack_table.channel),
        digest=digest,
    )


def _parse_table(name: str, cls: type, data: dict, lines: TomlLines, error) -> Any:
    raw = data.get(name, {})
    if not isinstance(raw, dict):
        raise error(f"[{name}] must be a table", line=lines.table_line(name))
    try:
        return build_options(cls, raw)
    except OptionError as exc:
        valid = ", ".join(f.name for f in dataclasses.fields(cls))
        message = exc.message.replace("valid keys for this kind", "valid keys")
        if message.startswith("unknown key"):
            message = f"unknown key (valid keys: {valid})"
        raise error(
            f"'{exc.key}': {message}",
            line=lines.key_line(name, None, exc.key or ""),
            where=f"[{name}]",
        ) from exc


def _parse_settings(
    raw, lines: TomlLines, error, base_dir: Path, database: Path | None
) -> Settings:
    if not isinstance(raw, dict):
        raise error("[settings] must be a table", line=lines.table_line("settings"))
    for key, value in raw.items():
        expected = _SETTINGS_TYPES.get(key)
        line = lines.key_line("settings", None, key)
        if expected is None:
            valid = ", ".join(_SETTINGS_TYPES)
            raise error(f"unknown key '{key}' (valid keys: {valid})", line=line, where="[settings]")
        ok = isinstance(value, expected) and not isinstance(value, bool)
        if expected is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok:
            raise error(
                f"'{key}' must be {_type_name(expected)}, not {_type_name(type(value))}",
                line=line,
                where="[settings]",
            )
    timezone = raw.get("timezone", Settings.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise error(
            f"unknown time zone '{timezone}' (use a name such as Europe/Stockholm)",
            line=lines.key_line("settings", None, "timezone"),
            where="[settings]",
        ) from exc
    for key, minimum in _SETTINGS_MINIMUM.items():
        if key in raw and raw[key] < minimum:
            raise error(
                f"'{key}' must be at least {minimum}",
                line=lines.key_line("settings", None, key),
                where="[settings]",
            )
    language = raw.get("language", Settings.language)
    if language not in ("sv", "en"):
        raise error(
            f'\'language\' must be "sv" or "en", not {language!r}',
            line=lines.key_line("settings", None, "language"),
            where="[settings]",
        )
    db_path = database if database is not None else base_dir / raw.get("database", "monitor.db")
    return Settings(
        database=db_path,
        rules=base_dir / raw.get("rules", "rules"),
        timezone=timezone,
        user_agent=raw.get("user_agent", Settings.user_agent),
        timeout=float(raw.get("timeout", Settings.timeout)),
        retries=raw.get("retries", Settings.retries),
        concurrency=raw.get("concurrency", Settings.concurrency),
        per_host=raw.get("per_host", Settings.per_host),
        host_delay=float(raw.get("host_delay", Settings.host_delay)),
        max_bytes=raw.get("max_bytes", Settings.max_bytes),
        unhealthy_after=raw.get("unhealthy_after", Settings.unhealthy_after),
        language=language,
    )


def _parse_source(raw, index: int, lines: TomlLines, error) -> SourceConfig:
    header = lines.array_table_line("sources", index)
    if not isinstance(raw, dict):
        raise error(f"source number {index + 1} must be a table", line=header)
    source_id = raw.get("id")
    if not isinstance(source_id, str) or not SOURCE_ID_PATTERN.match(source_id):
        line = lines.key_line("sources", index, "id") if "id" in raw else header
        shown = f"'{source_id}'" if isinstance(source_id, str) else "missing"
        raise error(
            f"source number {index + 1} needs an 'id' of lower-case letters, digits, '-' or '_' "
            f"(at most 64, starting with a letter or digit); it is {shown}",
            line=line,
        )
    where = f"source '{source_id}'"

    def key_error(message: str, key: str | None) -> ConfigError:
        line = lines.key_line("sources", index, key) if key else header
        return error(message, line=line or header, where=where)

    kind = raw.get("kind")
    if not isinstance(kind, str):
        raise key_error("'kind' is missing (known kinds: " + ", ".join(known_kinds()) + ")", "kind")
    spec = source_kind(kind)
    if spec is None:
        raise key_error(f"unknown kind '{kind}' (known kinds: {', '.join(known_kinds())})", "kind")
    name = raw.get("name", source_id)
    if not isinstance(name, str) or not name.strip():
        raise key_error("'name' must be a non-empty text", "name")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise key_error("'enabled' must be true or false", "enabled")
    try:
        every = parse_duration(raw.get("every", "6h"), "every")
        kind_raw = {k: v for k, v in raw.items() if k not in COMMON_SOURCE_KEYS}
        options = build_options(spec.options, kind_raw, extra_valid=COMMON_SOURCE_KEYS)
    except OptionError as exc:
        raise key_error(f"'{exc.key}': {exc.message}", exc.key) from exc
    return SourceConfig(
        id=source_id,
        kind=kind,
        name=name,
        every=every,
        enabled=enabled,
        options=options,
        line=header,
    )


def _type_name(tp: type) -> str:
    return {
        str: "a text in quotes",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }.get(tp, tp.__name__)

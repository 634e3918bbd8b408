"""Load and validate sources.toml: `[settings]`, `[slack]`, `[digest]`, `[notify]`, `[email]`,
`[teams]`, `[[groups]]` and `[[sources]]`.

This is the only module that reads environment variables (MONITOR_TODAY too: it pins the
clock's day, see `clock_from_environment`), and the one place defaults live.
Every table is a dataclass checked by `options.build_options`, as a source kind's options are.
Every problem becomes a ConfigError naming the file, the line (TOML gives one for syntax
errors; for the rest we find the key's line in the raw text), the source id and the key.
The source kinds are handed in (`kinds`): config knows no kind, so it imports none.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor import __version__
from monitor.clock import Clock
from monitor.errors import ConfigError
from monitor.models import DEFAULT_GROUP, Politeness
from monitor.notify.registry import NOTIFIER_NAMES
from monitor.options import OptionError, build_options, parse_duration
from monitor.toml_words import plain_syntax_error
from monitor.tomllines import TomlLines

DEFAULT_CONFIG_NAME = "sources.toml"
DEFAULT_TIMEZONE = "Europe/Stockholm"
DEFAULT_CHANNEL = "#eu-bevakning"  # named in previews, and suggested when none is set
# Who a click in Slack is recorded for when [slack] units does not name the Slack user: the
# group itself, so the click is kept and shows in `monitor tracked`, where it can be moved on.
DEFAULT_SLACK_UNIT = "Internationella gruppen"
LOCK_WAIT = 600  # seconds a command waits for a run in progress before giving up
SOURCE_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # fullmatch: no final \n
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
COMMON_SOURCE_KEYS = ("id", "kind", "name", "every", "enabled", "groups")
SECTIONS = ("settings", "sources", "slack", "digest", "notify", "email", "teams", "groups")
GROUP_TABLES = ("slack", "email", "teams", "notify")  # a group's own notifier settings


class KindSpec(Protocol):
    @property
    def options(self) -> type: ...  # the kind's options dataclass


class KindLookup(Protocol):
    """The source kinds a config may name (monitor.sources.kinds.KINDS)."""

    def names(self) -> list[str]: ...

    def get(self, name: str) -> KindSpec | None: ...


@dataclass(frozen=True)
class Settings:
    """`[settings]`: where things live and how politely we fetch. Paths are absolute here."""

    database: Path = Path("monitor.db")
    rules: Path = Path("rules")
    timezone: str = DEFAULT_TIMEZONE
    user_agent: str = f"EU-bevakning/{__version__} (municipal EU funding monitor)"
    # seconds for one request's whole answer (connect, headers, body); the portal answers
    # large queries slowly
    timeout: float = field(default=90.0, metadata={"minimum": 1})
    # seconds for all of one source's requests in a run (pages, details, retries together)
    source_timeout: float = field(default=1800.0, metadata={"minimum": 1})
    # fetch loopback, link-local and private addresses too (intranet sources); off, only
    # public addresses are fetched, so a feed or redirect cannot reach 169.254.169.254
    allow_private: bool = False
    # extra attempts after a connection error, 429 or 5xx
    retries: int = field(default=3, metadata={"minimum": 0, "maximum": 10})
    # requests in flight at once, all sources together; unset, only per_host limits them,
    # so a global limit can never bind before the politeness towards each host does
    concurrency: int | None = field(default=None, metadata={"minimum": 1})
    per_host: int = field(default=2, metadata={"minimum": 1})  # requests in flight to one host
    # seconds between request starts to one host
    host_delay: float = field(default=0.25, metadata={"minimum": 0})
    max_bytes: int = field(default=20_000_000, metadata={"minimum": 1000})  # larger is refused
    # failed runs in a row before a source is marked unhealthy
    unhealthy_after: int = field(default=3, metadata={"minimum": 1})
    language: str = field(default="sv", metadata={"choices": ("sv", "en")})  # of the digest

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise OptionError(
                f"unknown time zone '{self.timezone}' (use a name such as {DEFAULT_TIMEZONE})",
                "timezone",
            ) from exc


@dataclass(frozen=True)
class SlackTable:
    """`[slack]` in sources.toml."""

    channel: str = ""  # where the digest goes, e.g. DEFAULT_CHANNEL
    # Slack user id -> förvaltning, for clicks on a card's menu: {"U0123ABC" = "Miljöförvaltningen"}
    units: dict[str, str] = field(default_factory=dict)
    default_unit: str = DEFAULT_SLACK_UNIT  # for a user not in `units`


@dataclass(frozen=True)
class DigestTable:
    """`[digest]` in sources.toml."""

    closing_soon_days: int = field(default=30, metadata={"minimum": 1})
    # "Bevakade ansökningar": tracked calls (interested, applying) due within this many days
    reminder_days: int = field(default=21, metadata={"minimum": 1})
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

    def __post_init__(self) -> None:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", self.time):
            raise OptionError(f'must be HH:MM, e.g. "08:00", not {self.time!r}', "time")


@dataclass(frozen=True)
class NotifyTable:
    """`[notify]` in sources.toml: which notifiers `digest --send` and `serve` use."""

    # None (no [notify] send): every notifier that is set up
    send: tuple[str, ...] | None = field(default=None, metadata={"choices": NOTIFIER_NAMES})


@dataclass(frozen=True)
class EmailTable:
    """`[email]` in sources.toml: the SMTP server and the addresses (the login comes from the
    environment). A `[email]` table must say where to send from and to; `to` may be left out
    when every group's `[groups.email]` names its own recipients."""

    smtp_host: str
    sender: str = field(metadata={"key": "from"})  # "EU-bevakning <eu-bevakning@kommun.se>"
    to: tuple[str, ...] = ()  # required unless every group has its own (parse_config)
    smtp_port: int = field(default=587, metadata={"minimum": 1})
    starttls: bool = True  # false for a local relay on port 25
    timeout: float = field(default=30.0, metadata={"minimum": 1})  # seconds per SMTP step


@dataclass(frozen=True)
class TeamsTable:
    """`[teams]` in sources.toml; the webhook's URL is a secret, so it comes from
    TEAMS_WEBHOOK_URL."""


@dataclass(frozen=True)
class Email:
    """How to reach the SMTP server: `[email]` plus MONITOR_SMTP_USER / MONITOR_SMTP_PASSWORD
    when the server asks for a login. None: no `[email]` table."""

    table: EmailTable | None = None
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def configured(self) -> bool:
        return self.table is not None


@dataclass(frozen=True)
class Teams:
    """A Teams channel's incoming webhook (a Workflows "post to a channel" URL)."""

    webhook_url: str | None = field(default=None, repr=False)

    @property
    def configured(self) -> bool:
        return bool(self.webhook_url)


@dataclass(frozen=True)
class Slack:
    """Where and how to reach Slack: the channel from sources.toml, secrets from the environment.

    Secrets are kept out of repr so that no log or error message can show them.
    """

    channel: str = ""
    token: str | None = field(default=None, repr=False)
    webhook_url: str | None = field(default=None, repr=False)
    api_url: str | None = None
    app_token: str | None = field(default=None, repr=False)  # xapp-…: Socket Mode, the menu
    units: dict[str, str] = field(default_factory=dict)  # [slack] units
    default_unit: str = DEFAULT_SLACK_UNIT

    @property
    def listens(self) -> bool:
        """`monitor serve` hears clicks on the cards' menus (it answers with the bot token)."""
        return bool(self.app_token)

    @property
    def configured(self) -> bool:
        return bool(self.token or self.webhook_url)

    @property
    def shown_channel(self) -> str:
        """The channel a printed digest names: the configured one, else the usual one."""
        return self.channel or DEFAULT_CHANNEL


@dataclass(frozen=True)
class GroupTable:
    """One `[[groups]]` entry's own keys (its notifier tables are read apart)."""

    id: str
    name: str
    rules: str = ""  # the group's rule folder, on top of [settings] rules; "" for none
    language: str | None = field(default=None, metadata={"choices": ("sv", "en")})


@dataclass(frozen=True)
class GroupSlackTable:
    """`[groups.slack]`: the group's channel; a key left out comes from `[slack]`."""

    channel: str = ""
    units: dict[str, str] | None = None
    default_unit: str = ""


@dataclass(frozen=True)
class GroupEmailTable:
    """`[groups.email]`: who the group's digest is mailed to (the server is `[email]`'s)."""

    to: tuple[str, ...]


@dataclass(frozen=True)
class GroupTeamsTable:
    """`[groups.teams]`: the environment variable holding the group's webhook URL (a secret,
    so never in the file), e.g. "TEAMS_WEBHOOK_URL_NORRKOPING"."""

    webhook_env: str


@dataclass(frozen=True)
class GroupConfig:
    """One group (a kommun, or a group of them) as read from `[[groups]]`, before the
    environment's secrets are added."""

    id: str
    name: str
    rules: Path | None = None  # the overlay folder; None: the common rules alone
    language: str | None = None  # None for [settings] language
    slack: GroupSlackTable | None = None
    email: GroupEmailTable | None = None
    teams: GroupTeamsTable | None = None
    notify: NotifyTable | None = None
    line: int | None = None


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
    groups: tuple[str, ...] | None = None  # the groups it serves; None for every group

    def serves(self, group: str) -> bool:
        return self.groups is None or group in self.groups


@dataclass(frozen=True)
class Config:
    path: Path | None  # None when the embedded defaults are in use
    settings: Settings
    sources: list[SourceConfig] = field(default_factory=list)
    slack: Slack = field(default_factory=Slack)
    digest: DigestTable = field(default_factory=DigestTable)
    notify: NotifyTable = field(default_factory=NotifyTable)
    email: Email = field(default_factory=Email)
    teams: Teams = field(default_factory=Teams)
    # [[groups]]; empty for a config without them, which has the one group DEFAULT_GROUP
    groups: tuple[GroupConfig, ...] = ()
    group: str = DEFAULT_GROUP  # the group this config is for (see for_group)
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def group_ids(self) -> tuple[str, ...]:
        """Every group's id, in the file's order: (DEFAULT_GROUP,) without [[groups]]."""
        return tuple(g.id for g in self.groups) or (DEFAULT_GROUP,)

    @property
    def group_config(self) -> GroupConfig | None:
        """This config's `[[groups]]` entry (None without groups)."""
        return next((g for g in self.groups if g.id == self.group), None)

    @property
    def group_rules(self) -> Path | None:
        """The rule folder of this config's group on top of the common rules (None: none)."""
        group = self.group_config
        return group.rules if group is not None else None

    def sources_of(self, group: str) -> list[SourceConfig]:
        """The sources that serve `group`."""
        return [s for s in self.sources if s.serves(group)]

    def for_group(self, group_id: str) -> Config:
        """This config as one group sees it: its notifiers (its Slack channel, e-mail
        recipients, Teams webhook, [groups.notify] send) and its digest language over the
        common ones. The config without [[groups]] is its own DEFAULT_GROUP."""
        if not self.groups and group_id == DEFAULT_GROUP:
            return self
        group = next((g for g in self.groups if g.id == group_id), None)
        if group is None:
            raise ConfigError(unknown_group(group_id, self.group_ids), file=self.path)
        slack, email, teams, notify = self.slack, self.email, self.teams, self.notify
        if group.slack is not None:
            slack = dataclasses.replace(
                slack,
                channel=group.slack.channel or slack.channel,
                units=group.slack.units if group.slack.units is not None else slack.units,
                default_unit=group.slack.default_unit or slack.default_unit,
            )
        if group.email is not None and email.table is not None:
            email = dataclasses.replace(
                email, table=dataclasses.replace(email.table, to=group.email.to)
            )
        if group.teams is not None:
            url = self.environ.get(group.teams.webhook_env, "").strip()
            teams = Teams(webhook_url=url or None)
        settings = self.settings
        if group.language:
            settings = dataclasses.replace(settings, language=group.language)
        return dataclasses.replace(
            self,
            settings=settings,
            slack=slack,
            email=email,
            teams=teams,
            notify=group.notify or notify,
            group=group.id,
        )

    @property
    def politeness(self) -> Politeness:
        s = self.settings
        return Politeness(
            s.concurrency, s.per_host, s.host_delay, s.max_bytes, s.timeout, s.allow_private
        )

    def source(self, source_id: str) -> SourceConfig:
        for src in self.sources:
            if src.id == source_id:
                return src
        known = ", ".join(s.id for s in self.sources) or "none"
        where = self.path or "the built-in defaults"
        raise ConfigError(f"there is no source with id '{source_id}' in {where} (known: {known})")


def unknown_group(group_id: str, known: tuple[str, ...]) -> str:
    return f"there is no group '{group_id}' (groups: {', '.join(known)})"


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


# The environment's secrets: masked in every log line (monitor/redact.py), whoever logs them.
SECRET_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_WEBHOOK_URL",
    "SLACK_APP_TOKEN",
    "TEAMS_WEBHOOK_URL",
    "MONITOR_SMTP_PASSWORD",
)


# A group's Teams webhook is read from a variable named so (`[groups.teams] webhook_env`).
GROUP_WEBHOOK_PREFIX = "TEAMS_WEBHOOK_URL_"


def secret_values(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The values of the secret variables that are set, the groups' webhooks too."""
    names = [*SECRET_VARIABLES, *(n for n in environ if n.startswith(GROUP_WEBHOOK_PREFIX))]
    return [value for name in names if (value := environ.get(name, "").strip())]


def cache_folder(environ: Mapping[str, str] = os.environ) -> Path | None:
    """Where the program keeps what it can work out again (the search vocabulary,
    monitor/vocabulary_cache.py): $XDG_CACHE_HOME/eu-bevakning, else ~/.cache/eu-bevakning;
    None when there is no home to keep it in."""
    base = environ.get("XDG_CACHE_HOME", "").strip()
    if base and os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        return Path(base) / "eu-bevakning"
    home = environ.get("HOME", "").strip()
    return Path(home) / ".cache" / "eu-bevakning" if os.path.isabs(home) else None


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


def resolve_group(
    option: str | None, config: Config, environ: Mapping[str, str] = os.environ
) -> str:
    """The group a command is for: --group, else MONITOR_GROUP (an official's own kommun),
    else the only group; with several groups and neither, a ConfigError asking which."""
    named = option or environ.get("MONITOR_GROUP", "").strip() or None
    if named is not None:
        if named not in config.group_ids:
            raise ConfigError(unknown_group(named, config.group_ids), file=config.path)
        return named
    if len(config.group_ids) == 1:
        return config.group_ids[0]
    raise ConfigError(
        f"there are several groups ({', '.join(config.group_ids)}): say which with "
        "--group ID, or set MONITOR_GROUP",
        file=config.path,
    )


def clock_from_environment(environ: Mapping[str, str] = os.environ) -> Clock:
    """The system clock, or pinned to the day in MONITOR_TODAY=YYYY-MM-DD (tests and demos)."""
    value = environ.get("MONITOR_TODAY", "").strip()
    if not value:
        return Clock()
    try:
        if not ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return Clock(date.fromisoformat(value))
    except ValueError:
        raise ConfigError(
            f"MONITOR_TODAY must be a date written YYYY-MM-DD, not {value!r}"
        ) from None


def load_config(
    path: Path | None,
    database: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    *,
    kinds: KindLookup | None,
    with_sources: bool = True,
) -> Config:
    """Read and validate a config file, or the embedded defaults when `path` is None.

    Slack's secrets come from the environment: SLACK_BOT_TOKEN (chat.postMessage, threads) or
    SLACK_WEBHOOK_URL (an incoming webhook, no threads); SLACK_API_URL overrides the Web API;
    SLACK_APP_TOKEN (xapp-…, connections:write) lets `monitor serve` hear the cards' menus.
    So do Teams' (TEAMS_WEBHOOK_URL) and the SMTP login (MONITOR_SMTP_USER and
    MONITOR_SMTP_PASSWORD).
    `with_sources=False` (or `kinds` None) leaves [[sources]] unread: commands that only read
    the database need none of the source kinds (and their parsers) loaded, and still work if a
    source is broken.
    """
    if path is None:
        text, base_dir = EMBEDDED_DEFAULTS, Path.cwd()
    else:
        try:
            # utf-8-sig: a BOM (Windows Notepad writes one) is not TOML; accepted and dropped.
            text, base_dir = path.read_text(encoding="utf-8-sig"), path.resolve().parent
        except UnicodeDecodeError as exc:
            raise ConfigError("the file is not UTF-8 text", file=path) from exc
        except OSError as exc:
            raise ConfigError(f"cannot read the file ({exc.strerror})", file=path) from exc
    config = parse_config(
        text, path, base_dir=base_dir, database=database, kinds=kinds if with_sources else None
    )
    slack = dataclasses.replace(
        config.slack,
        token=environ.get("SLACK_BOT_TOKEN") or None,
        webhook_url=environ.get("SLACK_WEBHOOK_URL") or None,
        api_url=environ.get("SLACK_API_URL") or None,
        app_token=environ.get("SLACK_APP_TOKEN") or None,
    )
    email = Email(
        config.email.table,
        user=environ.get("MONITOR_SMTP_USER") or None,
        password=environ.get("MONITOR_SMTP_PASSWORD") or None,
    )
    teams = Teams(webhook_url=environ.get("TEAMS_WEBHOOK_URL") or None)
    return dataclasses.replace(config, slack=slack, email=email, teams=teams, environ=dict(environ))


def parse_config(
    text: str,
    path: Path | None,
    *,
    base_dir: Path,
    database: Path | None = None,
    kinds: KindLookup | None,
) -> Config:
    """The config in `text`; with `kinds` None its [[sources]] are left unread."""
    lines = TomlLines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or lines.line_of_decode_error(str(exc))
        message = getattr(exc, "msg", None) or re.sub(r"\s*\(at line .*\)$", "", str(exc))
        raise ConfigError(plain_syntax_error(message), file=path, line=line) from exc

    def error(message: str, *, line: int | None = None, where: str | None = None) -> ConfigError:
        return ConfigError(message, file=path, line=line, where=where)

    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise error(
            f"unknown section '{unknown[0]}' (valid sections: {', '.join(SECTIONS)})",
            line=lines.table_line(unknown[0]),
        )
    settings = _parse_table("settings", Settings, data, lines, error)
    settings = dataclasses.replace(
        settings,
        database=database if database is not None else base_dir / settings.database,
        rules=base_dir / settings.rules,
    )
    slack_table = _parse_table("slack", SlackTable, data, lines, error)
    digest = _parse_table("digest", DigestTable, data, lines, error)
    notify = _parse_table("notify", NotifyTable, data, lines, error)
    email = _parse_table("email", EmailTable, data, lines, error) if "email" in data else None
    _parse_table("teams", TeamsTable, data, lines, error)  # no keys yet: refuse unknown ones
    groups = _parse_groups(data, lines, error, base_dir)
    mailing = next((n for n, g in enumerate(groups) if g.email is not None), None)
    if mailing is not None and email is None:
        raise error(
            "[groups.email] gives the group's recipients; the server and sender are [email]'s:"
            " add an [email] table (smtp_host, from, to)",
            line=lines.find(("groups", "email"), 0),
            where=f"group '{groups[mailing].id}'",
        )
    if email is not None and not email.to:
        _require_recipients(groups, lines, error)
    group_ids = tuple(g.id for g in groups) or (DEFAULT_GROUP,)
    sources = _parse_sources(data, lines, error, kinds, group_ids) if kinds is not None else []
    return Config(
        path=path,
        settings=settings,
        sources=sources,
        slack=Slack(
            channel=slack_table.channel,
            units=slack_table.units,
            default_unit=slack_table.default_unit,
        ),
        digest=digest,
        notify=notify,
        email=Email(email),
        groups=groups,
    )


def _require_recipients(groups: tuple[GroupConfig, ...], lines: TomlLines, error) -> None:
    """`[email]` without `to` is for groups that each name their own recipients: a
    deployment of several kommuner has no common list. Anyone else without one would find out
    only when the first digest fails to go."""
    lacking = next((g for g in groups if g.email is None or not g.email.to), None)
    if groups and lacking is None:
        return
    message = "'to' is required in [email]"
    if lacking is not None:
        message += f" (group '{lacking.id}' has no [groups.email] to of its own)"
    raise error(message, line=lines.table_line("email"))


def _parse_table(name: str, cls: type, data: dict, lines: TomlLines, error) -> Any:
    """A `[name]` table as the dataclass `cls`: each key checked by its field's type."""
    raw = data.get(name, {})
    if not isinstance(raw, dict):
        raise error(f"[{name}] must be a table", line=lines.table_line(name))
    try:
        return build_options(cls, raw)
    except OptionError as exc:
        raise error(
            _table_message(exc, cls, f"[{name}]", in_table=False),
            line=lines.key_line(name, None, exc.key or ""),
            where=f"[{name}]",
        ) from exc


def _table_message(exc: OptionError, cls: type, table: str, *, in_table: bool) -> str:
    """What is wrong with a key of `table` (a dataclass `cls`), naming the valid keys."""
    if exc.message.startswith("unknown key"):
        valid = ", ".join(f.metadata.get("key", f.name) for f in dataclasses.fields(cls))
        where = f" in {table}" if in_table else ""
        return f"unknown key '{exc.key}'{where} (valid keys: {valid})"
    if exc.message.startswith("this key is required"):
        return f"'{exc.key}' is required in {table}"
    return f"'{exc.key}': {exc.message}"


def _parse_groups(data: dict, lines: TomlLines, error, base_dir: Path) -> tuple[GroupConfig, ...]:
    """`[[groups]]`: each group's keys, its rule folder (relative to the file) and its
    notifier tables, checked as the top-level tables are."""
    raw_groups = data.get("groups", [])
    if not isinstance(raw_groups, list):
        raise error("'groups' must be a list of [[groups]] tables", line=lines.table_line("groups"))
    groups: list[GroupConfig] = []
    seen: dict[str, int] = {}
    tables_so_far = dict.fromkeys(GROUP_TABLES, 0)  # which [groups.x] header is this group's
    for index, raw in enumerate(raw_groups):
        header = lines.array_table_line("groups", index)
        if not isinstance(raw, dict):
            raise error(f"group number {index + 1} must be a table", line=header)
        group_id = raw.get("id")
        if not isinstance(group_id, str) or not SOURCE_ID_PATTERN.fullmatch(group_id):
            shown = repr(group_id) if isinstance(group_id, str) else "missing"
            raise error(
                f"group number {index + 1} needs an 'id' of lower-case letters, digits, '-' or "
                f"'_' (at most 64, starting with a letter or digit); it is {shown}",
                line=lines.key_line("groups", index, "id") if "id" in raw else header,
            )
        where = f"group '{group_id}'"
        if group_id in seen:
            raise error(
                f"duplicate group id '{group_id}' (group number {seen[group_id] + 1} has it too)",
                line=lines.key_line("groups", index, "id"),
                where=where,
            )
        seen[group_id] = index
        own = {k: v for k, v in raw.items() if k not in GROUP_TABLES}
        try:
            table = build_options(GroupTable, own, extra_valid=GROUP_TABLES)
        except OptionError as exc:
            message = f"'{exc.key}': {exc.message}"
            if exc.message.startswith("this key is required"):
                message = f"'{exc.key}' is required in [[groups]]"
            raise error(
                message, line=lines.key_line("groups", index, exc.key or "") or header, where=where
            ) from exc
        if not table.name.strip():
            raise error(
                "'name' must be a non-empty text", line=lines.key_line("groups", index, "name"),
                where=where,
            )  # fmt: skip
        subtables: dict[str, Any] = {}
        for name, cls in (
            ("slack", GroupSlackTable),
            ("email", GroupEmailTable),
            ("teams", GroupTeamsTable),
            ("notify", NotifyTable),
        ):
            if name not in raw:
                continue
            occurrence = tables_so_far[name]
            tables_so_far[name] += 1
            subtables[name] = _parse_group_table(
                name, cls, raw[name], lines, error, where, occurrence, header
            )
        teams = subtables.get("teams")
        if teams is not None and not (
            teams.webhook_env.startswith(GROUP_WEBHOOK_PREFIX)
            and re.fullmatch(r"[A-Z0-9_]+", teams.webhook_env)
        ):
            raise error(
                f"'webhook_env' must name an environment variable starting with "
                f"{GROUP_WEBHOOK_PREFIX}, e.g. {GROUP_WEBHOOK_PREFIX}{group_id.upper()}"
                " (the URL is a secret, so it is kept out of the file and out of every log)",
                line=lines.find(("groups", "teams"), tables_so_far["teams"] - 1, "webhook_env"),
                where=where,
            )
        groups.append(
            GroupConfig(
                id=group_id,
                name=table.name.strip(),
                rules=base_dir / table.rules if table.rules else None,
                language=table.language,
                line=header,
                **subtables,
            )
        )
    return tuple(groups)


def _parse_group_table(
    name: str, cls: type, raw: Any, lines: TomlLines, error, where: str, occurrence: int,
    header: int | None,
) -> Any:  # fmt: skip
    """A group's `[groups.<name>]` table as `cls`."""
    path = ("groups", name)
    if not isinstance(raw, dict):
        raise error(f"[groups.{name}] must be a table", line=header, where=where)
    try:
        return build_options(cls, raw)
    except OptionError as exc:
        message = _table_message(exc, cls, f"[groups.{name}]", in_table=True)
        line = lines.find(path, occurrence, exc.key) or lines.find(path, occurrence) or header
        raise error(message, line=line, where=where) from exc


def _parse_sources(
    data: dict, lines: TomlLines, error, kinds: KindLookup, group_ids: tuple[str, ...]
) -> list[SourceConfig]:
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise error(
            "'sources' must be a list of [[sources]] tables", line=lines.table_line("sources")
        )
    sources: list[SourceConfig] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_sources):
        src = _parse_source(raw, index, lines, error, kinds, group_ids)
        if src.id in seen:
            raise error(
                f"duplicate source id '{src.id}' (source number {seen[src.id] + 1} has it too)",
                line=lines.key_line("sources", index, "id"),
                where=f"source '{src.id}'",
            )
        seen[src.id] = index
        sources.append(src)
    return sources


def _parse_source(
    raw, index: int, lines: TomlLines, error, kinds: KindLookup, group_ids: tuple[str, ...]
) -> SourceConfig:
    header = lines.array_table_line("sources", index)
    if not isinstance(raw, dict):
        raise error(f"source number {index + 1} must be a table", line=header)
    source_id = raw.get("id")
    if not isinstance(source_id, str) or not SOURCE_ID_PATTERN.fullmatch(source_id):
        line = lines.key_line("sources", index, "id") if "id" in raw else header
        shown = repr(source_id) if isinstance(source_id, str) else "missing"  # \n as \\n
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
    known = ", ".join(kinds.names())
    if not isinstance(kind, str):
        raise key_error(f"'kind' is missing (known kinds: {known})", "kind")
    spec = kinds.get(kind)
    if spec is None:
        raise key_error(f"unknown kind '{kind}' (known kinds: {known})", "kind")
    name = raw.get("name", source_id)
    if not isinstance(name, str) or not name.strip():
        raise key_error("'name' must be a non-empty text", "name")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise key_error("'enabled' must be true or false", "enabled")
    groups = raw.get("groups")
    if groups is not None:
        if (
            not isinstance(groups, list)
            or not groups
            or not all(isinstance(g, str) for g in groups)
        ):
            raise key_error(
                f"'groups' must be a list of group ids, e.g. [\"{group_ids[0]}\"]", "groups"
            )
        for group in groups:
            if group not in group_ids:
                raise key_error(f"'groups': {unknown_group(group, group_ids)}", "groups")
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
        groups=tuple(dict.fromkeys(groups)) if groups is not None else None,
    )

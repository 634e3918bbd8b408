from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.config import (
    load_config,
    resolve_config_path,
    resolve_database_override,
)
from monitor.errors import ConfigError
from monitor.sources.eu_portal import SEARCH_URL
from monitor.sources.kinds import KINDS
from monitor.sources.platform import selector_platform

VALID = """\
[settings]
database = "data/monitor.db"
rules = "my-rules"
timezone = "Europe/Stockholm"
user_agent = "Linkopings kommun EU-bevakning"

[[sources]]
id = "eu-portal"
kind = "eu_portal"
name = "EU Funding & Tenders Portal"
every = "6h"
statuses = ["open"]
programmes = ["LIFE", "CERV"]

[[sources]]
id = "portal-erasmus"
kind = "eu_portal"
name = "Erasmus+ only"
every = "1d"
enabled = false
programmes = ["ERASMUS"]
"""


def test_valid_config_loads_with_paths_relative_to_the_file(write_config):
    path = write_config(VALID)
    config = load_config(path, kinds=KINDS)
    assert config.settings.database == path.parent / "data/monitor.db"
    assert config.settings.rules == path.parent / "my-rules"
    assert config.settings.user_agent == "Linkopings kommun EU-bevakning"
    first, second = config.sources
    assert (first.id, first.kind, first.every, first.enabled) == (
        "eu-portal",
        "eu_portal",
        timedelta(hours=6),
        True,
    )
    assert first.options.statuses == ("open",)
    assert first.options.programmes == ("LIFE", "CERV")
    assert first.options.url == SEARCH_URL  # the default lives with the kind
    assert second.enabled is False and second.every == timedelta(days=1)


def test_db_option_overrides_settings_database(write_config, tmp_path):
    path = write_config(VALID)
    config = load_config(path, database=tmp_path / "other.db", kinds=KINDS)
    assert config.settings.database == tmp_path / "other.db"


def test_environment_names_the_config_and_database(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text(VALID)
    assert resolve_config_path(None, {"MONITOR_CONFIG": str(path)}) == path
    assert resolve_config_path(str(path), {"MONITOR_CONFIG": "elsewhere.toml"}) == path
    assert resolve_database_override(None, {"MONITOR_DB": "/tmp/a.db"}) == Path("/tmp/a.db")
    assert resolve_database_override("b.db", {"MONITOR_DB": "/tmp/a.db"}) == Path("b.db")


def test_missing_named_config_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_config_path(str(tmp_path / "nope.toml"), {})


def test_no_config_anywhere_means_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_config_path(None, {}) is None
    config = load_config(None, kinds=KINDS)
    assert [s.id for s in config.sources] == ["eu-portal"]
    assert config.settings.database == tmp_path / "monitor.db"
    assert config.settings.timezone == "Europe/Stockholm"


# Each broken config gives one message naming the file, the line and what is wrong.
EMAIL = """
[email]
smtp_host = "smtp.kommun.se"
from = "EU-bevakning <eu@kommun.se>"
to = ["int@kommun.se"]
"""

BROKEN = [
    pytest.param(
        VALID.replace('every = "6h"', 'every = "6h'),
        11,
        ["TOML-syntaxfel: citattecken saknas"],
        id="syntax-error",
    ),
    pytest.param(
        VALID.replace('statuses = ["open"]', 'statuses = ["open"]\ncolour = "blue"'),
        13,
        ["source 'eu-portal'", "unknown key", "'colour'", "valid keys", "programmes"],
        id="unknown-source-key",
    ),
    pytest.param(
        VALID.replace('rules = "my-rules"', 'rules = "my-rules"\ndatabse = "x.db"'),
        4,
        ["[settings]", "unknown key 'databse'", "database"],
        id="unknown-settings-key",
    ),
    pytest.param(
        VALID.replace('kind = "eu_portal"\nname = "Erasmus', 'kind = "rss-feed"\nname = "Erasmus'),
        17,
        ["source 'portal-erasmus'", "unknown kind 'rss-feed'", "known kinds: eu_portal"],
        id="unknown-kind",
    ),
    pytest.param(
        VALID.replace('id = "portal-erasmus"', 'id = "eu-portal"'),
        16,
        ["duplicate source id 'eu-portal'"],
        id="duplicate-id",
    ),
    pytest.param(
        VALID.replace('every = "1d"', 'every = "daily"'),
        19,
        ["source 'portal-erasmus'", "'every'", "not a duration", '"6h"'],
        id="bad-duration",
    ),
    pytest.param(
        VALID.replace('every = "1d"', 'every = "10s"'),
        19,
        ["too short"],
        id="too-short-duration",
    ),
    pytest.param(
        VALID.replace('statuses = ["open"]', 'statuses = "open"'),
        12,
        ["'statuses'", "must be a list"],
        id="string-for-list",
    ),
    pytest.param(
        VALID.replace('statuses = ["open"]', 'statuses = ["opened"]'),
        12,
        ["'opened' is not allowed", "choose from", "forthcoming", "closed"],
        id="value-not-a-choice",
    ),
    pytest.param(
        VALID.replace("enabled = false", 'enabled = "no"'),
        20,
        ["'enabled' must be true or false"],
        id="bad-bool",
    ),
    pytest.param(
        VALID.replace('timezone = "Europe/Stockholm"', 'timezone = "Europe/Linkoping"'),
        4,
        ["unknown time zone"],
        id="bad-timezone",
    ),
    pytest.param(
        VALID.replace('id = "portal-erasmus"', 'id = "../../etc"'),
        16,
        ["needs an 'id' of lower-case letters"],
        id="id-that-could-escape-a-path",
    ),
    pytest.param(
        VALID.replace('rules = "my-rules"', 'rules = "my-rules"\nretries = "three"'),
        4,
        ["[settings]", "'retries'", "must be a whole number"],
        id="settings-wrong-type",
    ),
    pytest.param(
        VALID.replace('rules = "my-rules"', 'rules = "my-rules"\nconcurrency = 0'),
        4,
        ["[settings]", "'concurrency'", "at least 1"],
        id="settings-below-minimum",
    ),
    pytest.param(
        VALID.replace('rules = "my-rules"', 'rules = "my-rules"\nretries = 1000000000'),
        4,
        ["[settings]", "'retries'", "at most 10"],
        id="settings-above-maximum",
    ),
    pytest.param(
        VALID.replace('rules = "my-rules"', 'rules = "my-rules"\ntimeout = nan'),
        4,
        ["[settings]", "'timeout'", "must be a finite number", "nan"],
        id="settings-nan",
    ),
    pytest.param(
        VALID.replace('rules = "my-rules"', 'rules = "my-rules"\nhost_delay = inf'),
        4,
        ["[settings]", "'host_delay'", "must be a finite number", "inf"],
        id="settings-inf",
    ),
    pytest.param(
        VALID.replace('every = "1d"', 'every = "999999999d"'),
        19,
        ["source 'portal-erasmus'", "'every'", "too long", "365d"],
        id="too-long-duration",
    ),
    pytest.param(
        VALID.replace('id = "portal-erasmus"', 'id = "portal-erasmus\\n"'),
        16,
        ["needs an 'id' of lower-case letters"],
        id="id-ending-in-a-newline",
    ),
    pytest.param(
        VALID.replace('rules = "my-rules"', 'rules = "my-rules"\nlanguage = "fi"'),
        4,
        ["[settings]", "'language'", "'fi' is not allowed", "sv, en"],
        id="settings-not-a-choice",
    ),
    pytest.param(
        VALID.replace('database = "data/monitor.db"', "database = 5"),
        2,
        ["[settings]", "'database'", "must be a path in quotes"],
        id="settings-path-not-text",
    ),
    pytest.param(
        VALID + '\n[digest]\ntime = "8.00"\n',
        24,
        ["[digest]", "'time'", "HH:MM"],
        id="digest-time",
    ),
    pytest.param(
        VALID + "\n[digest]\nclosing_soon_days = 0\n",
        24,
        ["[digest]", "'closing_soon_days'", "at least 1"],
        id="digest-below-minimum",
    ),
    pytest.param(
        VALID + '\n[slack]\ncolour = "blue"\n',
        24,
        ["[slack]", "unknown key 'colour'", "valid keys: channel"],
        id="slack-unknown-key",
    ),
    pytest.param(
        VALID + '\n[notify]\nsend = ["slack", "sms"]\n',
        24,
        ["[notify]", "'send'", "'sms' is not allowed", "slack, teams, email, console"],
        id="notify-unknown-notifier",
    ),
    pytest.param(
        VALID + '\n[email]\nsmtp_host = "smtp.kommun.se"\nto = ["int@kommun.se"]\n',
        23,
        ["[email]", "'from' is required in [email]"],
        id="email-without-from",
    ),
    pytest.param(
        VALID + EMAIL + "smtp_port = 0\n",
        27,
        ["[email]", "'smtp_port'", "at least 1"],
        id="email-port",
    ),
    pytest.param(
        VALID + EMAIL + 'sender = "x@kommun.se"\n',
        27,
        ["[email]", "unknown key 'sender'", "valid keys: smtp_host, from, to"],
        id="email-key-is-from-not-its-field-name",
    ),
    pytest.param(
        VALID + '\n[teams]\nwebhook_url = "https://example.test/hook"\n',
        24,
        ["[teams]", "unknown key 'webhook_url'"],
        id="teams-url-is-a-secret",
    ),
    pytest.param(
        VALID + '\n[slak]\nchannel = "#eu"\n',
        23,
        ["unknown section 'slak'"],
        id="unknown-section",
    ),
]


@pytest.mark.parametrize(("text", "line", "fragments"), BROKEN)
def test_broken_config_gives_one_clear_line(write_config, text, line, fragments):
    path = write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, kinds=KINDS)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}, rad {line}: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_a_byte_order_mark_at_the_start_is_accepted(tmp_path):
    """Windows Notepad saves UTF-8 with a BOM; TOML has no place for it, so it is dropped."""
    path = tmp_path / "sources.toml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode("utf-8"))
    config = load_config(path, kinds=KINDS)
    assert [s.id for s in config.sources] == ["eu-portal", "portal-erasmus"]


def test_config_that_is_not_utf8_is_named(write_config, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[settings]\nuser_agent = "Linköping"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path, kinds=KINDS)


def test_the_shipped_sources_cover_what_a_municipal_group_watches():
    root = Path(__file__).resolve().parent.parent
    text = (root / "sources.toml").read_text(encoding="utf-8")
    config = load_config(root / "sources.toml", kinds=KINDS)
    ids = {s.id for s in config.sources}
    assert len(ids) >= 30
    for needed in (
        "eu-portal",
        "eu-portal-rss",  # the portal's official RSS, a cross-check of the search API
        "vinnova",
        "tillvaxtverket",
        "esf",
        "esf-utlysningsplan",
        "boverket",
        "interreg-no",
        "region-ostergotland-eu",  # the region's EU office
        "skr",
        "icld",
        "mucf",  # Swedish national contact points: MUCF, UHR, Kulturrådet, Naturvårdsverket
        "uhr",
        "kulturradet",
        "naturvardsverket",
        "ec-presscorner",
        "eurocities",  # city networks and the urban programmes
        "cemr",
        "errin",
        "portico",
        "urbact",
        "keep-eu",
    ):
        assert needed in ids, needed
    assert sum(s.id.startswith("interreg") for s in config.sources) >= 5
    # Each entry says how sure we are of it and why; what could not be confirmed ships off.
    for block in text.split("[[sources]]")[1:]:
        comment = text[: text.index(block)].rsplit("\n\n", 1)[-1]
        words = [
            w for w in ("Unconfirmed", "Likely", "Confirmed") if re.search(rf"\b{w}\b", comment)
        ]
        assert len(words) == 1, f"one verdict per source: {block[:60]!r}"
        after = comment.split(words[0], 1)[1]
        assert len(after.split()) >= 4, f"the verdict names its evidence: {block[:60]!r}"
        assert ("enabled = false" in block) == (words[0] == "Unconfirmed"), block[:60]


# What SOURCES-EVIDENCE.md found each site runs (generator tags, asset paths).
SITE_PLATFORMS = {
    "mucf.se": "Drupal",
    "interregnorthsea.eu": "Drupal",
    "urban-initiative.eu": "Drupal",
    "urbact.eu": "Drupal",
    "errin.eu": "Drupal",
    "uhr.se": "Optimizely",
    "kulturradet.se": "Optimizely",
    "naturvardsverket.se": "Optimizely",
    "energimyndigheten.se": "Optimizely",
    "esf.se": "WordPress",
    "icld.se": "WordPress",
    "eurocities.eu": "WordPress",
}


def test_no_shipped_selector_is_written_for_a_platform_the_site_does_not_run():
    root = Path(__file__).resolve().parent.parent
    config = load_config(root / "sources.toml", kinds=KINDS)
    checked = 0
    for source in config.sources:
        if source.kind != "html":
            continue
        host = urlsplit(source.options.url).hostname or ""
        runs = next((p for site, p in SITE_PLATFORMS.items() if host.endswith(site)), None)
        selectors = tuple(getattr(source.options, k) for k in ("item", "title", "link", "date"))
        written_for = selector_platform(selectors)
        if runs is not None:
            checked += 1
            assert written_for in (None, runs), f"{source.id}: {written_for} selectors on {runs}"
    assert checked >= 6


def test_notifiers_take_their_secrets_from_the_environment_only(write_config):
    from monitor.config import load_config as load

    path = write_config(VALID + EMAIL + "starttls = false\n\n[teams]\n")
    env = {
        "TEAMS_WEBHOOK_URL": "https://prod.example/workflows/x?sig=secret",
        "MONITOR_SMTP_USER": "eu-bevakning",
        "MONITOR_SMTP_PASSWORD": "hemlig-åäö",
    }
    config = load(path, environ=env, kinds=KINDS)
    assert config.teams.configured and config.email.configured
    table = config.email.table
    assert table is not None
    assert (table.smtp_host, table.smtp_port, table.starttls) == ("smtp.kommun.se", 587, False)
    assert (table.sender, table.to) == ("EU-bevakning <eu@kommun.se>", ("int@kommun.se",))
    assert (config.email.user, config.email.password) == ("eu-bevakning", "hemlig-åäö")
    assert config.notify.send is None  # every notifier set up
    for secret in ("sig=secret", "hemlig"):
        assert secret not in repr(config)
    bare = load(write_config(VALID, "bare.toml"), environ={}, kinds=KINDS)
    assert not bare.teams.configured and not bare.email.configured


def _many_feeds(count: int) -> list[str]:
    """`count` rss sources, five lines each, numbered from 0."""
    return [
        f'[[sources]]\nid = "feed-{n}"\nkind = "rss"\nurl = "https://example.org/{n}.xml"\n'
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("late", "fragments"),
    [
        pytest.param('every = "soon"', ["source 'feed-298'", "'every'"], id="bad-value"),
        pytest.param("colour = 3", ["source 'feed-298'", "'colour': unknown key"], id="unknown"),
        pytest.param('id = "feed-7"', ["duplicate source id 'feed-7'"], id="duplicate-id"),
    ],
)
def test_an_error_in_a_late_source_names_its_own_line(write_config, late, fragments):
    """Lines are found from one index of the headers: the 299th source's key is still
    named by its own line, not by an earlier source's nor by its header."""
    blocks = _many_feeds(300)
    if late.startswith("id ="):
        blocks[298] = blocks[298].replace('id = "feed-298"', late)
    else:
        blocks[298] += late + "\n"
    text = "[settings]\nretries = 0\n\n" + "\n".join(blocks) + '\n[digest]\ntime = "08:00"\n'
    path = write_config(text)
    lines = text.splitlines()
    expected = len(lines) - lines[::-1].index(late)  # the late source's line, not source 7's
    with pytest.raises(ConfigError) as caught:
        load_config(path, kinds=KINDS)
    message = str(caught.value)
    assert message.startswith(f"{path}, rad {expected}: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_a_missing_key_in_a_late_source_names_its_header(write_config):
    blocks = _many_feeds(300)
    blocks[250] = blocks[250].replace('url = "https://example.org/250.xml"\n', "")
    text = "\n".join(blocks)
    path = write_config(text)
    header = [n for n, line in enumerate(text.splitlines(), 1) if line == "[[sources]]"][250]
    with pytest.raises(ConfigError) as caught:
        load_config(path, kinds=KINDS)
    assert str(caught.value).startswith(f"{path}, rad {header}: "), str(caught.value)
    assert "feed-250" in str(caught.value) and "'url'" in str(caught.value)


def test_a_missing_quote_is_said_in_plain_swedish_with_its_line(write_config):
    path = write_config('[settings]\nlanguage = "sv\ntimezone = "Europe/Stockholm"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, kinds=KINDS)
    assert str(caught.value) == (
        f"{path}, rad 2: TOML-syntaxfel: citattecken saknas: en text slutar inte på raden"
    )

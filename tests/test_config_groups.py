"""`[[groups]]` in sources.toml: several kommuner in one deployment, each with its own rule
folder, channels and recipients; a source may serve some groups only."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import DEFAULT_GROUP, load_config, secret_values
from monitor.errors import ConfigError
from monitor.sources.kinds import KINDS

TWO_GROUPS = """\
[settings]
database = "monitor.db"
language = "sv"

[slack]
channel = "#eu-bevakning"

[email]
smtp_host = "smtp.example.se"
from = "EU-bevakning <eu@example.se>"
to = ["alla@example.se"]

[[groups]]
id = "linkoping"
name = "Linköpings kommun"
rules = "rules/linkoping"
[groups.slack]
channel = "#eu-linkoping"
[groups.email]
to = ["internationella@linkoping.se"]

[[groups]]
id = "norrkoping"
name = "Norrköpings kommun"
language = "en"
[groups.slack]
channel = "#eu-norrkoping"
[groups.teams]
webhook_env = "TEAMS_WEBHOOK_URL_NORRKOPING"
[groups.notify]
send = ["slack", "teams"]

[[sources]]
id = "eu-portal"
kind = "eu_portal"

[[sources]]
id = "norrkoping-news"
kind = "rss"
url = "https://www.norrkoping.se/rss"
groups = ["norrkoping"]
"""

HOOK = "https://prod.example.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=s3cret"


def _load(tmp_path: Path, text: str, environ: dict[str, str] | None = None):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, environ=environ or {}, kinds=KINDS)


def test_each_group_gets_its_own_channel_recipients_webhook_and_language(tmp_path):
    config = _load(tmp_path, TWO_GROUPS, {"TEAMS_WEBHOOK_URL_NORRKOPING": HOOK})
    assert config.group_ids == ("linkoping", "norrkoping")

    linkoping = config.for_group("linkoping")
    assert linkoping.group == "linkoping"
    assert linkoping.slack.channel == "#eu-linkoping"
    assert linkoping.email.table is not None
    assert linkoping.email.table.to == ("internationella@linkoping.se",)
    assert linkoping.email.table.smtp_host == "smtp.example.se"  # the server is shared
    assert not linkoping.teams.configured  # no [groups.teams]: the common (unset) webhook
    assert linkoping.settings.language == "sv"
    assert linkoping.group_rules == tmp_path / "rules" / "linkoping"

    norrkoping = config.for_group("norrkoping")
    assert norrkoping.slack.channel == "#eu-norrkoping"
    assert norrkoping.email.table is not None
    assert norrkoping.email.table.to == ("alla@example.se",)  # the common recipients
    assert norrkoping.teams.webhook_url == HOOK
    assert norrkoping.notify.send == ("slack", "teams")
    assert norrkoping.settings.language == "en"
    assert norrkoping.group_rules is None


def test_a_source_serves_every_group_unless_it_names_some(tmp_path):
    config = _load(tmp_path, TWO_GROUPS)
    assert [s.id for s in config.sources_of("linkoping")] == ["eu-portal"]
    assert [s.id for s in config.sources_of("norrkoping")] == ["eu-portal", "norrkoping-news"]


def test_a_config_without_groups_is_the_one_default_group(tmp_path):
    text = TWO_GROUPS.split("[[groups]]")[0] + '[[sources]]\nid = "eu-portal"\nkind = "eu_portal"\n'
    config = _load(tmp_path, text)
    assert config.group_ids == (DEFAULT_GROUP,)
    assert config.for_group(DEFAULT_GROUP) is config
    assert [s.id for s in config.sources_of(DEFAULT_GROUP)] == ["eu-portal"]
    with pytest.raises(ConfigError, match="there is no group 'linkoping'"):
        config.for_group("linkoping")


def _refused(tmp_path: Path, text: str) -> str:
    """The one-line error the config `text` is refused with."""
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, text)
    return str(raised.value)


def _line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return lines[occurrence - 1]


@pytest.mark.parametrize(
    ("old", "new", "message", "line_holding"),
    [
        (
            'groups = ["norrkoping"]',
            'groups = ["norrkopin"]',
            "source 'norrkoping-news': 'groups': there is no group 'norrkopin' "
            "(groups: linkoping, norrkoping)",
            'groups = ["norrkopin"]',
        ),
        (
            'id = "norrkoping"',
            'id = "linkoping"',
            "group 'linkoping': duplicate group id 'linkoping' (group number 1 has it too)",
            ('id = "linkoping"', 2),
        ),
        (
            'webhook_env = "TEAMS_WEBHOOK_URL_NORRKOPING"',
            'webhook_env = "NK_HOOK"',
            "group 'norrkoping': 'webhook_env' must name an environment variable starting "
            "with TEAMS_WEBHOOK_URL_",
            'webhook_env = "NK_HOOK"',
        ),
        (
            'channel = "#eu-norrkoping"',
            'chanel = "#eu-norrkoping"',
            "group 'norrkoping': unknown key 'chanel' in [groups.slack] "
            "(valid keys: channel, units, default_unit)",
            'chanel = "#eu-norrkoping"',
        ),
        (
            'language = "en"',
            'language = "fi"',
            "group 'norrkoping': 'language': 'fi' is not allowed (choose from: sv, en)",
            'language = "fi"',
        ),
        (
            'name = "Norrköpings kommun"\n',
            "",
            "group 'norrkoping': 'name' is required in [[groups]]",
            None,
        ),
    ],
)
def test_mistakes_in_groups_name_the_group_the_file_and_the_line(
    tmp_path, old, new, message, line_holding
):
    text = TWO_GROUPS.replace(old, new)
    said = _refused(tmp_path, text)
    assert message in said
    assert said.startswith(str(tmp_path / "sources.toml"))
    if line_holding is None:  # the second group's header
        line_holding = ("[[groups]]", 2)
    fragment, occurrence = line_holding if isinstance(line_holding, tuple) else (line_holding, 1)
    assert f"rad {_line_of(text, fragment, occurrence)}:" in said


def test_a_groups_webhook_is_a_secret_masked_in_logs():
    environ = {"TEAMS_WEBHOOK_URL_NORRKOPING": HOOK, "UNRELATED": "x"}
    assert secret_values(environ) == [HOOK]


def test_a_command_is_for_the_named_group_the_environments_or_the_only_one(tmp_path):
    from monitor.config import resolve_group

    config = _load(tmp_path, TWO_GROUPS)
    assert resolve_group("norrkoping", config, {}) == "norrkoping"
    assert resolve_group(None, config, {"MONITOR_GROUP": "linkoping"}) == "linkoping"
    with pytest.raises(ConfigError, match=r"several groups \(linkoping, norrkoping\)"):
        resolve_group(None, config, {})
    with pytest.raises(ConfigError, match="there is no group 'malmo'"):
        resolve_group("malmo", config, {})
    alone = _load(tmp_path, TWO_GROUPS.split("[[groups]]")[0])
    assert resolve_group(None, alone, {}) == DEFAULT_GROUP


def test_a_groups_recipients_need_the_common_mail_server(tmp_path):
    text = TWO_GROUPS.replace('[email]\nsmtp_host = "smtp.example.se"\n', "[unused]\n")
    text = text.replace("[unused]\n", "").replace(
        'from = "EU-bevakning <eu@example.se>"\nto = ["alla@example.se"]\n', ""
    )
    said = _refused(tmp_path, text)
    assert "group 'linkoping': [groups.email] gives the group's recipients" in said
    assert f"rad {_line_of(text, '[groups.email]')}:" in said


def test_the_common_recipients_may_be_left_out_when_every_group_has_its_own(tmp_path):
    # Two kommuner sharing a mail server have no common list to write in [email].
    text = TWO_GROUPS.replace('to = ["alla@example.se"]\n', "").replace(
        "[groups.teams]", '[groups.email]\nto = ["eu@norrkoping.se"]\n[groups.teams]'
    )
    config = _load(tmp_path, text)
    assert config.for_group("linkoping").email.table.to == ("internationella@linkoping.se",)
    assert config.for_group("norrkoping").email.table.to == ("eu@norrkoping.se",)


def test_without_common_recipients_a_group_without_its_own_is_named(tmp_path):
    text = TWO_GROUPS.replace('to = ["alla@example.se"]\n', "")
    said = _refused(tmp_path, text)
    assert "'to' is required in [email] (group 'norrkoping' has no [groups.email] to" in said
    assert f"rad {_line_of(text, '[email]')}:" in said


def test_without_groups_the_recipients_are_required(tmp_path):
    text = TWO_GROUPS.split("[[groups]]")[0].replace('to = ["alla@example.se"]\n', "")
    said = _refused(tmp_path, text)
    assert "'to' is required in [email]" in said
    assert "[groups.email]" not in said
    assert f"rad {_line_of(text, '[email]')}:" in said

"""Issue 16's "done when", end to end through the CLI: two kommuner with different rule
overlays on the same sources (the portal emulator's 341 real calls and a real feed that serves
one of them), a local fake Slack with a channel each.

- Each source is requested once per run, however many groups there are.
- Each group's digest goes only to its own channel and holds only its own area.
- A call tracked by one group is not tracked by the other.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.fault_server import FaultServer, respond
from helpers.portal_emulator import portal_config
from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FEED = (ROOT / "tests" / "fixtures" / "rss" / "eurocities_feed.xml").read_bytes()
TOKEN = "xoxb-test-groups"
CHANNELS = {"#eu-linkoping": "C0LINK", "#eu-norrkoping": "C0NORR"}
# Linköping follows culture only, Norrköping climate only: the rest switched off in each
# group's _group.toml, on top of the shipped common rules.
KEEPS = {"linkoping": "kultur", "norrkoping": "klimat-miljo"}
AREA_NAMES = {"kultur": "Kultur och fritid", "klimat-miljo": "Klimat och miljö"}

GROUPS = """
[slack]
channel = "#eu-bevakning"

[[groups]]
id = "linkoping"
name = "Linköpings kommun"
rules = "rules/linkoping"
[groups.slack]
channel = "#eu-linkoping"

[[groups]]
id = "norrkoping"
name = "Norrköpings kommun"
rules = "rules/norrkoping"
[groups.slack]
channel = "#eu-norrkoping"
"""


@pytest.fixture
def slack(send_waits):
    with FakeSlack(tokens={TOKEN}, channels=CHANNELS) as fake:
        yield fake


@pytest.fixture
def feed_server():
    with FaultServer() as server:
        server.route("/news.xml")(
            lambda request, conn: respond(
                conn, 200, FEED, {"Content-Type": "application/rss+xml; charset=UTF-8"}
            )
        )
        yield server


def _rules(folder: Path) -> None:
    shutil.copytree(ROOT / "rules", folder)
    areas = [
        tomllib.loads(p.read_text(encoding="utf-8"))["id"]
        for p in sorted(folder.glob("*.toml"))
        if not p.name.startswith("_")
    ]
    for group, keep in KEEPS.items():
        (folder / group).mkdir()
        off = ", ".join(f'"{area}"' for area in areas if area != keep)
        (folder / group / "_group.toml").write_text(f"disable = [{off}]\n", encoding="utf-8")


def _config(base_url: str, feed_url: str, groups: str, database: str) -> str:
    feed = f'\n[[sources]]\nid = "norrkoping-news"\nkind = "rss"\nurl = "{feed_url}"\n' + (
        'groups = ["norrkoping"]\n' if groups else ""
    )
    text = portal_config(base_url, extra=feed).replace('"monitor.db"', f'"{database}"')
    return text + groups


def monitor(runner, config: Path, *args: str):
    env = {"SLACK_BOT_TOKEN": TOKEN}
    return runner.invoke(cli, ["--config", str(config), *args], env=env)


@pytest.fixture
def project(runner, tmp_path, portal, live_portal, feed_server, slack, snapshot_day):
    _rules(tmp_path / "rules")
    feed_url = feed_server.url("/news.xml")
    # One run of the same sources without groups: what one fetch of them asks for.
    alone = tmp_path / "alone.toml"
    alone.write_text(_config(live_portal.base_url, feed_url, "", "alone.db"), encoding="utf-8")
    result = monitor(runner, alone, "run", "--no-digest")
    assert result.exit_code == 0, result.output
    asked_alone = (len(portal.search_requests()), len(portal.detail_requests()))
    assert feed_server.hits["/news.xml"] == 1

    config = tmp_path / "sources.toml"
    text = _config(live_portal.base_url, feed_url, GROUPS, "monitor.db")
    config.write_text(text, encoding="utf-8")
    result = runner.invoke(
        cli,
        ["--config", str(config), "run", "--no-digest"],
        env={"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack.api_url},
    )
    assert result.exit_code == 0, result.output
    asked = (
        len(portal.search_requests()) - asked_alone[0],
        len(portal.detail_requests()) - asked_alone[1],
    )
    return config, asked_alone, asked, feed_server


def send(runner, config: Path, slack, *extra: str):
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": slack.api_url}
    return runner.invoke(cli, ["--config", str(config), "digest", "--send", *extra], env=env)


def _channel_text(slack, channel: str) -> str:
    cid = slack.channel_id(channel)
    return "\n".join(t for m in slack.messages if m.channel == cid for t in m.texts)


def test_each_source_is_requested_once_per_run_whatever_the_number_of_groups(project):
    _, asked_alone, asked, feed_server = project
    assert asked == asked_alone  # the portal: the same pages and topic details as one group
    assert asked_alone[0] > 0 and asked_alone[1] > 0
    assert feed_server.hits["/news.xml"] == 2  # once for the run alone, once for the groups


def test_each_groups_digest_goes_to_its_own_channel_with_its_own_area(runner, project, slack):
    config, *_ = project
    result = send(runner, config, slack)
    assert result.exit_code == 0, result.output
    linkoping = _channel_text(slack, "#eu-linkoping")
    norrkoping = _channel_text(slack, "#eu-norrkoping")
    assert AREA_NAMES["kultur"] in linkoping and AREA_NAMES["klimat-miljo"] not in linkoping
    assert AREA_NAMES["klimat-miljo"] in norrkoping and AREA_NAMES["kultur"] not in norrkoping
    assert not [m for m in slack.messages if m.channel not in CHANNELS.values()]
    # The feed serves Norrköping only: its news never reaches Linköping.
    assert "Eurocities" not in linkoping

    sent = len(slack.messages)
    again = send(runner, config, slack)
    assert again.exit_code == 0, again.output
    assert len(slack.messages) == sent  # each group's digest once


def test_a_call_tracked_by_one_group_is_not_tracked_by_the_other(runner, project):
    config, *_ = project
    listed = monitor(runner, config, "deadlines", "--group", "norrkoping", "--format", "json")
    assert listed.exit_code == 0, listed.output
    calls = json.loads(listed.stdout)
    assert calls
    call = calls[0]["identifier"] or calls[0]["id"]
    tracked = monitor(
        runner, config, "track", call, "--group", "norrkoping", "--state", "interested",
        "--unit", "Miljöförvaltningen",
    )  # fmt: skip
    assert tracked.exit_code == 0, tracked.output
    norrkoping = monitor(runner, config, "tracked", "--group", "norrkoping", "--format", "json")
    linkoping = monitor(runner, config, "tracked", "--group", "linkoping", "--format", "json")
    assert norrkoping.exit_code == 0 and linkoping.exit_code == 0, norrkoping.output
    assert call in norrkoping.stdout
    assert call not in linkoping.stdout
    which = monitor(runner, config, "tracked")
    assert which.exit_code == 1
    assert "there are several groups (linkoping, norrkoping)" in which.output


def test_a_mistake_in_one_groups_rules_stops_the_run_naming_the_group(
    runner, project, portal, slack
):
    config, *_ = project
    own = config.parent / "rules" / "linkoping" / "_group.toml"
    own.write_text('disable = ["kultr"]\n', encoding="utf-8")
    asked = len(portal.search_requests())
    result = monitor(runner, config, "run", "--no-digest")
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert str(own) in line and "rad 1" in line and "group linkoping" in line
    assert "unknown area 'kultr'" in line
    assert len(portal.search_requests()) == asked  # nothing fetched


def test_a_group_with_its_own_rules_trains_its_own_scorer(runner, project):
    config, *_ = project
    rules = config.parent / "rules"
    common = (rules / "_scorer.toml").read_bytes()
    labels = ROOT / "tests" / "fixtures" / "eval" / "dev-train.json"
    trained = monitor(runner, config, "rules", "train", str(labels), "--group", "norrkoping")
    assert trained.exit_code == 0, trained.output
    own = rules / "norrkoping" / "_scorer.toml"
    assert f"Skrev {own}." in trained.stdout
    assert '"gate: can apply" = ' in own.read_text(encoding="utf-8")
    assert (rules / "_scorer.toml").read_bytes() == common  # Linköping's is untouched
    assert not (rules / "linkoping" / "_scorer.toml").exists()


def test_a_groups_teams_webhook_is_asked_for_by_its_own_variable(tmp_path):
    from monitor.config import load_config
    from monitor.notify.teams import KIND
    from monitor.sources.kinds import KINDS

    path = tmp_path / "sources.toml"
    path.write_text(
        GROUPS + '[groups.teams]\nwebhook_env = "TEAMS_WEBHOOK_URL_NORRKOPING"\n',
        encoding="utf-8",
    )
    config = load_config(path, environ={}, kinds=KINDS)
    assert "TEAMS_WEBHOOK_URL_NORRKOPING" in KIND.setup_hint(config.for_group("norrkoping"))
    assert "group norrkoping" in KIND.setup_hint(config.for_group("norrkoping"))
    assert "set TEAMS_WEBHOOK_URL " in KIND.setup_hint(config.for_group("linkoping"))

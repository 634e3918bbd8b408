"""Slack as one notifier among others: rendered from the document, sent one message at a time
to a local fake of Slack (real HTTP), never touching the database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.fake_slack import FakeSlack
from helpers.sample_digests import digest_of, item
from helpers.stored_calls import TOKEN
from monitor.config import load_config
from monitor.digest.compose import compose
from monitor.errors import NotifyError
from monitor.notify import registry
from monitor.notify.i18n import Words
from monitor.sources.kinds import KINDS

ROOT = Path(__file__).resolve().parent.parent
SV = Words("sv")


@pytest.fixture
def slack(send_waits):
    with FakeSlack(
        tokens={TOKEN},
        channels={"#eu-bevakning": "C0001", "#eu-skola": "C0002"},
        not_member={"#privat": "C0009"},
    ) as fake:
        yield fake


@pytest.fixture
def project(tmp_path):
    """sources.toml with the default rules, one area routed to its own channel."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    rules = tmp_path / "rules" / "utbildning.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(
            '# slack_channel = "#eu-utbildning"', 'slack_channel = "#eu-skola"'
        ),
        encoding="utf-8",
    )
    config = tmp_path / "sources.toml"
    config.write_text('[settings]\ndatabase = "monitor.db"\n\n[slack]\nchannel = "#eu-bevakning"\n')
    return config


def config_of(project: Path, **environ: str):
    return load_config(project, environ=environ, kinds=KINDS, with_sources=False)


def document():
    digest = digest_of(
        new_by_area={"utbildning": [item(1, "utbildning")], "klimat-miljo": [item(2)]}
    )
    return compose(digest, SV)


def send_all(notifier, messages) -> dict[str, str]:
    receipts: dict[str, str] = {}
    for message in messages:
        reply_to = receipts[message.parent] if message.parent else None
        receipts[message.key] = notifier.send(message, reply_to)
    return receipts


def test_the_registry_knows_when_slack_is_set_up_and_what_to_set(project, slack):
    kind = registry.kind("slack")
    assert not kind.configured(config_of(project))
    assert kind.configured(config_of(project, SLACK_BOT_TOKEN=TOKEN))
    assert kind.configured(config_of(project, SLACK_WEBHOOK_URL=slack.webhook_url))
    hint = kind.setup_hint(config_of(project))
    assert "SLACK_BOT_TOKEN" in hint and "SLACK_WEBHOOK_URL" in hint and "[slack] channel" in hint


def test_a_bot_posts_the_replies_in_the_thread_and_the_areas_copy_in_its_channel(project, slack):
    config = config_of(project, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack.api_url)
    notifier = registry.kind("slack").make(config, SV, None)
    assert (notifier.name, notifier.mode, notifier.records) == ("slack", "bot", True)
    messages = notifier.render(document())
    assert [m.key for m in messages] == [
        "top",
        "area:utbildning:1",
        "area:klimat-miljo:1",
        "top@#eu-skola",
        "area:utbildning@#eu-skola:1",
    ]
    receipts = send_all(notifier, messages)
    (top,) = slack.top_level("#eu-bevakning")
    assert top.ts == receipts["top"]
    assert len(slack.replies("#eu-bevakning", top.ts)) == 2
    (local,) = slack.top_level("#eu-skola")
    (reply,) = slack.replies("#eu-skola", local.ts)
    assert "Climate adaptation in small towns, part 1" in "\n".join(reply.texts)
    assert not (project.parent / "monitor.db").exists()  # the ledger records, not the notifier


def test_a_webhook_sends_each_message_on_its_own_and_no_area_copies(project, slack):
    config = config_of(project, SLACK_WEBHOOK_URL=slack.webhook_url)
    notifier = registry.kind("slack").make(config, SV, None)
    assert notifier.mode == "webhook"
    messages = notifier.render(document())
    assert not any("@" in m.key for m in messages)
    receipts = send_all(notifier, messages)
    assert len(set(receipts.values())) == len(messages) == len(slack.webhook_posts)
    assert all(p.thread_ts is None for p in slack.webhook_posts)


def test_a_refusal_says_what_to_do(project, slack):
    config = config_of(project, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack.api_url)
    notifier = registry.kind("slack").make(config, SV, None)
    top = notifier.render(document())[0]
    slack.fail_next("not_in_channel")
    with pytest.raises(NotifyError, match=r"invite it there in Slack .*\(not_in_channel\)"):
        notifier.send(top, None)


def test_without_a_token_or_webhook_no_notifier_is_made(project):
    with pytest.raises(NotifyError, match="SLACK_BOT_TOKEN"):
        registry.kind("slack").make(config_of(project), SV, None)

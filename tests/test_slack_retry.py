"""The Slack retry policy against the fake Slack: the waits slack-sdk would make, made through
the policy's sleep (recorded here, so no test waits), and the same number of retries."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from helpers.fake_slack import FakeSlack
from monitor.notify import retry as retry_module
from monitor.notify.retry import RetryPolicy

TOKEN = "xoxb-retry-test"


@pytest.fixture
def fake():
    with FakeSlack(tokens={TOKEN}, channels={"#eu-bevakning": "C0001"}) as server:
        yield server


def client(fake: FakeSlack, waits: list[float], retries: int = 3) -> WebClient:
    policy = RetryPolicy(retries=retries, sleep=waits.append)
    return WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=policy.handlers())


def test_a_rate_limit_waits_as_long_as_slack_asks_then_posts(fake):
    waits: list[float] = []
    fake.fail_next("ratelimited", retry_after=7)
    assert client(fake, waits).chat_postMessage(channel="C0001", text="x")["ok"] is True
    assert fake.call_count() == 2 and len(fake.messages) == 1
    assert len(waits) == 1 and 7 <= waits[0] < 8  # Retry-After plus jitter under a second


def test_a_rate_limit_without_retry_after_waits_a_second_or_so(fake):
    waits: list[float] = []
    fake.fail_next("ratelimited")
    assert client(fake, waits).chat_postMessage(channel="C0001", text="x")["ok"] is True
    assert len(waits) == 1 and 1 <= waits[0] < 2


def test_server_errors_and_dropped_connections_back_off_longer_each_time(fake):
    waits: list[float] = []
    fake.fail_next("server_error")
    fake.fail_next("service_unavailable")
    fake.fail_next("connection_reset")
    assert client(fake, waits).chat_postMessage(channel="C0001", text="x")["ok"] is True
    assert fake.call_count() == 4 and len(fake.messages) == 1
    # 0.5 s doubled per attempt of the message, plus jitter under a second (slack-sdk's back-off)
    first, second, third = waits
    assert 0.5 <= first < 1.5 and 1 <= second < 2 and 2 <= third < 3


def test_it_gives_up_after_its_retries_whatever_the_failures(fake):
    waits: list[float] = []
    fake.fail_next("server_error")
    fake.fail_next("ratelimited", retry_after=0)
    fake.fail_next("server_error", times=10)
    with pytest.raises(SlackApiError):
        client(fake, waits, retries=2).chat_postMessage(channel="C0001", text="x")
    assert fake.call_count() == 3 and len(waits) == 2 and fake.messages == []


def test_a_webhook_is_retried_by_the_same_policy(fake):
    waits: list[float] = []
    fake.fail_next("ratelimited", retry_after=3, method="webhook")
    policy = RetryPolicy(sleep=waits.append)
    hook = WebhookClient(fake.webhook_url, retry_handlers=policy.handlers())
    assert hook.send(text="x").status_code == 200
    assert len(fake.webhook_posts) == 1 and len(waits) == 1 and 3 <= waits[0] < 4


def test_sends_really_wait_unless_a_test_says_otherwise():
    # What `monitor digest --send` and `monitor serve` use: slack-sdk's waits, three retries.
    usual = retry_module.usual()
    assert usual.retries == 3 and usual.sleep is time.sleep

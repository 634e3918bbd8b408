"""The Slack fake, driven by the real slack_sdk clients over real HTTP on loopback."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError, URLError

import pytest
from slack_sdk import WebClient, WebhookClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from helpers.fake_slack import WEBHOOK_PATH, FakeSlack
from monitor.notify.retry import RetryPolicy

TOKEN = "xoxb-test"
QUICK = FixedValueRetryIntervalCalculator(0.01)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(
        tokens={TOKEN},
        channels={"#eu-bevakning": "C0001", "#eu-klimat": "C0002"},
        not_member={"#privat": "C0009"},
    ) as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    # No retry handlers: slack_sdk's default one would quietly retry a connection reset.
    return WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=[])


@pytest.fixture
def hook(fake: FakeSlack) -> WebhookClient:
    return WebhookClient(fake.webhook_url, retry_handlers=[])


def section(text: str, kind: str = "mrkdwn") -> dict[str, Any]:
    return {"type": "section", "text": {"type": kind, "text": text}}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        with error:
            return error.code, error.read().decode()


# -- addresses and success --------------------------------------------------------------------


def test_urls_are_loopback_with_a_free_port(fake: FakeSlack) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/", fake.api_url)
    assert fake.webhook_url == fake.base_url + "/services/T000/B000/XXXX"
    assert fake.api_url.startswith(fake.base_url)


def test_not_running_has_no_url() -> None:
    with pytest.raises(RuntimeError):
        _ = FakeSlack().api_url


def test_post_then_reply_in_its_thread(fake: FakeSlack, client: WebClient) -> None:
    blocks = [header("EU-bevakning v. 48"), section("*3 nya utlysningar*")]
    top = client.chat_postMessage(channel="#eu-bevakning", text="Veckans digest", blocks=blocks)
    assert top["ok"] is True
    assert top["channel"] == "C0001"
    assert re.fullmatch(r"\d{10}\.\d{6}", top["ts"])
    assert top["message"]["text"] == "Veckans digest"
    assert top["message"]["blocks"] == blocks
    assert "thread_ts" not in top["message"]

    reply = client.chat_postMessage(channel="C0001", text="Del 2", thread_ts=top["ts"])
    assert reply["message"]["thread_ts"] == top["ts"]
    assert float(reply["ts"]) > float(top["ts"])

    assert [m.ts for m in fake.top_level("#eu-bevakning")] == [top["ts"]]
    assert [m.text for m in fake.replies("C0001", top["ts"])] == ["Del 2"]
    first = fake.messages[0]
    assert (first.channel, first.thread_ts, first.blocks, first.via) == (
        "C0001",
        None,
        blocks,
        "api",
    )
    assert first.payload["text"] == "Veckans digest"
    assert fake.calls == {"chat.postMessage": 2}


def test_ts_are_unique_and_increasing_from_start_ts() -> None:
    with FakeSlack(start_ts=1_732_435_200) as fake:
        client = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=[])
        stamps = [client.chat_postMessage(channel="C0001", text=str(i))["ts"] for i in range(3)]
    assert stamps == ["1732435200.000100", "1732435200.000200", "1732435200.000300"]


@pytest.mark.parametrize("channel", ["#eu-klimat", "eu-klimat", "C0002"])
def test_channel_by_name_with_or_without_hash_or_by_id(client: WebClient, channel: str) -> None:
    assert client.chat_postMessage(channel=channel, text="hej")["channel"] == "C0002"


def test_form_encoded_post_with_blocks_as_a_json_string(fake: FakeSlack, client: WebClient) -> None:
    blocks = [section("från formulär")]
    response = client.api_call(
        "chat.postMessage",
        params={"channel": "#eu-bevakning", "text": "form", "blocks": json.dumps(blocks)},
    )
    assert response["ok"] is True
    assert fake.messages[0].blocks == blocks
    assert isinstance(fake.messages[0].payload["blocks"], str)


def test_token_in_a_form_body_counts_but_not_in_a_json_body(fake: FakeSlack) -> None:
    url = fake.api_url + "chat.postMessage"
    form = f"token={TOKEN}&channel=C0001&text=hej".encode()
    status, body = raw_post(url, form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, json.loads(body)["ok"]) == (200, True)

    as_json = json.dumps({"token": TOKEN, "channel": "C0001", "text": "hej"}).encode()
    status, body = raw_post(url, as_json, {"Content-Type": "application/json; charset=utf-8"})
    assert (status, json.loads(body)) == (200, {"ok": False, "error": "not_authed"})


# -- errors -----------------------------------------------------------------------------------


def test_wrong_token_is_invalid_auth(fake: FakeSlack) -> None:
    client = WebClient(token="xoxb-wrong", base_url=fake.api_url, retry_handlers=[])
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x"))
    assert error.response["error"] == "invalid_auth"
    assert error.response.status_code == 200
    assert fake.messages == []


def test_no_token_is_not_authed(fake: FakeSlack) -> None:
    client = WebClient(base_url=fake.api_url, retry_handlers=[])
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x"))
    assert error.response["error"] == "not_authed"


@pytest.mark.parametrize(
    ("channel", "code"),
    [
        ("#finns-inte", "channel_not_found"),
        ("C9999", "channel_not_found"),
        ("#privat", "not_in_channel"),
        ("privat", "not_in_channel"),
        ("C0009", "not_in_channel"),
    ],
)
def test_channel_errors(fake: FakeSlack, client: WebClient, channel: str, code: str) -> None:
    error = api_error(lambda: client.chat_postMessage(channel=channel, text="x"))
    assert error.response["error"] == code
    assert fake.messages == []


def test_thread_ts_must_name_a_top_level_message_of_that_channel(client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0001", text="topp")["ts"]
    reply = client.chat_postMessage(channel="C0001", text="svar", thread_ts=parent)["ts"]
    for channel, thread_ts in [("C0001", "1.000100"), ("C0001", reply), ("C0002", parent)]:
        error = api_error(
            lambda c=channel, t=thread_ts: client.chat_postMessage(channel=c, text="x", thread_ts=t)
        )
        assert error.response["error"] == "thread_not_found", (channel, thread_ts)


def test_malformed_thread_ts_is_invalid_thread_ts(client: WebClient) -> None:
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x", thread_ts="0"))
    assert error.response["error"] == "invalid_thread_ts"


def test_neither_text_nor_blocks_is_no_text(fake: FakeSlack, client: WebClient) -> None:
    with pytest.warns(UserWarning, match="top-level `text` argument is missing"):
        error = api_error(lambda: client.chat_postMessage(channel="C0001"))
    assert error.response["error"] == "no_text"
    with pytest.warns(UserWarning):
        error = api_error(lambda: client.chat_postMessage(channel="C0001", text=""))
    assert error.response["error"] == "no_text"


def test_blocks_without_text_are_accepted(fake: FakeSlack, client: WebClient) -> None:
    with pytest.warns(UserWarning):  # slack_sdk's advice, not Slack's error
        client.chat_postMessage(channel="C0001", blocks=[section("bara block")])
    assert fake.messages[0].text is None


def test_unknown_method(client: WebClient) -> None:
    error = api_error(lambda: client.api_call("chat.postMesage", json={"channel": "C0001"}))
    assert error.response["error"] == "unknown_method"


# -- limits at their boundaries ---------------------------------------------------------------


def test_fifty_blocks_pass_and_fifty_one_are_invalid_blocks(client: WebClient) -> None:
    client.chat_postMessage(channel="C0001", text="x", blocks=[{"type": "divider"}] * 50)
    error = api_error(
        lambda: client.chat_postMessage(
            channel="C0001", text="x", blocks=[{"type": "divider"}] * 51
        )
    )
    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"] == ["no more than 50 items allowed [json-pointer:/blocks]"]
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]


def test_section_text_3000_passes_and_3001_is_invalid_blocks(client: WebClient) -> None:
    client.chat_postMessage(channel="C0001", text="x", blocks=[section("a" * 3000)])
    error = api_error(
        lambda: client.chat_postMessage(channel="C0001", text="x", blocks=[section("a" * 3001)])
    )
    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"] == [
        "failed to match all allowed schemas [json-pointer:/blocks/0/text]",
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ]


def test_header_150_passes_and_151_is_invalid_blocks(client: WebClient) -> None:
    client.chat_postMessage(channel="C0001", text="x", blocks=[header("h" * 150)])
    blocks = [{"type": "divider"}, header("h" * 151)]
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x", blocks=blocks))
    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"] == [
        "must be less than 151 characters [json-pointer:/blocks/1/text/text]"
    ]


def test_section_fields_at_most_10_of_at_most_2000(client: WebClient) -> None:
    def fields(count: int, length: int) -> list[dict[str, Any]]:
        return [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * length}] * count}]

    client.chat_postMessage(channel="C0001", text="x", blocks=fields(10, 1))
    client.chat_postMessage(channel="C0001", text="x", blocks=fields(1, 2000))
    for blocks, problem in [
        (fields(11, 1), "no more than 10 items allowed [json-pointer:/blocks/0/fields]"),
        (
            fields(1, 2001),
            "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
        ),
    ]:
        error = api_error(
            lambda b=blocks: client.chat_postMessage(channel="C0001", text="x", blocks=b)
        )
        assert error.response["error"] == "invalid_blocks"
        assert problem in error.response["errors"]


def test_context_at_most_10_elements(client: WebClient) -> None:
    def context(count: int) -> list[dict[str, Any]]:
        return [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * count}]

    client.chat_postMessage(channel="C0001", text="x", blocks=context(10))
    error = api_error(
        lambda: client.chat_postMessage(channel="C0001", text="x", blocks=context(11))
    )
    assert error.response["errors"] == [
        "no more than 10 items allowed [json-pointer:/blocks/0/elements]"
    ]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "tabell"},
        {"text": {"type": "mrkdwn", "text": "utan typ"}},
        {"type": "section"},
        {"type": "section", "text": {"text": "utan typ"}},
        {"type": "section", "text": {"type": "mrkdwn"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": ""}},
        {"type": "section", "text": {"type": "markdown", "text": "fel typ"}},
        {"type": "header", "text": {"type": "mrkdwn", "text": "*fet*"}},
        {"type": "context", "elements": []},
        {"type": "actions"},
        {"type": "rich_text"},
        "inte ett objekt",
    ],
)
def test_malformed_blocks_are_invalid_blocks(client: WebClient, block: Any) -> None:
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x", blocks=[block]))
    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"]


def test_every_known_block_type_passes(client: WebClient) -> None:
    blocks = [
        header("Rubrik"),
        section("text"),
        {"type": "section", "fields": [{"type": "plain_text", "text": "fält"}]},
        {"type": "context", "elements": [{"type": "image", "image_url": "x", "alt_text": "y"}]},
        {"type": "divider"},
        {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Läs"}}],
        },
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]},
    ]
    assert client.chat_postMessage(channel="C0001", text="x", blocks=blocks)["ok"] is True


def test_blocks_that_are_not_a_list_are_invalid_blocks_format(client: WebClient) -> None:
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x", blocks="[{"))
    assert error.response["error"] == "invalid_blocks_format"


def test_text_40000_passes_and_40001_is_msg_too_long(client: WebClient) -> None:
    client.chat_postMessage(channel="C0001", text="t" * 40_000)
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="t" * 40_001))
    assert error.response["error"] == "msg_too_long"


def test_total_block_text_over_the_threshold_is_msg_blocks_too_long(client: WebClient) -> None:
    full = [section("a" * 3000) for _ in range(4)]  # 12,000: the default threshold
    client.chat_postMessage(channel="C0001", text="x", blocks=full)
    error = api_error(
        lambda: client.chat_postMessage(channel="C0001", text="x", blocks=[*full, header("b")])
    )
    assert error.response["error"] == "msg_blocks_too_long"


def test_msg_blocks_too_long_threshold_is_a_parameter() -> None:
    with FakeSlack(max_blocks_text_chars=13_000) as fake:
        client = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=[])
        blocks = [section("a" * 3000) for _ in range(4)] + [section("b" * 1000)]
        assert client.chat_postMessage(channel="C0001", text="x", blocks=blocks)["ok"] is True
        error = api_error(
            lambda: client.chat_postMessage(
                channel="C0001", text="x", blocks=[*blocks, header("c")]
            )
        )
        assert error.response["error"] == "msg_blocks_too_long"


# -- failure injection ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["invalid_auth", "channel_not_found", "not_in_channel"])
def test_injected_slack_errors(fake: FakeSlack, client: WebClient, code: str) -> None:
    fake.fail_next(code)
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x"))
    assert (error.response.status_code, error.response["error"]) == (200, code)
    assert client.chat_postMessage(channel="C0001", text="x")["ok"] is True
    assert len(fake.messages) == 1


def test_injected_rate_limit_is_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("ratelimited", retry_after=1)
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x"))
    assert error.response.status_code == 429
    assert error.response["error"] == "ratelimited"
    assert error.response.headers["Retry-After"] == "1"

    fake.fail_next("ratelimited")
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x"))
    assert error.response.status_code == 429
    assert "Retry-After" not in error.response.headers


@pytest.mark.parametrize(("kind", "status"), [("server_error", 500), ("service_unavailable", 503)])
def test_injected_server_errors(fake: FakeSlack, client: WebClient, kind: str, status: int) -> None:
    fake.fail_next(kind)
    error = api_error(lambda: client.chat_postMessage(channel="C0001", text="x"))
    assert error.response.status_code == status


def test_injected_connection_reset_raises_without_retry(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("connection_reset")
    with pytest.raises((ConnectionError, URLError)):
        client.chat_postMessage(channel="C0001", text="x")
    assert fake.messages == []
    assert client.chat_postMessage(channel="C0001", text="x")["ok"] is True


def test_failures_are_consumed_in_order(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("channel_not_found", times=2)
    fake.fail_next("not_in_channel")
    seen = []
    for _ in range(4):
        try:
            seen.append(client.chat_postMessage(channel="C0001", text="x")["ok"])
        except SlackApiError as error:
            seen.append(error.response["error"])
    assert seen == ["channel_not_found", "channel_not_found", "not_in_channel", True]
    assert fake.pending_failures() == 0
    assert fake.call_count("chat.postMessage") == 4


def test_failure_limited_to_a_method_waits_for_it(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("invalid_auth", method="auth.test")
    assert client.chat_postMessage(channel="C0001", text="x")["ok"] is True
    assert api_error(client.auth_test).response["error"] == "invalid_auth"


def test_only_the_third_part_of_a_digest_fails(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_on_call(3, "ratelimited", retry_after=1)
    parent = client.chat_postMessage(channel="#eu-bevakning", text="Digest del 1")["ts"]
    outcomes = []
    for part in range(2, 6):
        try:
            client.chat_postMessage(channel="#eu-bevakning", text=f"del {part}", thread_ts=parent)
            outcomes.append("ok")
        except SlackApiError as error:
            outcomes.append(error.response["error"])
    assert outcomes == ["ok", "ratelimited", "ok", "ok"]
    assert [m.text for m in fake.replies("C0001", parent)] == ["del 2", "del 4", "del 5"]


def test_bad_failure_arguments() -> None:
    fake = FakeSlack()
    with pytest.raises(ValueError):
        fake.fail_next("ratelimited", times=0)
    with pytest.raises(ValueError):
        fake.fail_next("Rate limited")
    with pytest.raises(ValueError):
        fake.fail_on_call(0, "ratelimited")


# -- slack_sdk's retry handlers ---------------------------------------------------------------


def test_rate_limit_is_retried_after_retry_after(fake: FakeSlack) -> None:
    # The project's policy waits as slack-sdk's handler does, through a sleep we can record:
    # the wait comes from the fake's Retry-After, and nobody waits in the test.
    waits: list[float] = []
    client = WebClient(
        token=TOKEN,
        base_url=fake.api_url,
        retry_handlers=RetryPolicy(sleep=waits.append).handlers(),
    )
    fake.fail_next("ratelimited", retry_after=7)
    assert client.chat_postMessage(channel="C0001", text="x")["ok"] is True
    assert len(waits) == 1 and 7 <= waits[0] < 8  # Retry-After plus up to a second of jitter
    assert fake.call_count() == 2
    assert len(fake.messages) == 1


def test_server_error_is_retried(fake: FakeSlack) -> None:
    handler = ServerErrorRetryHandler(max_retry_count=2, interval_calculator=QUICK)
    client = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=[handler])
    fake.fail_next("server_error", times=2)
    assert client.chat_postMessage(channel="C0001", text="x")["ok"] is True
    assert fake.call_count() == 3


def test_connection_reset_is_retried(fake: FakeSlack) -> None:
    handler = ConnectionErrorRetryHandler(interval_calculator=QUICK)
    client = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=[handler])
    fake.fail_next("connection_reset")
    assert client.chat_postMessage(channel="C0001", text="x")["ok"] is True
    assert fake.call_count() == 2
    assert len(fake.messages) == 1


def test_a_default_web_client_retries_one_reset_by_itself(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.api_url)  # default_retry_handlers()
    fake.fail_next("connection_reset")
    assert client.chat_postMessage(channel="C0001", text="x")["ok"] is True
    assert fake.call_count() == 2


# -- other methods ----------------------------------------------------------------------------


def test_auth_test(fake: FakeSlack, client: WebClient) -> None:
    response = client.auth_test()
    assert (response["team_id"], response["user_id"]) == ("T000", "U0BOT")
    wrong = WebClient(token="xoxb-nej", base_url=fake.api_url, retry_handlers=[])
    assert api_error(wrong.auth_test).response["error"] == "invalid_auth"
    assert fake.calls == {"auth.test": 2}


def test_conversations_list(client: WebClient) -> None:
    channels = client.conversations_list()["channels"]
    assert {(c["id"], c["name"], c["is_member"]) for c in channels} == {
        ("C0001", "eu-bevakning", True),
        ("C0002", "eu-klimat", True),
        ("C0009", "privat", False),
    }


# -- the incoming webhook ---------------------------------------------------------------------


def test_webhook_post_is_ok_and_recorded(fake: FakeSlack, hook: WebhookClient) -> None:
    response = hook.send(text="Veckans digest", blocks=[section("*Horisont Europa*")])
    assert (response.status_code, response.body) == (200, "ok")
    [post] = fake.webhook_posts
    assert (post.channel, post.via, post.thread_ts) == ("C0001", "webhook", None)
    assert post.blocks == [section("*Horisont Europa*")]
    assert fake.top_level("#eu-bevakning") == [post]
    assert fake.calls == {"webhook": 1}


def test_webhook_ignores_thread_ts(fake: FakeSlack, hook: WebhookClient) -> None:
    hook.send_dict({"text": "svar?", "thread_ts": "1732435200.000100"})
    [post] = fake.messages
    assert post.thread_ts is None
    assert post.payload["thread_ts"] == "1732435200.000100"


def test_webhook_channel_is_a_parameter() -> None:
    with FakeSlack(channels={"#a": "C1", "#b": "C2"}, webhook_channel="#b") as fake:
        WebhookClient(fake.webhook_url, retry_handlers=[]).send(text="x")
        assert fake.messages[0].channel == "C2"
    with pytest.raises(ValueError):
        FakeSlack(channels={"#a": "C1"}, not_member={"#p": "C9"}, webhook_channel="#p")


def test_webhook_without_text_is_400(fake: FakeSlack, hook: WebhookClient) -> None:
    response = hook.send_dict({"unfurl_links": False})
    assert (response.status_code, response.body) == (400, "missing_text_or_fallback_or_attachments")
    assert fake.messages == []


def test_webhook_with_51_blocks_is_400_invalid_blocks(hook: WebhookClient) -> None:
    assert hook.send(text="x", blocks=[{"type": "divider"}] * 50).status_code == 200
    response = hook.send(text="x", blocks=[{"type": "divider"}] * 51)
    assert (response.status_code, response.body) == (400, "invalid_blocks")
    response = hook.send(text="x", blocks=[section("a" * 3001)])
    assert (response.status_code, response.body) == (400, "invalid_blocks")


def test_webhook_invalid_json_is_400_invalid_payload(fake: FakeSlack) -> None:
    status, body = raw_post(fake.webhook_url, b"{text:", {"Content-Type": "application/json"})
    assert (status, body) == (400, "invalid_payload")
    status, body = raw_post(fake.webhook_url, b"[1]", {"Content-Type": "application/json"})
    assert (status, body) == (400, "invalid_payload")


def test_webhook_form_payload_is_accepted(fake: FakeSlack) -> None:
    form = "payload=" + urllib.request.quote(json.dumps({"text": "från formulär"}))
    status, body = raw_post(
        fake.webhook_url, form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (status, body) == (200, "ok")
    assert fake.messages[0].text == "från formulär"


def test_unknown_webhook_is_404_no_service(fake: FakeSlack) -> None:
    other = WebhookClient(fake.base_url + "/services/T000/B000/YYYY", retry_handlers=[])
    response = other.send(text="x")
    assert (response.status_code, response.body) == (404, "no_service")
    assert WEBHOOK_PATH != "/services/T000/B000/YYYY"


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("action_prohibited", 403, "action_prohibited"),
        ("channel_not_found", 404, "channel_not_found"),
        ("channel_is_archived", 410, "channel_is_archived"),
        ("no_service", 404, "no_service"),
        ("invalid_auth", 403, "invalid_token"),
        ("server_error", 500, "rollup_error"),
        ("ratelimited", 429, "rate_limited"),
    ],
)
def test_injected_webhook_errors(
    fake: FakeSlack, hook: WebhookClient, kind: str, status: int, body: str
) -> None:
    fake.fail_next(kind, method="webhook")
    response = hook.send(text="x")
    assert (response.status_code, response.body) == (status, body)
    assert hook.send(text="x").status_code == 200


def test_webhook_rate_limit_is_retried(fake: FakeSlack) -> None:
    waits: list[float] = []
    hook = WebhookClient(
        fake.webhook_url, retry_handlers=RetryPolicy(sleep=waits.append).handlers()
    )
    fake.fail_next("ratelimited", retry_after=3, method="webhook")
    response = hook.send(text="x")
    assert (response.status_code, response.body) == (200, "ok")
    assert fake.call_count("webhook") == 2
    assert len(waits) == 1 and 3 <= waits[0] < 4


def test_webhook_connection_reset_is_retried(fake: FakeSlack) -> None:
    handler = ConnectionErrorRetryHandler(interval_calculator=QUICK)
    hook = WebhookClient(fake.webhook_url, retry_handlers=[handler])
    fake.fail_next("connection_reset")
    assert hook.send(text="x").status_code == 200
    assert len(fake.webhook_posts) == 1


# -- recording --------------------------------------------------------------------------------


def test_all_text_holds_every_text_and_block_text(
    fake: FakeSlack, client: WebClient, hook: WebhookClient
) -> None:
    client.chat_postMessage(
        channel="C0001",
        text="Reservtext",
        blocks=[
            header("Rubrik"),
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "Fält ett"}]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Sista ansökningsdag"}]},
        ],
    )
    hook.send(text="Via webhook")
    text = fake.all_text()
    for part in ["Reservtext", "Rubrik", "Fält ett", "Sista ansökningsdag", "Via webhook"]:
        assert part in text


def test_concurrent_posts_get_unique_ts(fake: FakeSlack) -> None:
    def post(worker: int) -> None:
        client = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=[])
        for i in range(10):
            client.chat_postMessage(channel="C0001", text=f"{worker}-{i}")

    threads = [threading.Thread(target=post, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = [m.ts for m in fake.messages]
    assert len(stamps) == len(set(stamps)) == 80
    assert stamps == sorted(stamps)
    assert fake.call_count() == 80


def test_reset_forgets_everything(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C0001", text="x")
    fake.fail_next("ratelimited")
    fake.reset()
    assert (fake.messages, fake.calls, fake.pending_failures()) == ([], {}, 0)
    assert client.chat_postMessage(channel="C0001", text="x")["ok"] is True

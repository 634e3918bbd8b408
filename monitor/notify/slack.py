"""Slack as a notifier: the digest document as Block Kit messages (notify/slack_blocks.py), sent
through slack-sdk with a bot token (threads, area channels) or an incoming webhook.

`SlackNotifier` (and `KIND`, what the registry knows of it) renders and sends one message at a
time and touches no database: the shared ledger (digest/deliver.py) records, resumes in the same
thread and marks each message as Slack takes it. Rate limits (Retry-After), connection errors
and 5xx are retried by slack-sdk, as the RetryPolicy (notify/retry.py) says.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from monitor.config import DEFAULT_CHANNEL, Config, Slack
from monitor.digest.document import DigestDocument
from monitor.errors import NotifyError
from monitor.matching import load_group_matcher
from monitor.notify.base import AnswerLost, Message, NotifierKind, TargetRefused
from monitor.notify.i18n import Words
from monitor.notify.retry import RetryPolicy, usual
from monitor.notify.slack_blocks import slack_messages

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"

# What the admin must do, for the errors an admin can fix.
ADVICE = {
    "invalid_auth": "Slack refused the token: check SLACK_BOT_TOKEN (the app's Bot User OAuth "
    "Token, xoxb-...) and that the app is still installed in the workspace",
    "not_authed": "no token reached Slack: set SLACK_BOT_TOKEN",
    "token_revoked": "the Slack token was revoked: reinstall the app and set the new "
    "SLACK_BOT_TOKEN",
    "account_inactive": "the Slack app's account is deactivated: reinstall the app",
    "channel_not_found": "Slack has no channel {channel} that the bot can see: check "
    "[slack] channel in sources.toml (for a private channel, invite the bot first)",
    "not_in_channel": "the bot is not a member of {channel}: invite it there in Slack "
    "(/invite @the-bot)",
    "is_archived": "the channel {channel} is archived: choose another in [slack] channel",
    "ratelimited": "Slack kept asking us to slow down (rate limited): send again later",
    "missing_scope": "the Slack app lacks the chat:write permission: add it and reinstall",
}


# A posted message's metadata names its digest part, so that after a lost answer the poster can
# ask Slack whether the part arrived instead of posting it blind a second time.
EVENT_TYPE = "eu_bevakning_part"
LOOKED_BACK = 200  # messages of a channel (or a thread) searched for a part's metadata
# Refusals that concern one channel only: for an area channel's copy they skip that channel.
CHANNEL_REFUSALS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


class Poster(Protocol):
    threads: bool

    def post_blocks(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        thread_ts: str | None,
        ref: str = "",
    ) -> str:
        """Post one message; return its Slack ts (or a stand-in where Slack gives none)."""
        ...

    def find(self, channel: str, thread_ts: str | None, ref: str) -> str | None:
        """The ts of the message posted with `ref` if Slack has it; None if not or unknown."""
        ...


class BotPoster:
    """chat.postMessage with a bot token: threads, and routing to other channels.

    Each message carries its part's `ref` as metadata. When the answer to a post is lost (the
    connection dropped, a timeout, a 5xx), Slack may have taken the message: the poster reads
    the channel (conversations.history) or the thread (conversations.replies) for that
    metadata and posts again only if the message is not there.
    """

    threads = True

    def __init__(self, token: str, api_url: str | None, retry: RetryPolicy) -> None:
        self.retry = retry
        self.client = WebClient(
            token=token,
            base_url=api_url or DEFAULT_API_URL,
            timeout=30,
            retry_handlers=retry.post_handlers(server_errors=False),
        )
        self.reader = WebClient(
            token=token,
            base_url=api_url or DEFAULT_API_URL,
            timeout=30,
            retry_handlers=retry.handlers(),
        )

    def post_blocks(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        thread_ts: str | None,
        ref: str = "",
    ) -> str:
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"ref": ref}} if ref else None
        lost = ""
        for attempt in range(self.retry.retries + 1):
            if attempt:
                self.retry.wait(attempt - 1)
                found = self.find(channel, thread_ts, ref) if ref else None
                if found is not None:
                    log.info("Slack had taken %s before its answer was lost", ref)
                    return found
            try:
                answer = self.client.chat_postMessage(
                    channel=channel,
                    text=text,
                    blocks=blocks,
                    thread_ts=thread_ts,
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata=metadata,
                )
                return str(answer["ts"])
            except SlackApiError as exc:
                if exc.response.status_code < 500:
                    error = str(exc.response.get("error", "unknown_error"))
                    raise ChannelRefused(error, _advice(error, channel)) from exc
                lost = f"HTTP {exc.response.status_code}"
            except (SlackClientError, OSError) as exc:
                lost = type(exc).__name__
        raise NotifyError(f"could not reach Slack ({lost})")

    def find(self, channel: str, thread_ts: str | None, ref: str) -> str | None:
        if not ref:
            return None
        try:
            if thread_ts is None:
                answer = self.reader.conversations_history(
                    channel=channel, limit=LOOKED_BACK, include_all_metadata=True
                )
            else:
                answer = self.reader.conversations_replies(
                    channel=channel, ts=thread_ts, limit=LOOKED_BACK, include_all_metadata=True
                )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            if exc.response.status_code >= 500:
                raise NotifyError(
                    "could not check whether Slack has the message "
                    f"(HTTP {exc.response.status_code})"
                ) from exc
            if error in ("missing_scope", "not_allowed_token_type"):
                # Without the history scopes nothing can be looked up: the message is posted
                # again, at least once rather than never.
                log.warning(
                    "could not check whether Slack has %s (%s): add the channels:history and "
                    "groups:history scopes to the Slack app for exactly-once sending",
                    ref,
                    error,
                )
                return None
            raise ChannelRefused(error, _advice(error, channel)) from exc
        except (SlackClientError, OSError) as exc:
            raise NotifyError(
                f"could not check whether Slack has the message ({type(exc).__name__})"
            ) from exc
        for message in answer.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == EVENT_TYPE and payload.get("ref") == ref:
                return str(message["ts"])
        return None


class WebhookPoster:
    """An incoming webhook: one fixed channel, no threads, so every part is its own message.

    A webhook cannot read the channel, so a post whose answer was lost (the connection dropped
    after the request was written, no answer in time) is not retried but `AnswerLost`: Slack
    may have taken it, and the ledger marks it uncertain rather than post it blind again. A
    request that failed before it was written whole (urllib's URLError) reached no channel.
    """

    threads = False

    def __init__(self, url: str, retry: RetryPolicy) -> None:
        handlers = retry.post_handlers(server_errors=True)
        self.client = WebhookClient(url, timeout=30, retry_handlers=handlers)
        self.sent = 0

    def post_blocks(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        thread_ts: str | None,
        ref: str = "",
    ) -> str:
        try:
            answer = self.client.send(text=text, blocks=blocks)
        except URLError as exc:  # connecting or writing the request failed: nothing posted
            raise NotifyError(f"could not reach Slack ({_reason(exc)})") from exc
        except OSError as exc:
            what = type(exc).__name__
            raise AnswerLost(
                f"the message was sent but the Slack webhook's answer never came ({what})", what
            ) from exc
        if answer.status_code != 200:
            body = (answer.body or "").strip()[:100]
            raise NotifyError(
                f"the Slack webhook refused the message: HTTP {answer.status_code} {body}"
            )
        self.sent += 1
        return f"webhook-{self.sent}"

    def find(self, channel: str, thread_ts: str | None, ref: str) -> str | None:
        return None  # a webhook can read nothing back


def poster_for(slack: Slack, retry: RetryPolicy | None = None) -> Poster:
    retry = retry or usual()
    if slack.token:
        if not slack.channel:
            raise NotifyError(
                "no Slack channel is set: "
                f'add [slack] channel = "{DEFAULT_CHANNEL}" to sources.toml'
            )
        return BotPoster(slack.token, slack.api_url, retry)
    if slack.webhook_url:
        return WebhookPoster(slack.webhook_url, retry)
    raise NotifyError("Slack is not set up: set SLACK_BOT_TOKEN (or SLACK_WEBHOOK_URL)")


class SlackNotifier:
    """The `Notifier` for Slack (notify/base.py): a bot posts the replies in the top message's
    thread and copies an area's thread to the area's own channel; a webhook posts every message
    on its own in its one channel."""

    name = "slack"
    records = True

    def __init__(
        self,
        poster: Poster,
        words: Words,
        *,
        channel: str,
        area_channels: dict[str, str] | None = None,
    ) -> None:
        self.poster = poster
        self.mode = "bot" if poster.threads else "webhook"
        # A bot looks a lost answer up before posting again; a webhook cannot tell.
        self.resends_lost = poster.threads
        self.words = words
        self.channel = channel
        # A webhook reaches one channel only: no copies to the areas' channels.
        self.area_channels = dict(area_channels or {}) if poster.threads else {}

    def render(self, document: DigestDocument) -> list[Message]:
        return slack_messages(
            document, self.words, channel=self.channel, area_channels=self.area_channels
        )

    def send(self, message: Message, reply_to: str | None) -> str:
        """Post one message, in the thread of `reply_to` (a bot's; a webhook has no threads).

        An area channel that refuses its copy (the bot not in it, no such channel, archived)
        is `TargetRefused`: the ledger skips that channel. The main channel refusing stops the
        send."""
        thread_ts = reply_to if self.poster.threads else None
        blocks = message.payload.get("blocks", [])
        try:
            return self.poster.post_blocks(
                message.target, message.text, blocks, thread_ts, message.ref
            )
        except ChannelRefused as exc:
            if exc.error in CHANNEL_REFUSALS and message.target != self.channel:
                raise TargetRefused(exc.error, str(exc)) from exc
            raise

    def find(self, message: Message, reply_to: str | None) -> str | None:
        """The ts of `message` if Slack already has it (a bot; a webhook cannot tell)."""
        thread_ts = reply_to if self.poster.threads else None
        try:
            return self.poster.find(message.target, thread_ts, message.ref)
        except ChannelRefused as exc:
            if exc.error in CHANNEL_REFUSALS and message.target != self.channel:
                return None  # the post will be refused the same way, and skipped
            raise


class SlackKind:
    """What the registry knows of Slack (`NotifierKind`)."""

    def configured(self, config: Config) -> bool:
        return config.slack.configured

    def setup_hint(self, config: Config) -> str:
        return (
            "set SLACK_BOT_TOKEN (a bot with threads; and [slack] channel in sources.toml) "
            "or SLACK_WEBHOOK_URL (an incoming webhook)"
        )

    def waits_for(self, config: Config, mode: str) -> str | None:
        return "SLACK_WEBHOOK_URL" if mode == "webhook" else "SLACK_BOT_TOKEN"

    def make(self, config: Config, words: Words, retry: RetryPolicy | None) -> SlackNotifier:
        poster = poster_for(config.slack, retry)
        return SlackNotifier(
            poster,
            words,
            channel=config.slack.shown_channel,
            area_channels=area_channels(config) if poster.threads else {},
        )


KIND: NotifierKind = SlackKind()  # typed so that mypy checks it is one


def area_channels(config: Config) -> dict[str, str]:
    """Area id -> the Slack channel its rules file names (`slack_channel`), for those that do:
    the areas of the config's group (its own rule folder on top of the common rules)."""
    matcher = load_group_matcher(config, config.group)
    areas = list(matcher.areas) if matcher is not None else []
    return {a.id: a.slack_channel for a in areas if a.slack_channel}


class ChannelRefused(NotifyError):
    """Slack answered a post (or a read) with an error code."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


def _reason(exc: URLError) -> str:
    reason = exc.reason
    return f"{type(reason).__name__}: {reason}" if isinstance(reason, OSError) else str(reason)


def _advice(error: str, channel: str) -> str:
    advice = ADVICE.get(error)
    if advice:
        return f"{advice.format(channel=channel)} ({error})"
    if error in ("msg_blocks_too_long", "invalid_blocks", "msg_too_long", "too_many_blocks"):
        return f"Slack refused a message as too large or malformed ({error}); please report this"
    return f"Slack answered with the error {error}"


def slack_preview(document: DigestDocument, config: Config, words: Words) -> list[dict[str, Any]]:
    """Every message as a bot would send it (channel, thread parent, fallback text, blocks), for
    `monitor digest --format blocks`."""
    messages = slack_messages(
        document, words, channel=config.slack.shown_channel, area_channels=area_channels(config)
    )
    return [
        {
            "key": m.key,
            "channel": m.target,
            "thread_of": m.parent,
            "text": m.text,
            "blocks": m.payload.get("blocks", []),
        }
        for m in messages
    ]

"""Sending the digest to a Microsoft Teams channel through a Workflows incoming webhook.

One POST per card (notify/adaptive_cards.py). Teams answers 202 Accepted (a Workflows flow runs
after answering; the legacy Office 365 connectors answered 200 with the body "1"), so any 2xx
is success. 429 (Teams throttles more than four requests a second to one webhook, and the flow
has its own limits), 5xx and a connection never made are retried, honouring Retry-After; the
waiting goes through `RetryPolicy.wait`, so tests do not wait. Other answers will not get
better by asking again and end in a NotifyError that says what to do.

A connection dropped after the card was sent, or no answer in time, may come after Teams took
the card, and a webhook cannot be asked whether it did: that is `AnswerLost`, never retried, and
the ledger marks the card uncertain and tells the admin, who can check the channel and resend it
(`monitor digest --resend`). A connection refused, unresolved or timed out while connecting, or
a request that could not be written whole, reached no flow and is retried.

Each send opens its own client and closes it (a digest is a few cards; no socket outlives it).

The webhook's URL holds its key: it is never put in an error or a log line.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from monitor.clock import Clock
from monitor.config import Config
from monitor.digest.document import DigestDocument
from monitor.errors import NotifyError
from monitor.fetch import retry_after_seconds
from monitor.notify.adaptive_cards import encode, teams_messages
from monitor.notify.base import AnswerLost, Message, Notifier
from monitor.notify.i18n import Words
from monitor.notify.retry import RetryPolicy, usual

log = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds; a flow answers within a few
SETUP_HINT = "set TEAMS_WEBHOOK_URL to the Teams workflow's webhook address"

RENEW = (
    "create the webhook anew in Teams (Workflows: 'Post to a channel when a webhook request is "
    "received'), make sure the flow is turned on, and set TEAMS_WEBHOOK_URL to its address"
)


class TeamsNotifier:
    name = "teams"
    mode = "webhook"
    records = True
    resends_lost = False  # a webhook cannot say whether a card arrived

    def __init__(
        self,
        url: str,
        words: Words,
        retry: RetryPolicy | None = None,
        *,
        user_agent: str = "EU-bevakning",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url
        self.words = words
        self.retry = retry or usual()
        self._user_agent = user_agent
        self._transport = transport
        self.sent = 0

    def __repr__(self) -> str:
        return "TeamsNotifier(webhook)"  # never the URL

    def render(self, document: DigestDocument) -> list[Message]:
        return teams_messages(document, self.words)

    def find(self, message: Message, reply_to: str | None) -> str | None:
        return None  # a Workflows webhook can read nothing back

    def send(self, message: Message, reply_to: str | None) -> str:
        """POST the card; Teams webhooks have no threads, so `reply_to` is not used."""
        with self._client() as client:
            return self._post(client, encode(message.payload))

    def _client(self) -> httpx.Client:
        return httpx.Client(
            headers={
                "User-Agent": self._user_agent,
                "Content-Type": "application/json; charset=utf-8",
            },
            timeout=httpx.Timeout(TIMEOUT, connect=15.0),
            follow_redirects=False,  # the card goes to this address or nowhere
            transport=self._transport,
        )

    def _post(self, client: httpx.Client, body: bytes) -> str:
        attempt = 0
        while True:
            try:
                answer = client.post(self._url, content=body)
            except NOT_SENT as exc:
                failure = f"could not reach Teams ({type(exc).__name__})"
                if attempt >= self.retry.retries:
                    raise NotifyError(f"{failure} after {attempt + 1} attempts: {_LATER}") from None
                retry_after = None
            except httpx.TransportError as exc:
                what = type(exc).__name__
                raise AnswerLost(
                    f"the card was sent but Teams' answer never came ({what})", what
                ) from None
            else:
                if answer.is_success:
                    self.sent += 1
                    return _receipt(answer, self.sent)
                if not _retried(answer.status_code) or attempt >= self.retry.retries:
                    raise NotifyError(_refusal(answer, attempt + 1))
                failure = f"HTTP {answer.status_code}"
                retry_after = _retry_after(answer)
            wait = self.retry.wait(attempt, retry_after)
            attempt += 1
            log.info("Teams: %s; retried (%d) after %.1f s", failure, attempt, wait)


# Failures after which no flow can have started: the connection was never made, or the request
# could not be written whole (a flow runs only on a complete request).
NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.UnsupportedProtocol,
)


_LATER = "check the network connection and send again later"


def _retried(status: int) -> bool:
    return status == 429 or status >= 500


def _retry_after(answer: httpx.Response) -> float | None:
    """A 429's wait (Retry-After, else a second); None for a 5xx: back off."""
    if answer.status_code != 429:
        return None
    after = retry_after_seconds(answer.headers.get("Retry-After"), Clock.machine_now())
    return after if after is not None else 1.0


def _refusal(answer: httpx.Response, attempts: int) -> str:
    """What a refusal means and what to do, in plain words; never the URL, not Teams' body
    (it can quote the request) but its error code when it gives one."""
    status = answer.status_code
    code = _error_code(answer)
    said = f"HTTP {status}" + (f" {code}" if code else "")
    if status == 400:
        return f"Teams refused a card as malformed or too large ({said}); please report this"
    if status == 413:
        return f"Teams refused a card as too large ({said}); please report this"
    if status in (401, 403, 404, 410):
        return (
            f"the Teams webhook address is wrong or expired, or its workflow is turned off "
            f"({said}): {RENEW}"
        )
    if status == 429:
        return f"Teams kept asking us to slow down ({said}, {attempts} attempts): send again later"
    if status >= 500:
        return f"Teams could not take the card ({said}, {attempts} attempts): send again later"
    return f"the Teams webhook answered {said}"


def _error_code(answer: httpx.Response) -> str:
    """Power Automate's `{"error": {"code": "..."}}`, if it is a plain word."""
    try:
        data: Any = answer.json()
    except ValueError:
        return ""
    code = data.get("error", {}).get("code") if isinstance(data, dict) else None
    if isinstance(code, str) and code.isascii() and code.replace("_", "").isalnum():
        return code[:60]
    return ""


def _receipt(answer: httpx.Response, n: int) -> str:
    # A Workflows answer names the flow run it started, which a Teams admin can look up.
    run = answer.headers.get("x-ms-workflow-run-id", "")
    return f"teams-run-{run}" if run.isalnum() and len(run) <= 100 else f"teams-{n}"


class _Kind:
    def configured(self, config: Config) -> bool:
        return config.teams.configured

    def setup_hint(self, config: Config) -> str:
        variable = _variable(config)
        if variable == "TEAMS_WEBHOOK_URL":
            return SETUP_HINT
        return SETUP_HINT.replace("TEAMS_WEBHOOK_URL", variable) + f" (group {config.group})"

    def waits_for(self, config: Config, mode: str) -> str | None:
        return _variable(config)

    def make(self, config: Config, words: Words, retry: RetryPolicy | None) -> Notifier:
        url = config.teams.webhook_url
        if not url:
            raise NotifyError(f"Teams is not set up: {self.setup_hint(config)}")
        if not url.lower().startswith(("https://", "http://")):
            raise NotifyError(
                f"{_variable(config)} is not a web address: "
                "set it to the https:// address the Teams workflow shows"
            )
        return TeamsNotifier(url, words, retry, user_agent=config.settings.user_agent)


def _variable(config: Config) -> str:
    """The environment variable the config's Teams webhook is read from: a group's own
    (`[groups.teams] webhook_env`) or TEAMS_WEBHOOK_URL."""
    group = config.group_config
    if group is not None and group.teams is not None:
        return group.teams.webhook_env
    return "TEAMS_WEBHOOK_URL"


KIND = _Kind()

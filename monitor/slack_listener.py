"""Clicks on the Slack cards' menus (Intressant / Vi söker / Inte för oss / Fel område), heard
over Socket Mode while `monitor serve` runs: no public endpoint is needed inside a kommun's
network, only an outgoing WebSocket.

slack-sdk's own Socket Mode client (`slack_sdk.socket_mode.builtin`) is used: it comes with the
slack-sdk the notifier already needs and adds no dependency; slack-bolt would add a framework
for one kind of event. Each envelope is acknowledged at once (Slack wants it within three
seconds), then a click is stored through the tracking store in a connection of its own (the
client's worker threads each open the database), and answered in the digest's thread.

Who: the Slack user's name (users.info, scope users:read; the payload's user name without it)
is `by`. For which förvaltning: a click has none, so `[slack] units` maps Slack user ids to
theirs (the group has one member per förvaltning); anyone else is recorded for
`[slack] default_unit` ("Internationella gruppen"), so the click is kept and shows in
`monitor tracked`. The user's name is never the unit: the yearly report counts per förvaltning.
"Fel område" is feedback not-relevant for the card's area (the call's best area off an area's
card); "Inte för oss" is the state not-for-us. A click for a call that is not stored changes
nothing and says so.

With [[groups]] a card's value names the group whose digest it was in (slack_actions), and
the click is stored for that group with its own `[groups.slack] units` and default_unit and
answered in its language (`Config.for_group`); a value without one is the default group's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from monitor.clock import Clock
from monitor.config import Config
from monitor.errors import MonitorError
from monitor.notify.slack_actions import ACTION_ID, Click, label, read_value
from monitor.store import Store, open_store
from monitor.store.matches import areas_of
from monitor.store.queries import find_item
from monitor.store.tracking import add_feedback, track, units
from monitor.tracking import same_unit

log = logging.getLogger(__name__)

REPLIES = {
    "sv": {
        "state": "{name} markerade {call} som {label} för {unit}.",
        "area": "{name} markerade {call} som fel område ({area}).",
        "unknown": "{call} finns inte i EU-bevakningens databas: inget ändrades.",
        "no_area": (
            "Vilket område som är fel framgår inte för {call}: inget ändrades "
            "(monitor feedback {call} not-relevant --area OMRÅDE)."
        ),
    },
    "en": {
        "state": "{name} marked {call} as {label} for {unit}.",
        "area": "{name} marked {call} as the wrong area ({area}).",
        "unknown": "{call} is not in EU-bevakning's database: nothing was changed.",
        "no_area": (
            "Which area is wrong is not known for {call}: nothing was changed "
            "(monitor feedback {call} not-relevant --area AREA)."
        ),
    },
}


class SlackListener:
    """The Socket Mode connection and what a click does. `config` is asked for at each click,
    so a [slack] units edit read by `monitor serve` takes effect without a restart."""

    def __init__(self, config: Callable[[], Config], clock: Clock) -> None:
        self._config = config
        self._clock = clock
        slack = config().slack
        if not slack.app_token:
            raise MonitorError("SLACK_APP_TOKEN is not set: the Slack menu cannot be heard")
        self.web = WebClient(token=slack.token, base_url=slack.api_url or WebClient.BASE_URL)
        self.client = SocketModeClient(
            app_token=slack.app_token,
            web_client=self.web,
            logger=logging.getLogger(f"{__name__}.socket"),
        )
        self.client.socket_mode_request_listeners.append(self._on_request)

    def start(self) -> None:
        """Open the connection (apps.connections.open, then the WebSocket); clicks are handled
        in the client's threads until `stop`."""
        try:
            self.client.connect()
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown error")
            raise MonitorError(
                f"Slack refused the Socket Mode connection ({error}): check SLACK_APP_TOKEN "
                "(an app-level xapp- token with connections:write) and that Socket Mode is on"
            ) from exc

    def stop(self) -> None:
        self.client.close()

    # -- one envelope ---------------------------------------------------------------------

    def _on_request(self, client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        payload = request.payload or {}
        if request.type != "interactive" or payload.get("type") != "block_actions":
            return
        for action in payload.get("actions") or []:
            if action.get("action_id") != ACTION_ID:
                continue
            click = read_value(str((action.get("selected_option") or {}).get("value", "")))
            if click is None:
                continue
            try:
                answer = self.handle(click, payload)
            except MonitorError as exc:
                log.error("a click in Slack could not be stored: %s", exc)
                continue
            self._reply(payload, answer)

    def handle(self, click: Click, payload: dict[str, Any]) -> str:
        """Store what the click says, for the group whose card it was; returns the answer for
        the thread."""
        group = click.group
        config = self._config().for_group(group)  # a group no longer configured: MonitorError
        words = REPLIES.get(config.settings.language, REPLIES["sv"])
        user = payload.get("user") or {}
        name = self._name(user)
        with self._store(config) as store:
            db = store.db
            try:
                row = find_item(db, click.item_id)
            except MonitorError:
                row = None
            if row is None or row["kind"] != "call":
                return words["unknown"].format(call=click.item_id)
            call = row["identifier"] or row["id"]
            now = self._clock.now()
            if click.state is None:  # "Fel område"
                best = next((m.area for m in areas_of(db, row["id"], group=group)), None)
                area = click.area or best
                if area is None:
                    return words["no_area"].format(call=call)
                add_feedback(
                    db, row["id"], "not-relevant", now=now, area=area, by=name, group=group
                )
                log.info("Slack: %s marked %s not relevant for %s", name, call, area)
                return words["area"].format(name=name, call=call, area=area)
            slack = config.slack
            chosen = slack.units.get(user.get("id", ""), slack.default_unit)
            unit = same_unit(units(db, group=group), chosen)
            track(db, row["id"], unit, click.state, now=now, by=name, group=group)
        log.info("Slack: %s marked %s %s for %s of %s", name, call, click.state, unit, group)
        shown = label(click.action, config.settings.language)
        return words["state"].format(name=name, call=call, label=shown, unit=unit)

    @contextmanager
    def _store(self, config: Config) -> Iterator[Store]:
        store = open_store(config.settings.database)  # this thread's own connection
        try:
            yield store
        finally:
            store.close()

    def _name(self, user: dict[str, Any]) -> str:
        """The user's name as colleagues know it (users.info), else the payload's user name."""
        fallback = str(user.get("name") or user.get("username") or user.get("id") or "Slack")
        if not user.get("id") or not self.web.token:
            return fallback
        try:
            found = self.web.users_info(user=user["id"]).get("user") or {}
        except SlackApiError as exc:
            log.warning(
                "users.info failed (%s): using the Slack user name", exc.response.get("error")
            )
            return fallback
        profile = found.get("profile") or {}
        return str(profile.get("real_name") or found.get("real_name") or fallback)

    def _reply(self, payload: dict[str, Any], text: str) -> None:
        """The answer in the card's thread: the digest's thread when the card is a reply."""
        container = payload.get("container") or {}
        message = payload.get("message") or {}
        channel = container.get("channel_id") or (payload.get("channel") or {}).get("id")
        thread = (
            message.get("thread_ts") or container.get("thread_ts") or container.get("message_ts")
        )
        if not channel or not self.web.token:
            log.info("%s", text)
            return
        try:
            self.web.chat_postMessage(channel=channel, thread_ts=thread, text=text)
        except SlackApiError as exc:
            log.error("the answer in Slack failed (%s): %s", exc.response.get("error"), text)

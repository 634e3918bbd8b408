"""The menu on each call's Slack card (Intressant / Vi söker / Inte för oss / Fel område) and
reading a click on it back. Pure: the one place the option values' format lives, used by the
renderer (slack_blocks) and the listener (slack_listener) alike.

An option's value is `<action>|<item id>` or, for "Fel område" on an area's card,
`wrong-area|<item id>|<area id>`; a card of a group's digest ([[groups]]) adds the group as a
fourth part, `<action>|<item id>|[<area id>]|<group id>` ("interested|eu:X||norrkoping"), so
that a click in Norrköping's channel is Norrköping's. A value without a group (every card
sent before groups, and every card of a config without them) is the default group's. Slack
allows 150 characters in a value and 75 in an option's text (docs.slack.dev, Block Kit
composition objects: option); a card whose item id does not fit gets no menu rather than a
value Slack refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.models import DEFAULT_GROUP

ACTION_ID = "eu-bevakning-track"  # the overflow's action_id: clicks on anything else are not ours
MAX_VALUE = 150
MAX_OPTION_TEXT = 75
WRONG_AREA = "wrong-area"

# Action -> the tracking state it records (None: feedback, not a state), in the menu's order.
ACTIONS: dict[str, str | None] = {
    "interested": "interested",
    "applying": "applying",
    "not-for-us": "not-for-us",
    WRONG_AREA: None,
}
LABELS = {
    "sv": {
        "interested": "Intressant",
        "applying": "Vi söker",
        "not-for-us": "Inte för oss",
        WRONG_AREA: "Fel område",
    },
    "en": {
        "interested": "Interested",
        "applying": "We are applying",
        "not-for-us": "Not for us",
        WRONG_AREA: "Wrong area",
    },
}


@dataclass(frozen=True)
class Click:
    action: str  # a key of ACTIONS
    item_id: str
    area: str | None = None  # the area of the card "Fel område" was chosen on, if known
    group: str = DEFAULT_GROUP  # the group whose digest the card was in

    @property
    def state(self) -> str | None:
        return ACTIONS[self.action]


def label(action: str, language: str) -> str:
    return LABELS.get(language, LABELS["sv"])[action]


def value(click: Click) -> str:
    parts = [click.action, click.item_id, *([click.area] if click.area else [])]
    if click.group != DEFAULT_GROUP:
        parts = [click.action, click.item_id, click.area or "", click.group]
    return "|".join(parts)


def overflow(
    item_id: str, area: str | None, language: str, group: str | None = None
) -> dict[str, Any] | None:
    """The overflow menu for a call's card, or None when its values would not fit Slack.
    `group`: the group whose digest it is in (None: the default group)."""
    options = []
    for action in ACTIONS:
        chosen_area = area if action == WRONG_AREA else None
        shown = value(Click(action, item_id, chosen_area, group or DEFAULT_GROUP))
        if len(shown) > MAX_VALUE or "|" in item_id:
            return None
        text = label(action, language)[:MAX_OPTION_TEXT]
        options.append({"text": {"type": "plain_text", "text": text}, "value": shown})
    return {"type": "overflow", "action_id": ACTION_ID, "options": options}


def read_value(text: str) -> Click | None:
    """The click an option's value stands for; None for a value this program did not make."""
    action, _, rest = text.partition("|")
    item_id, _, rest = rest.partition("|")
    area, _, group = rest.partition("|")
    if action not in ACTIONS or not item_id or "|" in group:
        return None
    return Click(action, item_id, area or None, group or DEFAULT_GROUP)

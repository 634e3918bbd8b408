"""The digest as one neutral document that every notifier renders (Slack, Teams, e-mail, the
terminal), so that no two of them can say different things.

Pure data, worded in the digest's language but with no markup: a renderer escapes every text
for its own markup (mrkdwn, Adaptive Card text, HTML) and makes a link only of an http(s) URL
(`monitor.links.safe_url`). Texts are already clipped to what any reader wants (a title's 250
characters); a renderer's own limits (Slack's 3,000 per section, Teams' ~28 KB per message) are
the renderer's to keep.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    text: str
    strong: bool = False  # bold: a call's title, a section's count in the overview


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None  # as the source gave it; None or a non-http(s) URL is shown as text
    strong: bool = False


Run = Text | Link
Line = tuple[Run, ...]  # one line of text made of runs, shown in order without separators


@dataclass(frozen=True)
class Entry:
    """One call, news item or failing source.

    `lines[0]` is the headline (a call's linked title); the other lines are its facts in order
    (identifier and programme, dates, who may apply, budget, brief, what changed). `mentions`
    are the news naming a call (or the call a news item names), one line each, best first,
    said after `mentions_label` ("Nämns i:"); a renderer short of room shows fewer of them.
    `note` is the side remark in a smaller or italic style (why it matched, other areas, the
    source).
    """

    lines: tuple[Line, ...]
    mentions: tuple[Line, ...] = ()
    mentions_label: str = ""
    note: str = ""
    item_id: str | None = None  # the stored item, for a call or news item
    trackable: bool = False  # a call a förvaltning can mark (Slack offers it a menu)


@dataclass(frozen=True)
class Section:
    """A part of the digest under its own heading.

    `key`: "area:<area id>" for the new calls of an area, else "reminders", "maybe",
    "closing_soon", "changed", "news" or "unhealthy". A `compact` section is a list whose
    entries are a single line each (the "Kanske också" list).
    """

    key: str
    title: str  # "Klimat och miljö: 3 nya utlysningar", "Stänger snart (2)"
    entries: tuple[Entry, ...]
    compact: bool = False
    area: str | None = None  # the area id of an "area:" section
    area_name: str = ""  # and its name, "Klimat och miljö" (an area channel's own heading)

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class DigestDocument:
    title: str  # "EU-bevakning vecka 49"
    subject: str  # an e-mail's subject: "EU-bevakning vecka 49: 3 nya utlysningar"
    language: str  # "sv" or "en"
    week: int
    overview: tuple[Line, ...]  # the period, the counts per section, "no source could be read"
    sections: tuple[Section, ...]
    hint: str = ""  # how to read the rest ("Detaljerna finns i tråden"), for threaded notifiers
    # How to mark a call from the command line, for notifiers without buttons (Teams, e-mail,
    # the terminal); Slack's cards have a menu instead. Empty for an empty digest.
    footer: str = ""
    # The group ([[groups]] id) it is for, carried in the Slack menu's values so that a click
    # is stored for that group; None without [[groups]] (the default group).
    group: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.sections

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

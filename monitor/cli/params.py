"""Option types the verbs share: a day written YYYY-MM-DD, within the years a date can mean;
the group a command is for."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

# Outside these years a date is a typo, and date arithmetic (a week before, a time zone) would
# overflow into "unexpected error".
FIRST_YEAR, LAST_YEAR = 1900, 2199


class Day(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, datetime):
            return value
        try:
            day = datetime.strptime(str(value), "%Y-%m-%d")
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD", param, ctx)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            first, last = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
            self.fail(f"{value} is not a date from {first} to {last}", param, ctx)
        return day


DAY = Day()


class OutputFile(click.Path):
    """A file to write: not a folder, and not empty (`--output ""` from a script whose
    variable was unset would otherwise fail as "unexpected error" when the file is renamed)."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, str) and not value.strip():
            self.fail("no file named: give one, e.g. --output utlysningar.csv", param, ctx)
        return super().convert(value, param, ctx)


OUTPUT_FILE = OutputFile()


# The group (kommun) a command is for, when sources.toml has [[groups]]; App.group reads it.
GROUP_OPTION = click.option(
    "--group",
    "group",
    metavar="ID",
    help="The group ([[groups]] id) this is for; else MONITOR_GROUP, else the only group.",
)


class Bilingual(click.Choice):
    """An English code or its Swedish word, as the tables print it (`--status stängd` for
    `closed`), in any case and with or without å/ä/ö; the command gets the English code."""

    def __init__(self, words: dict[str, str]) -> None:
        self.codes = {_folded(code): code for code in words}
        self.codes.update({_folded(word): code for code, word in words.items()})
        super().__init__([*words, *(w for c, w in words.items() if w != c)])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        code = self.codes.get(_folded(str(value)))
        if code is None:
            return super().convert(value, param, ctx)  # click's own message lists the choices
        return code


def _folded(text: str) -> str:
    return text.strip().casefold().translate(str.maketrans("åäö", "aao"))


# The values the officials' tables print, in Swedish beside the English codes.
STATUS = Bilingual({"open": "öppen", "forthcoming": "kommande", "closed": "stängd"})
KIND = Bilingual({"call": "utlysning", "news": "nyhet"})
RELEVANCE = Bilingual({"relevant": "relevant", "maybe": "kanske", "no": "nej"})

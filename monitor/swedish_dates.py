"""Read dates, and the window a call is open, out of Swedish text (and English, Norwegian, Danish).

Pure functions, no I/O. They understand what funders and networks write:

    19 mars 2024 · 19 dec. 2025 · 1 okt 2024 · den 15 september 2025 · 15. januar 2018
    2024-03-19 · 2024-03-19 12:00 · 2021-03-22T15:46:12 · 19 March 2024 · March 19, 2024
    23/01/2026 and 15.02.2018 (day first, as written in Europe; CEMR writes dd/mm/yyyy)

and, in a call's page text, its status and dates (`read_call_window`):

    Stängd 19 mars 2024 · Kommande: Öppnar för ansökningar: 2024-09-04 14:00
    Sista ansökningsdatum: 2024-10-16 14:00 · stänger 1 oktober 2024 klockan 12.00
    Opening date 15. januar 2018 · Frist 15. februar 2018 · Ansøgningsfrist · Deadline

A date without a year ("stänger 15 oktober") is only read when the caller gives a reference
date (e.g. when the text was published); the year is then the one that puts the date closest
to the reference. Years outside 1900-2199 are not dates (Vinnova writes 0001-01-01 for none).
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from monitor.models import CallStatus

MONTHS: dict[str, int] = {
    # Swedish, with the abbreviations Vinnova and others use ("19 dec. 2025", "1 okt 2024")
    "januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "augusti": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "okt": 10, "nov": 11, "dec": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "oct": 10,
    # Norwegian and Danish
    "januar": 1, "februar": 2, "marts": 3, "mai": 5, "desember": 12, "des": 12,
}  # fmt: skip
MIN_YEAR, MAX_YEAR = 1900, 2199

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"(?:19|2[01])\d\d"
# "19 mars 2024", "15. januar 2018", "1st March 2024", "19 dec. 2025", "25 september" (no year)
_DAY_MONTH = re.compile(
    rf"(?<![\w.,])(?P<d>[0-3]?\d)(?:\.|st|nd|rd|th|:[ae])?\s+(?:of\s+)?"
    rf"(?P<m>{_MONTH})(?![^\W\d_])\.?(?:,?\s+(?P<y>{_YEAR})(?!\d))?",
    re.IGNORECASE,
)
# "March 19, 2024"
_MONTH_DAY = re.compile(
    rf"(?<![^\W\d_])(?P<m>{_MONTH})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>{_YEAR})(?!\d)",
    re.IGNORECASE,
)
# "2024-03-19", "2024-03-19 12:00", "2021-03-22T15:46:12"
_ISO = re.compile(
    rf"(?<![\d-])(?P<y>{_YEAR})-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)"
    r"(?:(?:T|\s+(?:kl\.?\s*|klockan\s+)?)(?P<H>[0-2]?\d)[:.](?P<M>[0-5]\d)(?::[0-5]\d)?)?(?![\d-])"
)
# "23/01/2026", "15.02.2018": day first
_NUMERIC = re.compile(rf"(?<![\d/.])(?P<d>[0-3]?\d)([/.])(?P<m>[01]?\d)\2(?P<y>{_YEAR})(?![\d/])")
# "2.–23. september 2022", "20-21 juni 2023": the first day takes the second's month and year
_DAY_RANGE = re.compile(r"(?<![\w.,])(?P<d>[0-3]?\d)\.?\s*[-–—]\s*(?=[0-3]?\d\.?\s)")
# A time after a date: "klockan 12.00", "kl. 14:00", ", 12:00"
_TIME = re.compile(
    r",?\s+(?:(?:kl\.?|klockan|at)\s*)?(?P<H>[0-2]?\d)[:.](?P<M>[0-5]\d)(?!\d|[.:]\d)"
)


@dataclass(frozen=True)
class DateMention:
    """One date found in a text, with where it is and the words just before it."""

    day: date
    start: int
    end: int
    context: str = ""  # the text before the date on its line, e.g. "Sista ansökningsdatum:"
    at: time | None = None
    year_inferred: bool = False


@dataclass(frozen=True)
class CallWindow:
    """What a call's text says of it: its stated status, when it opens, its deadlines."""

    status: CallStatus | None = None
    opening_date: date | None = None
    deadlines: tuple[date, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.status or self.opening_date or self.deadlines)


def find_dates(text: str, reference: date | None = None) -> list[DateMention]:
    """Every date in `text`, in order. Dates without a year need `reference`."""
    if not text:
        return []
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, day: date | None, at: time | None, inferred: bool) -> None:
        if day is None or any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        line_start = text.rfind("\n", 0, start) + 1
        context = " ".join(text[max(line_start, start - 60) : start].split())
        found.append(DateMention(day, start, end, context, at, inferred))

    for match in _ISO.finditer(text):
        at = _clock(match.group("H"), match.group("M"))
        add(match.start(), match.end(), _date(match["y"], match["m"], match["d"]), at, False)
    for match in _MONTH_DAY.finditer(text):
        day = _date(match["y"], MONTHS[match["m"].lower()], match["d"])
        add(match.start(), *_with_time(text, match.end(), day))
    for match in _NUMERIC.finditer(text):
        day = _date(match["y"], match["m"], match["d"])
        add(match.start(), *_with_time(text, match.end(), day))
    day_month = list(_DAY_MONTH.finditer(text))
    for index, match in enumerate(day_month):
        month = MONTHS[match["m"].lower()]
        year, inferred = match["y"], False
        if year is None:
            # "20 March to 7 June 2024": a range's first date takes the year of its second.
            after = day_month[index + 1] if index + 1 < len(day_month) else None
            if after is not None and after["y"] and _joined(text, match.end(), after.start()):
                year = after["y"]
            elif reference is not None:
                year, inferred = str(_nearest_year(month, int(match["d"]), reference)), True
        if year is None:
            continue
        day = _date(year, month, match["d"])
        end, at = match.end(), None
        if match["y"]:
            end, at = _time_after(text, match.end())
        add(match.start(), end, day, at, inferred)
        # "Fra den 2.–23. september": the lone first day of a range.
        before = _DAY_RANGE.search(text, max(0, match.start() - 12), match.end())
        if before is not None and before.end() == match.start():
            add(before.start(), before.end(), _date(year, month, before["d"]), None, inferred)
    return sorted(found, key=lambda m: m.start)


def parse_date(text: str | None) -> date | None:
    """The date a field holds: the first date in it (ISO, RFC 822, Swedish or English text)."""
    moment = parse_datetime(text)
    return moment.date() if moment is not None else None


def parse_datetime(text: str | None) -> datetime | None:
    """A field's date and time, timezone-aware. A date alone is midnight UTC; an ISO time
    without an offset is taken as UTC (feeds and APIs that omit it mostly mean UTC)."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()[:500]
    iso = _iso_datetime(text)
    if iso is not None:
        return iso
    if re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", text):
        try:  # RFC 822, as RSS writes: "Wed, 23 Nov 2016 16:50:22 +0000"
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            moment = None
        if moment is not None and MIN_YEAR <= moment.year <= MAX_YEAR:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    mentions = find_dates(text)
    if not mentions:
        return None
    first = mentions[0]
    return datetime.combine(first.day, first.at or time(0), tzinfo=UTC)


_OPENING_LABELS = (
    r"öppnar(?:\s+för\s+ansökningar?)?",
    r"ansökan\s+öppnar",
    r"ansökningsomgången\s+öppnar",
    r"öppningsdatum",
    r"första\s+ansökningsdag(?:en)?",
    r"opening\s+date",
    r"opens(?:\s+on)?",
    r"(?:call\s+)?opening",
    r"(?:is\s+)?open\s+from",
    r"öppen\s+från",
    r"åpner",
    r"åbner",
    r"åpningsdato",
    r"ansökningsperiod(?:en)?",
    r"ansökningstid(?:en)?",
    r"(?:application|call|submission)\s+period",
    r"søknadsperiode(?:n)?",
    r"(?m:^)\s*[•·*-]?\s*(?:öppen|open|åpen|åben)",
)
_DEADLINE_LABELS = (
    r"sista\s+ansökningsdag(?:en)?",
    r"sista\s+ansökningsdatum(?:et)?",
    r"sista\s+dag(?:en)?\s+(?:för|att)\s+(?:ansökan|ansöka|söka)",
    r"(?:ansökan|ansökningstiden|ansökningsomgången|utlysningen)\s+stänger",
    r"stänger",
    r"stängd",
    r"stängningsdatum",
    r"(?:är\s+)?öppen\s+(?:fram\s+)?till(?:\s+och\s+med)?",
    r"ansök\w*(?:\s+\S+){0,4}?\s+senast",
    r"sök\s+senast",
    r"(?:submission\s+|application\s+)?deadline(?:\s+date)?(?:\s+of\s+the\s+call)?",
    r"closing\s+date",
    r"closes(?:\s+on)?",
    r"søknadsfrist(?:en)?(?:\s+er)?",
    r"ansøgningsfrist(?:en)?(?:\s+er)?",
    r"frist(?:en)?",
)
# A weekday may stand between a label and its date: "Deadline: Thu, 26 Sep 2024" (the portal's RSS).
_WEEKDAY = r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\b"
_FILLER = rf"(?:\s|[:,.(]|\bden\b|\bthe\b|\bon\b|\bis\b|\bär\b|\bkl\b|{_WEEKDAY})*"
_OPENING = re.compile(rf"(?<!\w)(?:{'|'.join(_OPENING_LABELS)}){_FILLER}$", re.IGNORECASE)
_DEADLINE = re.compile(rf"(?<!\w)(?:{'|'.join(_DEADLINE_LABELS)}){_FILLER}$", re.IGNORECASE)
# "20 March to 7 June 2024" after an opening label: the second date is the deadline.
_RANGE_JOIN = re.compile(r"^\s*(?:[-–—]|to|till|until|tom|t\.o\.m\.|–\s*den)\s*$", re.IGNORECASE)

# A status chip: a line that is the status word alone, or the word then ":" or a date.
_STATUS_WORDS: dict[str, CallStatus] = {
    r"stängd(?:\s+för\s+ansökan)?": "closed",
    r"closed(?:\s+for\s+(?:applications|submission))?": "closed",
    r"stengt|lukket|avslutad": "closed",
    r"kommande|kommer\s+snart|forthcoming|upcoming|kommende": "forthcoming",
    r"öppen(?:\s+för\s+ansökan)?|öppet|pågående": "open",
    r"open(?:\s+for\s+(?:applications|submission))?|åpen|åben": "open",
}
_STATUS_LINE = re.compile(
    rf"^(?:status\s*:\s*)?(?P<word>{'|'.join(_STATUS_WORDS)})(?:\s*$|\s*[:–-](?:\s|$)|\s+(?:den\s+)?\d)",
    re.IGNORECASE,
)
# Phrases that say a call has not opened yet, wherever they stand.
_NOT_YET_OPEN = re.compile(
    r"\b(?:öppnar\s+(?:inom\s+kort|snart)|beräknas\s+öppna|opens\s+soon|not\s+yet\s+open)\b",
    re.IGNORECASE,
)
_ISO_FIELD = re.compile(
    r"^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:Z|[+-]\d\d:?\d\d)?$"
)
_BULLET = re.compile(r"^[\s•·*\-–—▪►✓]+")


def read_call_window(text: str, reference: date | None = None) -> CallWindow:
    """A call's stated status, opening date and deadlines, read from its page or teaser text."""
    if not text:
        return CallWindow()
    status = _stated_status(text)
    openings: list[date] = []
    deadlines: list[date] = []
    previous_end = 0
    previous_was_opening = False
    for mention in find_dates(text, reference):
        before = text[max(previous_end, mention.start - 120) : mention.start]
        range_end = previous_was_opening and _RANGE_JOIN.match(text[previous_end : mention.start])
        if range_end or _DEADLINE.search(before):
            deadlines.append(mention.day)
            previous_was_opening = False
        elif _OPENING.search(before):
            openings.append(mention.day)
            previous_was_opening = True
        else:
            previous_was_opening = False
        previous_end = mention.end
    return CallWindow(
        status=status,
        opening_date=min(openings) if openings else None,
        deadlines=tuple(sorted(set(deadlines))),
    )


def _stated_status(text: str) -> CallStatus | None:
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        found = _STATUS_LINE.match(line)
        if found is not None:
            word = found["word"].lower()
            return next(s for p, s in _STATUS_WORDS.items() if re.fullmatch(p, word))
    return "forthcoming" if _NOT_YET_OPEN.search(text) else None


def _iso_datetime(text: str) -> datetime | None:
    if not re.match(
        r"^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:Z|[+-]\d\d:?\d\d)?$", text
    ):
        return None
    normal = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text.replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(normal)
    except ValueError:
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date(year: str | int, month: str | int, day: str | int) -> date | None:
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def _clock(hour: str | None, minute: str | None) -> time | None:
    if hour is None or minute is None or int(hour) > 23:
        return None
    return time(int(hour), int(minute))


def _time_after(text: str, end: int) -> tuple[int, time | None]:
    found = _TIME.match(text, end)
    at = _clock(found["H"], found["M"]) if found else None
    return (found.end(), at) if found and at else (end, None)


def _with_time(text: str, end: int, day: date | None) -> tuple[int, date | None, time | None, bool]:
    new_end, at = _time_after(text, end)
    return new_end, day, at, False


def _joined(text: str, end: int, start: int) -> bool:
    """Two dates joined as a range: "20 March to 7 June", "25 september – 16 oktober"."""
    return bool(re.fullmatch(r"\s*(?:[-–—]|to|till|until|och|and|–\s*den)\s*", text[end:start]))


def _nearest_year(month: int, day: int, reference: date) -> int:
    def distance(year: int) -> timedelta:
        try:
            return abs(date(year, month, min(day, 28 if month == 2 else day)) - reference)
        except ValueError:
            return timedelta.max

    return min((reference.year - 1, reference.year, reference.year + 1), key=distance)

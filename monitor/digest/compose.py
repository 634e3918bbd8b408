"""The digest's wording: a chosen `Digest` as the neutral `DigestDocument` every notifier renders.

Pure. All the words of the digest are chosen here (the overview's counts, the sections' titles,
each call's card, the side note), and texts are clipped to what any reader wants; what a
renderer adds is only its own markup and its own limits. No text is escaped here: every text
is plain, as the source wrote it.
"""

from __future__ import annotations

from datetime import date

from monitor.digest.document import DigestDocument, Entry, Line, Link, Section, Text
from monitor.digest.model import Digest, DigestItem, Mention, Reminder, SourceProblem
from monitor.notify.i18n import Words
from monitor.notify.mrkdwn import clip
from monitor.tracking import state_label

MAX_TITLE = 250
MAX_FACT = 120  # a type of action
MAX_SUMMARY = 400  # the brief is one or two sentences, at most this long
MAX_MENTION_TITLE = 120
MAX_MENTIONS = 3  # the news naming a call, best first; more is noise in a card
MAX_ERROR = 200  # a short plain line; the whole error is in fetch_log

# The sections after the areas, in the order they are shown and counted at the top: the
# group's own deadlines first, since they are what someone must act on.
LATER_SECTIONS = ("reminders", "maybe", "closing_soon", "changed", "news", "unhealthy")


def compose(
    digest: Digest, words: Words, *, group: str | None = None, group_name: str = ""
) -> DigestDocument:
    """The digest's words. `group`/`group_name`: the [[groups]] entry it is for, whose name
    heads it ("EU-bevakning för Linköpings kommun, vecka 49"); None without [[groups]]."""
    week = digest.week
    sections = [*_area_sections(digest, words), *_later_sections(digest, words)]
    title, subject = words("title", week=week), _subject(digest, words)
    if group is not None:
        named = words("title_group", group=group_name, week=week)
        title, subject = named, named + subject.removeprefix(title)
    return DigestDocument(
        title=title,
        subject=subject,
        language=words.language,
        week=week,
        overview=tuple(_overview(digest, words)),
        sections=tuple(sections),
        hint=words("thread_hint"),
        footer=_footer(words, group) if sections else "",
        group=group,
    )


def _footer(words: Words, group: str | None) -> str:
    # with groups, the command says which group the call is marked for
    return words("footer_track") if group is None else words("footer_track_group", group=group)


def _subject(digest: Digest, words: Words) -> str:
    """A subject that is true of the digest: the new calls, else why there are none."""
    week, count = digest.week, digest.new_count
    if count == 1:
        return words("subject_one", week=week)
    if count:
        return words("subject_new", week=week, count=count)
    if digest.all_sources_failed:
        return words("subject_failed", week=week)
    if digest.reminders and _only_reminders(digest):
        return words("subject_reminders", week=week)
    if digest.is_empty:
        return words("subject_nothing", week=week)
    return words("subject_none", week=week)


def _only_reminders(digest: Digest) -> bool:
    return not (digest.closing_soon or digest.changed or digest.news or digest.maybe)


def _overview(digest: Digest, words: Words) -> list[Line]:
    start = words.day(digest.local(digest.period_start).date())
    lines: list[Line] = [(Text(words("period", start=start)),)]
    if digest.all_sources_failed:  # so that silence never reads as "nothing new"
        names = ", ".join(p.name for p in digest.unhealthy if p.failures)
        lines.append((Text(words("all_failed", sources=names)),))
    if digest.is_empty:
        lines.append((Text(words("nothing")),))
    areas = _areas(digest)
    if areas:
        per_area = ", ".join(f"{digest.area_names.get(a, a)} {len(items)}" for a, items in areas)
        count = sum(len(items) for _, items in areas)
        lines.append(
            (
                Text("• "),
                Text(f"{words('new')}: {count}", strong=True),
                Text(f" ({per_area})"),
            )
        )
    for key in LATER_SECTIONS:
        if shown := len(getattr(digest, key)):
            lines.append((Text(f"• {words(key)}: {shown}"),))
    return lines


def _areas(digest: Digest) -> list[tuple[str, list[DigestItem]]]:
    return [(area, items) for area, items in digest.new_by_area.items() if items]


def _area_sections(digest: Digest, words: Words) -> list[Section]:
    sections = []
    for area, items in _areas(digest):
        name = digest.area_names.get(area, area)
        key = "new_in_area_one" if len(items) == 1 else "new_in_area"
        sections.append(
            Section(
                key=f"area:{area}",
                title=words(key, area=name, count=len(items)),
                entries=tuple(_call(i, digest, words) for i in items),
                area=area,
                area_name=name,
            )
        )
    return sections


def _later_sections(digest: Digest, words: Words) -> list[Section]:
    entries: dict[str, list[Entry]] = {
        "reminders": [_reminder(r, digest, words) for r in digest.reminders],
        "maybe": [_listed(i) for i in digest.maybe],
        "closing_soon": [_call(i, digest, words) for i in digest.closing_soon],
        "changed": [_call(i, digest, words) for i in digest.changed],
        "news": [_news(i, digest, words) for i in digest.news],
        "unhealthy": [_problem(p, words) for p in digest.unhealthy],
    }
    return [
        Section(
            key=key,
            title=f"{words(key)} ({len(entries[key])})",
            entries=tuple(entries[key]),
            compact=key == "maybe",
        )
        for key in LATER_SECTIONS
        if entries[key]
    ]


def _headline(item: DigestItem, *, strong: bool = True) -> Line:
    return (Link(clip(item.title, MAX_TITLE), item.url, strong=strong),)


def _listed(item: DigestItem) -> Entry:
    """A maybe call: its linked title alone."""
    return Entry(lines=(_headline(item, strong=False),), item_id=item.id)


def _call(item: DigestItem, digest: Digest, words: Words) -> Entry:
    """A call's card: title, identifier and facts, dates, who may apply, budget, a brief."""
    facts = [f for f in (item.identifier, item.programme) if f]
    if item.status:
        facts.append(words.status(item.status))
    if item.types_of_action:
        types = clip(", ".join(item.types_of_action), MAX_FACT)
        facts.append(words("type_of_action", types=types))
    texts = [" · ".join(facts), " · ".join(_date_facts(item, digest, words))]
    if item.applicants:
        texts.append(words("who", who=_who(item, words)))
    texts.append(_budget_line(item, words))
    if item.summary:
        texts.append(clip(item.summary, MAX_SUMMARY))
    texts.append(_change_line(item, words))
    return Entry(
        lines=(_headline(item), *((Text(t),) for t in texts if t)),
        mentions=_mentions(item),
        mentions_label=words("mentioned_in"),
        note=_note(item, digest, words),
        item_id=item.id,
        trackable=item.kind == "call",
    )


def _reminder(reminder: Reminder, digest: Digest, words: Words) -> Entry:
    """A tracked call: its title, its code and deadline with the days left, then each
    förvaltning working on it and its state."""
    when = words.days_left(reminder.deadline, digest.today)
    deadline = f"{words('deadline', date=words.day(reminder.deadline))} ({when})"
    facts = " · ".join(f for f in (reminder.identifier, deadline) if f)
    units = tuple(
        (Text(words("unit_state", unit=unit, state=state_label(state, words.language))),)
        for unit, state in reminder.units
    )
    headline = (Link(clip(reminder.title, MAX_TITLE), reminder.url, strong=True),)
    return Entry(lines=(headline, (Text(facts),), *units), item_id=reminder.id, trackable=True)


def _news(item: DigestItem, digest: Digest, words: Words) -> Entry:
    lines = [_headline(item)]
    if item.published:
        lines.append((Text(words.day(digest.local(item.published).date())),))
    return Entry(
        lines=tuple(lines),
        mentions=_mentions(item),
        mentions_label=words("about_call"),
        note=_note(item, digest, words),
        item_id=item.id,
    )


def _mentions(item: DigestItem) -> tuple[Line, ...]:
    return tuple(_mention(m) for m in item.mentions[:MAX_MENTIONS])


def _mention(mention: Mention) -> Line:
    return (Link(clip(mention.title, MAX_MENTION_TITLE), mention.url), Text(f" ({mention.source})"))


def _note(item: DigestItem, digest: Digest, words: Words) -> str:
    """Why it matched, the other areas it is in, and where it comes from."""
    details = []
    if item.phrases:
        details.append(words("matched", phrases=", ".join(item.phrases)))
    others = [digest.area_names.get(a, a) for a in item.areas[1:]]
    if others:
        details.append(words("also", areas=", ".join(others)))
    details.append(words("source", source=item.source))
    return " · ".join(details)


def _date_facts(item: DigestItem, digest: Digest, words: Words) -> list[str]:
    facts = []
    if item.status == "forthcoming" and item.opening_date:
        facts.append(words("opens", date=words.day(item.opening_date)))
    if item.deadline:
        when = words.days_left(item.deadline, digest.today)
        day = words.day(item.deadline)
        key, time = ("deadline_at", item.deadline_time) if item.deadline_time else ("deadline", "")
        facts.append(f"{words(key, date=day, time=time)} ({when})")
    else:
        facts.append(words("no_deadline"))
    return facts


def _who(item: DigestItem, words: Words) -> str:
    """ "kommuner och regioner, skolor; konsortier om minst 3 parter från minst 3 länder"."""
    who = item.applicants
    keys = list(who.kinds)
    if "public" in keys and "private" in keys:  # "legal entities (public or private bodies)"
        keys[keys.index("public")] = "public_private"
        keys.remove("private")
    kinds = ", ".join(words(f"kind_{k}") for k in keys)
    if who.partners and who.countries:
        group = words("consortium_countries", n=who.partners, m=who.countries)
    elif who.partners:
        group = words("consortium", n=who.partners)
    else:
        group = ""
    return "; ".join(x for x in (kinds, group) if x)


def _budget_line(item: DigestItem, words: Words) -> str:
    """Total, per grant, number of grants and the EU's rate, whichever are known."""
    parts = []
    if item.budget:
        parts.append(words("budget_total", amount=words.money(item.budget)))
    low, high = item.min_contribution, item.max_contribution
    if low and high:
        if low == high:
            parts.append(words("per_grant", amount=words.money(low)))
        else:
            parts.append(words("per_grant_range", amounts=words.money_range(low, high)))
    elif high:
        parts.append(words("per_grant_up_to", amount=words.money(high)))
    elif low:
        parts.append(words("per_grant_at_least", amount=words.money(low)))
    if item.expected_grants:
        parts.append(words("grants", n=item.expected_grants))
    if item.cofinancing:
        parts.append(words("cofinancing", rate=item.cofinancing))
    return words("budget_line", parts=" · ".join(parts)) if parts else ""


def _change_line(item: DigestItem, words: Words) -> str:
    if not item.changes:
        return ""
    shown = "; ".join(
        f"{words('field_' + c.field)} {_value(c.field, c.old, words)} → "
        f"{_value(c.field, c.new, words)}"
        for c in item.changes
    )
    return words("changed_line", changes=shown)


def _value(field: str, value: str | None, words: Words) -> str:
    """A changed value as the card shows it: statuses in words, dates as "8 apr 2027"
    (the digest's one date style), amounts as money."""
    if value in ("open", "forthcoming", "closed"):
        return words.status(value)
    if not value:
        return "–"
    if field in ("deadlines", "opening_date"):
        return ", ".join(_day_or_text(v.strip(), words) for v in value.split(","))
    if field == "budget":
        try:
            return words.money(float(value))
        except ValueError:
            return value
    return value


def _day_or_text(value: str, words: Words) -> str:
    try:
        return words.day(date.fromisoformat(value))
    except ValueError:
        return value


def _problem(problem: SourceProblem, words: Words) -> Entry:
    last = (
        words("last_ok", date=_day_or_text(problem.last_success[:10], words))
        if problem.last_success
        else words("never_ok")
    )
    return Entry(lines=((Text(f"{_problem_line(problem, words)} ({last})"),),))


def _problem_line(problem: SourceProblem, words: Words) -> str:
    named = {"name": problem.name, "source": problem.source}
    if problem.failures:
        error = clip(" ".join((problem.error or "").split()), MAX_ERROR)
        if problem.failures == 1:
            return words("failed_once", error=error, **named)
        return words("failed_times", n=problem.failures, error=error, **named)
    if problem.usual_items:
        return words("returned_none", n=problem.usual_items, **named)
    return words("source_problem", reason=problem.reason, **named)

"""The digest's words in Swedish (the default) and English."""

from __future__ import annotations

from datetime import date

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "EU-bevakning vecka {week}",
        "title_group": "EU-bevakning för {group}, vecka {week}",
        "subject_new": "EU-bevakning vecka {week}: {count} nya utlysningar",
        "subject_one": "EU-bevakning vecka {week}: 1 ny utlysning",
        "subject_none": "EU-bevakning vecka {week}: inga nya utlysningar",
        "subject_nothing": "EU-bevakning vecka {week}: inget nytt",
        "subject_failed": "EU-bevakning vecka {week}: inga källor kunde läsas",
        "period": "Nytt sedan {start}.",
        "new": "Nya utlysningar",
        "new_in_area": "{area}: {count} nya utlysningar",
        "new_in_area_one": "{area}: 1 ny utlysning",
        "closing_soon": "Stänger snart",
        "changed": "Ändrade utlysningar",
        "news": "Nyheter från nätverk och myndigheter",
        "maybe": "Kanske också",
        "reminders": "Bevakade ansökningar",
        "unhealthy": "Källor som inte fungerar",
        "subject_reminders": "EU-bevakning vecka {week}: bevakade ansökningar stänger snart",
        "unit_state": "{unit}: {state}",
        "footer_track": (
            "Markera en utlysning för er förvaltning: monitor track KOD --state "
            'intresserad|söker|inte-för-oss --unit "Förvaltningen" (KOD står på kortet).'
        ),
        "footer_track_group": (
            "Markera en utlysning för er förvaltning: monitor track KOD --state "
            'intresserad|söker|inte-för-oss --unit "Förvaltningen" --group {group} '
            "(KOD står på kortet)."
        ),
        "nothing": "Inget nytt den här veckan.",
        "thread_hint": "Detaljerna finns i tråden: ett svar per område och avsnitt.",
        "first_of": "1/{total}",
        "continued": "forts. {n}/{total}",
        "deadline": "Sista dag {date}",
        "deadline_at": "Sista dag {date} kl. {time} (Bryssel)",
        "opens": "Öppnar {date}",
        "type_of_action": "Typ av insats: {types}",
        "who": "Vem kan söka: {who}",
        "consortium": "konsortier om minst {n} parter",
        "consortium_countries": "konsortier om minst {n} parter från minst {m} länder",
        "kind_local_regional": "kommuner och regioner",
        "kind_public": "offentliga organisationer",
        "kind_private": "privata organisationer",
        "kind_public_private": "offentliga och privata organisationer",
        "kind_schools": "skolor",
        "kind_ngo": "ideella organisationer",
        "kind_companies": "företag",
        "kind_research": "universitet och forskningsorganisationer",
        "budget_line": "Budget: {parts}",
        "budget_total": "{amount} totalt",
        "per_grant": "{amount} per projekt",
        "per_grant_range": "{amounts} per projekt",
        "per_grant_up_to": "upp till {amount} per projekt",
        "per_grant_at_least": "minst {amount} per projekt",
        "grants": "cirka {n} projekt får stöd",
        "cofinancing": "EU-stöd {rate} % av kostnaderna",
        "no_deadline": "Sista dag anges inte",
        "today": "i dag",
        "tomorrow": "i morgon",
        "days_left": "om {n} dagar",
        "passed": "passerad",
        "matched": "Varför: {phrases}",
        "also": "Även inom: {areas}",
        "source": "Källa: {source}",
        # Labels said before an entry's mentions (the document's `mentions_label`).
        "mentioned_in": "Nämns i:",
        "about_call": "Gäller utlysningen:",
        "changed_line": "Ändrat: {changes}",
        "source_problem": "{name} ({source}): {reason}",
        "all_failed": (
            "Inga nya utlysningar kunde hämtas: alla källor misslyckades senast ({sources})."
        ),
        "failed_once": "{name} ({source}): hämtningen misslyckades senast: {error}",
        "failed_times": "{name} ({source}): hämtningen har misslyckats {n} gånger i rad: {error}",
        "returned_none": (
            "{name} ({source}): gav inga poster men brukar ge {n}; "
            "sidans utformning eller adress kan ha ändrats"
        ),
        "last_ok": "fungerade senast {date}",
        "never_ok": "har aldrig fungerat",
        "area_channel_top": "EU-bevakning vecka {week}: {area}",
        "field_status": "status",
        "field_deadlines": "sista dag",
        "field_opening_date": "öppningsdatum",
        "field_title": "titel",
        "field_budget": "budget",
        "open": "öppen",
        "forthcoming": "kommande",
        "closed": "stängd",
        "million": "{value} mn €",
        "euros": "{value} €",
    },
    "en": {
        "title": "EU monitoring week {week}",
        "title_group": "EU monitoring for {group}, week {week}",
        "subject_new": "EU monitoring week {week}: {count} new calls",
        "subject_one": "EU monitoring week {week}: 1 new call",
        "subject_none": "EU monitoring week {week}: no new calls",
        "subject_nothing": "EU monitoring week {week}: nothing new",
        "subject_failed": "EU monitoring week {week}: no source could be read",
        "period": "New since {start}.",
        "new": "New calls",
        "new_in_area": "{area}: {count} new calls",
        "new_in_area_one": "{area}: 1 new call",
        "closing_soon": "Closing soon",
        "changed": "Changed calls",
        "news": "News from networks and agencies",
        "maybe": "Maybe also",
        "reminders": "Tracked applications",
        "unhealthy": "Sources not working",
        "subject_reminders": "EU monitoring week {week}: tracked applications closing soon",
        "unit_state": "{unit}: {state}",
        "footer_track": (
            "To mark a call for your department: monitor track ID --state "
            'interested|applying|not-for-us --unit "Department" (the ID is on the card).'
        ),
        "footer_track_group": (
            "To mark a call for your department: monitor track ID --state "
            'interested|applying|not-for-us --unit "Department" --group {group} '
            "(the ID is on the card)."
        ),
        "nothing": "Nothing new this week.",
        "thread_hint": "Details in the thread: one reply per area and section.",
        "first_of": "1/{total}",
        "continued": "cont. {n}/{total}",
        "deadline": "Deadline {date}",
        "deadline_at": "Deadline {date} {time} (Brussels)",
        "opens": "Opens {date}",
        "type_of_action": "Type of action: {types}",
        "who": "Who may apply: {who}",
        "consortium": "consortia of at least {n} partners",
        "consortium_countries": "consortia of at least {n} partners from at least {m} countries",
        "kind_local_regional": "local and regional authorities",
        "kind_public": "public bodies",
        "kind_private": "private bodies",
        "kind_public_private": "public and private bodies",
        "kind_schools": "schools",
        "kind_ngo": "NGOs",
        "kind_companies": "companies",
        "kind_research": "universities and research organisations",
        "budget_line": "Budget: {parts}",
        "budget_total": "{amount} in total",
        "per_grant": "{amount} per project",
        "per_grant_range": "{amounts} per project",
        "per_grant_up_to": "up to {amount} per project",
        "per_grant_at_least": "at least {amount} per project",
        "grants": "about {n} projects funded",
        "cofinancing": "EU co-financing {rate}% of costs",
        "no_deadline": "No deadline given",
        "today": "today",
        "tomorrow": "tomorrow",
        "days_left": "in {n} days",
        "passed": "passed",
        "matched": "Why: {phrases}",
        "also": "Also in: {areas}",
        "source": "Source: {source}",
        "mentioned_in": "Mentioned in:",
        "about_call": "About the call:",
        "changed_line": "Changed: {changes}",
        "source_problem": "{name} ({source}): {reason}",
        "all_failed": (
            "No new calls could be fetched: every source failed its last run ({sources})."
        ),
        "failed_once": "{name} ({source}): failed its last run: {error}",
        "failed_times": "{name} ({source}): failed {n} runs in a row: {error}",
        "returned_none": (
            "{name} ({source}): returned no items where it used to return {n}; "
            "the page layout or address may have changed"
        ),
        "last_ok": "last worked {date}",
        "never_ok": "has never worked",
        "area_channel_top": "EU monitoring week {week}: {area}",
        "field_status": "status",
        "field_deadlines": "deadline",
        "field_opening_date": "opening date",
        "field_title": "title",
        "field_budget": "budget",
        "open": "open",
        "forthcoming": "forthcoming",
        "closed": "closed",
        "million": "€{value}m",
        "euros": "€{value}",
    },
}

_MONTHS = {
    "sv": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


class Words:
    def __init__(self, language: str) -> None:
        self.language = language if language in TEXTS else "sv"
        self._texts = TEXTS[self.language]

    def __call__(self, key: str, **values: object) -> str:
        return self._texts[key].format(**values)

    def day(self, value: date) -> str:
        return f"{value.day} {_MONTHS[self.language][value.month - 1]} {value.year}"

    def days_left(self, deadline: date, today: date) -> str:
        days = (deadline - today).days
        if days < 0:
            return self("passed")
        if days == 0:
            return self("today")
        if days == 1:
            return self("tomorrow")
        return self("days_left", n=days)

    def money(self, euros: float) -> str:
        key = "million" if euros >= 1_000_000 else "euros"
        return self(key, value=self._amount(euros))

    def money_range(self, low: float, high: float) -> str:
        """ "1,5–2 mn €": the unit once when both amounts have the same."""
        if (low >= 1_000_000) == (high >= 1_000_000):
            key = "million" if low >= 1_000_000 else "euros"
            return self(key, value=f"{self._amount(low)}–{self._amount(high)}")
        return f"{self.money(low)}–{self.money(high)}"

    def _amount(self, euros: float) -> str:
        if euros >= 1_000_000:
            value = f"{euros / 1_000_000:.1f}".rstrip("0").rstrip(".")
            return value.replace(".", ",") if self.language == "sv" else value
        value = f"{euros:,.0f}"
        if self.language == "sv":
            value = value.replace(",", "\u00a0")  # 214 000 €, with a space that does not break
        return value

    def status(self, status: str | None) -> str:
        return self(status) if status in ("open", "forthcoming", "closed") else ""

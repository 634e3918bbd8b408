"""The yearly report's words in Swedish (the default) and English, with numbers and dates.

Kept apart from the digest's table (monitor/notify/i18n.py): the report speaks to the
municipal executive board in full sentences, the digest to officials in short lines.
A value that is a pair is (singular, plural), chosen by `Words.n`.
"""

from __future__ import annotations

from datetime import date

NBSP = "\u00a0"

TEXTS: dict[str, dict[str, str | tuple[str, str]]] = {
    "sv": {
        "title": "EU-bevakning: årsrapport {year}",
        "subtitle": "Sammanställning för kommunstyrelsen. Period: {period}. Skapad {made}.",
        "ongoing": " (året pågår)",
        "empty": (
            "Det finns inga uppgifter för {year}: inga källor hämtades och inga utlysningar "
            "registrerades under året."
        ),
        "intro_sources": (
            "Under {year} bevakade den internationella gruppen {n} källa.",
            "Under {year} bevakade den internationella gruppen {n} källor.",
        ),
        "intro_calls": ("{n} ny utlysning upptäcktes", "{n} nya utlysningar upptäcktes"),
        "intro_relevant": (
            ", varav {n} bedömdes relevant för kommunens prioriterade områden.",
            ", varav {n} bedömdes relevanta för kommunens prioriterade områden.",
        ),
        # No rules, or they were never run: "0 relevant" would be wrong.
        "intro_unjudged": "Utlysningarna har inte bedömts mot kommunens prioriterade områden.",
        "intro_top": "Flest relevanta utlysningar fanns inom {areas}.",
        "intro_closed": ("{n} utlysning stängde under året", "{n} utlysningar stängde under året"),
        "intro_closed_relevant": (", varav {n} relevant.", ", varav {n} relevanta."),
        "and": "och",
        "calls": "Utlysningar",
        "per_area": "Per område",
        "per_area_note": (
            "En utlysning kan höra till flera områden och räknas då i vart och ett av dem."
        ),
        "per_month": "Per månad",
        "per_area_month": "Relevanta utlysningar per område och månad",
        "chart_desc": "Staplat stapeldiagram. Samma siffror finns i tabellen under diagrammet.",
        "per_programme": "Per program",
        "no_calls": "Inga nya utlysningar under året.",
        "no_matched": "Inga relevanta utlysningar under året.",
        "closed_heading": "Utlysningar som stängde under {year}",
        "closed_text": (
            "{n} utlysning hade sista ansökningsdag under året",
            "{n} utlysningar hade sista ansökningsdag under året",
        ),
        "closed_listed": (
            "; {n} av dem var relevant och listas här under sitt främsta område.",
            "; {n} av dem var relevanta och listas här, var och en under sitt främsta område.",
        ),
        "closed_none_listed": "; ingen av dem var relevant.",
        "no_closed": "Inga utlysningar stängde under året.",
        "sources": "Källor",
        "new_sources": "Nya källor under året",
        "no_new_sources": "Inga nya källor tillkom under året.",
        "health": "Källornas drift under året",
        "health_text": (
            "En körning är en hämtning av källan; en lyckad körning gav svar som kunde läsas."
        ),
        "no_runs": "Inga källor hämtades under året.",
        "col_area": "Område",
        "col_matched": "Relevanta utlysningar",
        "col_closed_matched": "Relevanta som stängde",
        "col_month": "Månad",
        "col_seen": "Nya utlysningar",
        "col_of_which": "Varav relevanta",
        "col_total": "Totalt",
        "col_programme": "Program",
        "col_title": "Utlysning",
        "col_identifier": "Identifierare",
        "col_deadline": "Sista dag",
        "col_other_areas": "Även område",
        "col_source": "Källa",
        "col_first_fetch": "Första hämtning",
        "col_runs": "Körningar",
        "col_failed": "Misslyckade",
        "col_success": "Lyckade körningar",
        "col_new_items": "Nya poster",
        "col_last_error": "Senaste fel",
        "col_now": "Läge nu",
        "whole_year": "Hela året",
        "unknown_programme": "(program saknas)",
        "link": "länk",
        "works": "fungerar",
        "failed_last": "misslyckades senast: {reason}",
        "not_working": "fungerar inte: {reason}",
        "worked_never": "fungerade inte under året",
        "worked_never_ongoing": "fungerade inte i år",
        "worked_always": "fungerade alla körningar",
        "worked_some": "fungerade i {ok} av {runs} körningar ({share})",
        "none": "–",
        "share": "{value}" + NBSP + "%",
        "applications": "Förvaltningarnas ansökningar",
        "applications_text": (
            "Under {year} markerade förvaltningarna {interested} och skickade in {submitted}; "
            "{granted} (sammanlagt {amount}) och {rejected}."
        ),
        "no_applications": "Inga utlysningar bevakades av förvaltningarna under året.",
        "interested_n": ("{n} utlysning som intressant", "{n} utlysningar som intressanta"),
        "submitted_n": ("{n} ansökan", "{n} ansökningar"),
        "granted_n": ("{n} ansökan beviljades", "{n} ansökningar beviljades"),
        "rejected_n": ("{n} avslogs", "{n} avslogs"),
        "kronor": "{amount}" + NBSP + "kr",
        "per_unit": "Per förvaltning",
        "per_area_best_note": "Varje utlysning räknas under sitt främsta område.",
        "col_unit": "Förvaltning",
        "col_interested": "Intresserade",
        "col_submitted": "Inskickade ansökningar",
        "col_granted": "Beviljade",
        "col_granted_amount": "Beviljat belopp (kr)",
        "col_rejected": "Avslagna",
        "no_area": "Inget område",
        "against_previous": "Jämfört med {previous}",
        "col_measure": "Mått",
        "col_change": "Förändring",
    },
    "en": {
        "title": "EU monitoring: annual report {year}",
        "subtitle": "Compiled for the municipal executive board. Period: {period}. Made {made}.",
        "ongoing": " (year in progress)",
        "empty": (
            "There is no data for {year}: no sources were fetched and no calls were recorded "
            "during the year."
        ),
        "intro_sources": (
            "In {year} the international group monitored {n} source.",
            "In {year} the international group monitored {n} sources.",
        ),
        "intro_calls": ("{n} new call was found", "{n} new calls were found"),
        "intro_relevant": (
            ", of which {n} was judged relevant to the municipality's priority areas.",
            ", of which {n} were judged relevant to the municipality's priority areas.",
        ),
        "intro_unjudged": "The calls have not been judged against the priority areas.",
        "intro_top": "Most relevant calls were in {areas}.",
        "intro_closed": ("{n} call closed during the year", "{n} calls closed during the year"),
        "intro_closed_relevant": (", of which {n} relevant.", ", of which {n} relevant."),
        "and": "and",
        "calls": "Calls",
        "per_area": "By area",
        "per_area_note": "A call can belong to several areas and is then counted in each.",
        "per_month": "By month",
        "per_area_month": "Relevant calls by area and month",
        "chart_desc": "Stacked bar chart. The same figures are in the table below the chart.",
        "per_programme": "By programme",
        "no_calls": "No new calls during the year.",
        "no_matched": "No relevant calls during the year.",
        "closed_heading": "Calls that closed in {year}",
        "closed_text": (
            "{n} call had its deadline during the year",
            "{n} calls had their deadline during the year",
        ),
        "closed_listed": (
            "; {n} of them was relevant and is listed here under its main area.",
            "; {n} of them were relevant and are listed here, each under its main area.",
        ),
        "closed_none_listed": "; none of them was relevant.",
        "no_closed": "No calls closed during the year.",
        "sources": "Sources",
        "new_sources": "New sources this year",
        "no_new_sources": "No new sources were added during the year.",
        "health": "How the sources worked during the year",
        "health_text": "A run is one fetch of the source; a successful run gave a readable answer.",
        "no_runs": "No sources were fetched during the year.",
        "col_area": "Area",
        "col_matched": "Relevant calls",
        "col_closed_matched": "Relevant that closed",
        "col_month": "Month",
        "col_seen": "New calls",
        "col_of_which": "Of which relevant",
        "col_total": "Total",
        "col_programme": "Programme",
        "col_title": "Call",
        "col_identifier": "Identifier",
        "col_deadline": "Deadline",
        "col_other_areas": "Also in area",
        "col_source": "Source",
        "col_first_fetch": "First fetch",
        "col_runs": "Runs",
        "col_failed": "Failed",
        "col_success": "Successful runs",
        "col_new_items": "New items",
        "col_last_error": "Last error",
        "col_now": "Status now",
        "whole_year": "Whole year",
        "unknown_programme": "(no programme)",
        "link": "link",
        "works": "working",
        "failed_last": "failed its last run: {reason}",
        "not_working": "not working: {reason}",
        "worked_never": "did not work during the year",
        "worked_never_ongoing": "has not worked this year",
        "worked_always": "worked in every run",
        "worked_some": "worked in {ok} of {runs} runs ({share})",
        "none": "–",
        "share": "{value}%",
        "applications": "The departments' applications",
        "applications_text": (
            "In {year} the departments marked {interested} and submitted {submitted}; "
            "{granted} (in total {amount}) and {rejected}."
        ),
        "no_applications": "No calls were tracked by the departments in the year.",
        "interested_n": ("{n} call as interesting", "{n} calls as interesting"),
        "submitted_n": ("{n} application", "{n} applications"),
        "granted_n": ("{n} application was granted", "{n} applications were granted"),
        "rejected_n": ("{n} was rejected", "{n} were rejected"),
        "kronor": "SEK {amount}",
        "per_unit": "Per department",
        "per_area_best_note": "Each call is counted under its best-matching area.",
        "col_unit": "Department",
        "col_interested": "Interested",
        "col_submitted": "Applications submitted",
        "col_granted": "Granted",
        "col_granted_amount": "Amount granted (SEK)",
        "col_rejected": "Rejected",
        "no_area": "No area",
        "against_previous": "Compared with {previous}",
        "col_measure": "Measure",
        "col_change": "Change",
    },
}

_MONTHS = {
    "sv": [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


class ReportWords:
    """Words, counts, numbers and dates in one language; unknown languages fall back to Swedish."""

    def __init__(self, language: str) -> None:
        self.language = language if language in TEXTS else "sv"
        self._texts = TEXTS[self.language]

    def __call__(self, key: str, **values: object) -> str:
        text = self._texts[key]
        assert isinstance(text, str), f"{key} has a singular and plural: use Words.n"
        return text.format(**values)

    def n(self, key: str, n: int, **values: object) -> str:
        """The singular or plural sentence for `n`, with n (and the other values) filled in."""
        forms = self._texts[key]
        assert isinstance(forms, tuple), f"{key} has one form: use Words(key)"
        one, other = forms
        return (one if n == 1 else other).format(n=self.number(n), **values)

    def number(self, value: int) -> str:
        # Swedish groups thousands with a space: one that does not break keeps 1 240 together.
        text = f"{value:,}"
        return text.replace(",", NBSP) if self.language == "sv" else text

    def share(self, part: int, whole: int) -> str:
        if whole == 0:
            return self("none")
        # Rounded down, one decimal: 2 failures in 3,000 runs is 99,9 %, never a flattering 100 %.
        tenths = 1000 * part // whole
        value = str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10:.1f}"
        if self.language == "sv":
            value = value.replace(".", ",")
        return self("share", value=value)

    def month(self, number: int) -> str:
        return _MONTHS[self.language][number - 1]

    def short_month(self, number: int) -> str:
        return self.month(number)[:3]

    def day(self, value: date) -> str:
        return f"{value.day} {self.month(value.month)} {value.year}"

    def span(self, start: date, end: date) -> str:
        """1 januari–31 december 2026: the year written once when both days share it."""
        if start.year == end.year:
            return f"{start.day} {self.month(start.month)}–{self.day(end)}"
        return f"{self.day(start)}–{self.day(end)}"

    def listing(self, parts: list[str]) -> str:
        """A, B och C."""
        if len(parts) <= 1:
            return "".join(parts)
        return f"{', '.join(parts[:-1])} {self('and')} {parts[-1]}"

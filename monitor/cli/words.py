"""The officials' commands' words in Swedish (the default) and English (`settings.language`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "identifier": "ID",
        "status": "STATUS",
        "deadline": "SISTA DAG",
        "programme": "PROGRAM",
        "title": "TITEL",
        "open": "öppen",
        "forthcoming": "kommande",
        "closed": "stängd",
        "matched": "träff: {words}",
        "matched_for": "{found} (för {typed})",
        "no_items": "Inga träffar.",
        "no_database": (
            "databasen {path} finns inte: kör 'monitor run' först, eller ange rätt fil med --db"
        ),
        "no_deadlines": "Inga sista ansökningsdagar de närmaste {days} dagarna.",
        "days_left": "{n} d",
        "areas": "Områden",
        "score": "poäng",
        "changes": "Ändringar",
        "mentioned_in": "Nämns i",
        "names": "Nämner utlysningarna",
        "wrote": "Skrev {count} {noun} till {path}.",
        "wrote_report": "Skrev årsrapporten för {year} till {path}.",
        "wrote_digest": "Skrev sammanställningen till {path}.",
        "verdict_relevant": "relevant",
        "verdict_not-relevant": "inte relevant",
        "no_config": (
            "Ingen sources.toml i {folder}: de inbyggda standardinställningarna används "
            "(bara EU-portalen). Ange en med --config."
        ),
        "items": "poster",
        "events": "händelser",
        "call": "utlysning",
        "news": "nyhet",
        "maybe": "kanske",
        "no": "nej",
        "relevant": "relevant",
        "yes": "ja",
    },
    "en": {
        "identifier": "IDENTIFIER",
        "status": "STATUS",
        "deadline": "DEADLINE",
        "programme": "PROGRAMME",
        "title": "TITLE",
        "open": "open",
        "forthcoming": "forthcoming",
        "closed": "closed",
        "matched": "matched: {words}",
        "matched_for": "{found} (for {typed})",
        "no_items": "No items found.",
        "no_database": (
            "the database {path} does not exist: run 'monitor run' first, or name the right "
            "file with --db"
        ),
        "no_deadlines": "No deadlines in the next {days} days.",
        "days_left": "{n} d",
        "areas": "Areas",
        "score": "score",
        "changes": "Changes",
        "mentioned_in": "Mentioned in",
        "names": "Names the calls",
        "wrote": "Wrote {count} {noun} to {path}.",
        "wrote_report": "Wrote the {year} report to {path}.",
        "wrote_digest": "Wrote the digest to {path}.",
        "verdict_relevant": "relevant",
        "verdict_not-relevant": "not relevant",
        "no_config": (
            "No sources.toml in {folder}: using the built-in defaults (the EU portal only). "
            "Give one with --config."
        ),
        "items": "items",
        "events": "events",
        "call": "call",
        "news": "news",
        "maybe": "maybe",
        "no": "no",
        "relevant": "relevant",
        "yes": "yes",
    },
}


# An item's fields as `show` labels them in Swedish (English: the column's own name).
FIELD_LABELS_SV = {
    "id": "id",
    "source": "källa",
    "kind": "typ",
    "identifier": "identifierare",
    "call_identifier": "utlysningens id",
    "call_title": "utlysningens titel",
    "title": "titel",
    "url": "länk",
    "summary": "sammanfattning",
    "programme": "program",
    "programme_code": "programkod",
    "status": "status",
    "source_status": "status hos källan",
    "opening_date": "öppnar",
    "deadline": "sista dag",
    "deadlines": "sista dagar",
    "published": "publicerad",
    "keywords": "nyckelord",
    "language": "språk",
    "first_seen": "först sedd",
    "last_seen": "senast sedd",
    "relevant": "relevant",
    "matched_at": "matchad",
    "relevance": "relevans",
    "score": "poäng",
    "deadline_times": "klockslag",
}
# Fields whose values are words of ours (status, kind, tier), said in the language.
VALUE_FIELDS = ("status", "source_status", "kind", "relevance")


def field_label(field: str, language: str) -> str:
    return FIELD_LABELS_SV.get(field, field) if language == "sv" else field


def words(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["sv"])


def local_time(stamp: str | None, timezone: str) -> str:
    """A stored UTC stamp (ISO 8601) in the configured zone, with the zone's name:
    2026-08-22 10:15 CEST. A plain date stays as it is."""
    if not stamp or len(stamp) <= 10:
        return stamp or ""
    moment = datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone))
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"

"""Digest documents built by hand from the types, as compose makes them (see the docstrings of
monitor/digest/document.py): calls spread over the areas, a compact Kanske också list, and a
call whose title and link a hostile source wrote."""

from __future__ import annotations

from monitor.digest.document import DigestDocument, Entry, Link, Section, Text

AREAS = {
    "klimat-miljo": "Klimat och miljö",
    "stadsutveckling": "Stadsutveckling och digitalisering",
    "utbildning": "Utbildning och kompetens",
    "social": "Social sammanhållning och hälsa",
}
SCRIPT_TITLE = "<script>alert(1)</script> Smart <b>cities</b> & towns"
EVIL_URL = "javascript:alert(document.cookie)"


def call(n: int, area: str) -> Entry:
    return Entry(
        lines=(
            (Link(f"Call number {n} for {area}", f"https://ec.europa.eu/calls/{n}", strong=True),),
            (Text(f"HORIZON-CL5-2027-{n:03d} · HORIZON · öppen"),),
            (Text("Sista dag 8 apr 2027 kl. 17:00 (Bryssel) (om 135 dagar)"),),
            (Text("Budget: 30 mn € totalt · 214\u00a0000 € per projekt"),),
        ),
        mentions=((Link(f"News about call {n}", f"https://news.example.se/{n}"),),),
        mentions_label="Nämns i:",
        note=f"Varför: climate, energy · Källa: EU Funding & Tenders Portal ({area})",
        item_id=f"eu-portal:{n}",
    )


def document(calls: int = 120, extra: tuple[Entry, ...] = ()) -> DigestDocument:
    """A digest as compose makes it: the calls spread over the areas, one section each."""
    per_area: dict[str, list[Entry]] = {area: [] for area in AREAS}
    for n in range(calls):
        area = list(AREAS)[n % len(AREAS)]
        per_area[area].append(call(n, area))
    per_area["klimat-miljo"].extend(extra)
    sections = tuple(
        Section(f"area:{a}", f"{AREAS[a]}: {len(e)} nya utlysningar", tuple(e), area=a)
        for a, e in per_area.items()
    )
    maybe = Section(
        "maybe",
        "Kanske också",
        (Entry(lines=((Link("A maybe call", "https://ec.europa.eu/maybe"),),)),),
        compact=True,
    )
    total = calls + len(extra)
    return DigestDocument(
        title="EU-bevakning vecka 49",
        subject=f"EU-bevakning vecka 49: {total} nya utlysningar",
        language="sv",
        week=49,
        overview=(
            (Text("Nytt sedan 1 dec 2026."),),
            (Text("• Nya utlysningar: "), Text(str(total), strong=True)),
        ),
        sections=(*sections, maybe),
        hint="Detaljerna finns i tråden: ett svar per område och avsnitt.",
    )


def hostile() -> Entry:
    return Entry(lines=((Link(SCRIPT_TITLE, EVIL_URL, strong=True),),), note="<i>note</i>")

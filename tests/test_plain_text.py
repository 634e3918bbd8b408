"""The digest as plain text, as a terminal and the e-mail's text part show it."""

from __future__ import annotations

from monitor.digest.document import DigestDocument, Entry, Link, Section, Text
from monitor.notify.plain_text import as_text


def test_the_digest_reads_as_underlined_headings_and_indented_calls():
    call = Entry(
        lines=(
            (Link("Living Labs for soil", "https://ec.europa.eu/topic/1", strong=True),),
            (Text("HORIZON-MISS-2027-SOIL-01 · HORIZON · "), Text("kommande")),
            (Text("Budget: 214\u00a0000 € per projekt"),),
        ),
        mentions=(
            (Link("Vinnova om Living Labs", "https://vinnova.se/n/1"),),
            (Link("Ett nätverks nyhetsbrev", None),),
        ),
        mentions_label="Nämns i:",
        note="Varför: soil health · Källa: EU Funding & Tenders Portal",
    )
    news = Entry(
        lines=((Link("Skolor\nsöker partner", "ftp://x.example/a"),),),
        mentions=((Link("Living Labs for soil", "https://ec.europa.eu/topic/1"),),),
        mentions_label="Gäller utlysningen:",
    )
    maybe = Entry(lines=((Link("Urban greening", "https://ec.europa.eu/topic/2"),),))
    document = DigestDocument(
        title="EU-bevakning vecka 49",
        subject="EU-bevakning vecka 49: 1 ny utlysning",
        language="sv",
        week=49,
        overview=((Text("Nytt sedan 1 dec 2026."),), (Text("• Nya utlysningar: "), Text("1"))),
        sections=(
            Section("area:klimat", "Klimat och miljö: 1 ny utlysning", (call,), area="klimat"),
            Section("news", "Nyheter från nätverk och myndigheter (1)", (news,)),
            Section("maybe", "Kanske också", (maybe,), compact=True),
        ),
        hint="Detaljerna finns i tråden.",
    )
    assert as_text(document) == (
        "EU-bevakning vecka 49\n"
        "=====================\n"
        "\n"
        "Nytt sedan 1 dec 2026.\n"
        "• Nya utlysningar: 1\n"
        "\n"
        "Klimat och miljö: 1 ny utlysning\n"
        "--------------------------------\n"
        "\n"
        "  - Living Labs for soil (https://ec.europa.eu/topic/1)\n"
        "    HORIZON-MISS-2027-SOIL-01 · HORIZON · kommande\n"
        "    Budget: 214\u00a0000 € per projekt\n"
        "    Nämns i:\n"
        "      - Vinnova om Living Labs (https://vinnova.se/n/1)\n"
        "      - Ett nätverks nyhetsbrev\n"
        "    Varför: soil health · Källa: EU Funding & Tenders Portal\n"
        "\n"
        "Nyheter från nätverk och myndigheter (1)\n"
        "----------------------------------------\n"
        "\n"
        "  - Skolor söker partner\n"
        "    Gäller utlysningen: Living Labs for soil (https://ec.europa.eu/topic/1)\n"
        "\n"
        "Kanske också\n"
        "------------\n"
        "\n"
        "  - Urban greening (https://ec.europa.eu/topic/2)\n"
    )

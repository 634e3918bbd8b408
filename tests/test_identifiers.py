"""Call identifiers found in text: what links a news item to the call it names."""

from __future__ import annotations

from monitor.identifiers import call_identifiers


def test_identifiers_are_found_in_order_once_each():
    text = (
        "Sök HORIZON-CL5-2027-07-D3-16 eller LIFE-2026-SAP-CLIMA-CCA. "
        "Se även HORIZON-CL5-2027-07-D3-16 och CERV-2026-CITIZENS-TOWN-TT."
    )
    assert call_identifiers(text) == [
        "HORIZON-CL5-2027-07-D3-16",
        "LIFE-2026-SAP-CLIMA-CCA",
        "CERV-2026-CITIZENS-TOWN-TT",
    ]


def test_text_without_an_identifier_names_none():
    assert call_identifiers("Stöd till kommuner 2026-2027, ansök senast 2026-09-30") == []
    assert call_identifiers("SE-2026-kommun är prosa") == []
    assert call_identifiers("Programmet HORIZON 2027 utan bindestreck") == []
    assert call_identifiers(None) == []

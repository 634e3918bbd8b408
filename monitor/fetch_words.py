"""Why a fetch failed, in Swedish: the words stored with a source's failure and shown in
`monitor run`, `monitor sources` and every group's digest. One fetch serves every group,
whatever its language, so the stored reason is in the default language (Swedish)."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "overdue": (
        "{host} svarade inte i tid: inget fullständigt svar inom {seconds:g} s (settings.timeout)"
    ),
    "not_web_address": "inte en webbadress som kan hämtas: {url} ({detail})",
    "redirects": "för många omdirigeringar (fler än {limit}) från {host}",
    "timeout": "{host} svarade inte i tid ({detail})",
    "cut_off": "svaret från {host} bröts av eller var felaktigt komprimerat ({detail})",
    "connect": "kunde inte ansluta till {host} ({detail})",
    "no_details": "inga detaljer",
    "not_modified": (
        "{host} svarade 304 Not Modified på en fråga som inte var villkorad "
        "(en felinställd server eller proxy)"
    ),
    "http": "HTTP {status} {reason} från {host}",
    "attempts": " efter {n} försök",
    "encoded": (
        "svaret från {host} är kodat som {name!r}, vilket inte efterfrågades (bara gzip är det)"
    ),
    "layers": (
        "svaret från {host} är komprimerat {n} gånger om (Content-Encoding: {header}); "
        "högst {limit} lager packas upp"
    ),
    "too_big": "svaret från {host} är större än {mb:g} MB (settings.max_bytes)",
}


def said(key: str, **values: object) -> str:
    return TEXTS[key].format(**values)

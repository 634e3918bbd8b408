"""The words of a run's summary (`monitor run`, `monitor serve`) in Swedish (the default) and
English (`[settings] language`)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "counts": "{items} {noun}, {new} nya, {changed} ändrade",
        "item": "post",
        "items": "poster",
        "not_modified": " (oförändrad sedan förra hämtningen)",
        "failed": "MISSLYCKADES: {error}",
        "warning": "varning: {warning}",
        "total": "Totalt: {count} {noun} ({failed} misslyckades), {counts}",
        "source": "källa",
        "sources": "källor",
        "no_rules": (
            "varning: regelmappen {folder} finns inte; posterna lagras utan att matchas mot områden"
        ),
    },
    "en": {
        "counts": "{items} {noun}, {new} new, {changed} changed",
        "item": "item",
        "items": "items",
        "not_modified": " (not modified)",
        "failed": "FAILED: {error}",
        "warning": "warning: {warning}",
        "total": "Total: {count} {noun} ({failed} failed), {counts}",
        "source": "source",
        "sources": "sources",
        "no_rules": (
            "warning: the rules folder {folder} does not exist; items are stored without "
            "matching them to areas"
        ),
    },
}


def run_words(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["sv"])


def counts(language: str, items: int, new: int, changed: int) -> str:
    """ "341 poster, 341 nya, 0 ändrade" ("1 post": the noun agrees with the number)."""
    said = run_words(language)
    noun = said["item"] if items == 1 else said["items"]
    return said["counts"].format(items=items, noun=noun, new=new, changed=changed)

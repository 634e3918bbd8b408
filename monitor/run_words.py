"""The words of a run's summary (`monitor run`, `monitor serve`) in Swedish (the default) and
English (`[settings] language`)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "counts": "{items} {noun}, {new} {new_word}, {changed} {changed_word}",
        "item": "post",
        "items": "poster",
        "new_one": "ny",
        "new": "nya",
        "changed_one": "ändrad",
        "changed": "ändrade",
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
        "counts": "{items} {noun}, {new} {new_word}, {changed} {changed_word}",
        "item": "item",
        "items": "items",
        "new_one": "new",
        "new": "new",
        "changed_one": "changed",
        "changed": "changed",
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
    """ "341 poster, 341 nya, 0 ändrade" ("1 post, 1 ny": the words agree with the number)."""
    said = run_words(language)
    return said["counts"].format(
        items=items,
        noun=said["item" if items == 1 else "items"],
        new=new,
        new_word=said["new_one" if new == 1 else "new"],
        changed=changed,
        changed_word=said["changed_one" if changed == 1 else "changed"],
    )

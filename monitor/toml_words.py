"""A TOML syntax error in plain Swedish: tomllib says "Illegal character '\\n'" where an
admin needs to hear that a text lacks its closing quote. The line is the error's own."""

from __future__ import annotations

import re

# tomllib's messages (Python 3.11-3.13), first match wins; the rest keep tomllib's words.
_PLAIN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Illegal character '\\n'$"), "citattecken saknas: en text slutar inte på raden"),
    (re.compile(r"^Unterminated string$"), "citattecken saknas: en text tar aldrig slut"),
    (re.compile(r"^Illegal character (.+)$"), "otillåtet tecken {0} i en text"),
    (re.compile(r"^Expected '=' after a key in a key/value pair$"), "'=' saknas efter en nyckel"),
    (
        re.compile(r"^Invalid value$"),
        ("ogiltigt värde (en text skrivs inom citattecken; annars ett tal, true eller false)"),
    ),
    (re.compile(r"^Invalid statement$"), "raden är varken `nyckel = värde` eller [tabell]"),
    (re.compile(r"^Invalid initial character for a key part$"), "en nyckel börjar med fel tecken"),
    (re.compile(r"^Expected '\]' at the end of a table declaration$"), "']' saknas efter [tabell"),
    (re.compile(r"^Expected '\]\]' at the end of an array declaration$"), "']]' saknas"),
    (re.compile(r"^Unclosed array$"), "en lista saknar sin avslutande ']'"),
    (re.compile(r"^Unclosed inline table$"), "en tabell inom { } saknar sin avslutande '}'"),
    (re.compile(r"^Cannot declare (.+) twice$"), "{0} står två gånger"),
    (re.compile(r"^Cannot overwrite a value$"), "ett värde ges två gånger"),
    (re.compile(r"^Duplicate inline table key (.+)$"), "nyckeln {0} står två gånger"),
    (re.compile(r"^Invalid date or datetime$"), "ogiltigt datum eller klockslag"),
    (
        re.compile(r"^Expected newline or end of document after a statement$"),
        ("något mer står efter värdet på samma rad (en ny rad behövs)"),
    ),
]
_AT = re.compile(r"\s*\(at (?:line \d+, column \d+|end of document)\)$")


def plain_syntax_error(message: str) -> str:
    """ "TOML-syntaxfel: …" for tomllib's message (its "(at line …)" dropped)."""
    bare = _AT.sub("", message).strip()
    for pattern, said in _PLAIN:
        found = pattern.match(bare)
        if found:
            return "TOML-syntaxfel: " + said.format(*found.groups())
    return f"TOML-syntaxfel: {bare}"

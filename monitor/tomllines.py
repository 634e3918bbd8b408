"""Find the line of a table or key in raw TOML text, for error messages.

tomllib gives a line only for syntax errors; for "unknown key 'x' in source 3" we look the key up
in the text ourselves. Hand-written configs use `[table]`, `[[array]]` and `key = value` lines,
which is all this needs to understand; when it cannot tell, it returns None and the message
simply has no line.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*(?:\"([^\"]+)\"|'([^']+)'|([A-Za-z0-9_-]+))\s*=")
_DECODE_LINE = re.compile(r"at line (\d+)")


class TomlLines:
    def __init__(self, text: str) -> None:
        # (line number, header kind "[" or "[[", table name) for every table header.
        self._headers: list[tuple[int, str, str]] = []
        self._keys: list[tuple[int, str]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                self._headers.append((number, header.group(1), header.group(2).strip("\"' ")))
                continue
            key = _KEY.match(line)
            if key:
                self._keys.append((number, next(g for g in key.groups() if g)))

    def table_line(self, name: str) -> int | None:
        for number, _, table in self._headers:
            if table == name:
                return number
        return None

    def array_table_line(self, name: str, index: int) -> int | None:
        seen = -1
        for number, bracket, table in self._headers:
            if bracket == "[[" and table == name:
                seen += 1
                if seen == index:
                    return number
        return None

    def key_line(self, table: str, index: int | None, key: str) -> int | None:
        """The line of `key` in `[table]`, or in the index-th `[[table]]` when index is given."""
        start = self.table_line(table) if index is None else self.array_table_line(table, index)
        if start is None:
            return None
        end = min((n for n, _, _ in self._headers if n > start), default=None)
        for number, name in self._keys:
            if number > start and (end is None or number < end) and name == key:
                return number
        return None

    @staticmethod
    def line_of_decode_error(message: str) -> int | None:
        found = _DECODE_LINE.search(message)
        return int(found.group(1)) if found else None

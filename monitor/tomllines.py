"""Find the line of a table, key or value in raw TOML text, for error messages.

`tomllib` reports lines only for syntax errors; for semantic errors (an unknown key in source 3,
an empty term, a weight that is not a number) sources.toml and the rule files ask this module
where the key was written. It understands the TOML an admin writes by hand: `[table]` and
`[[table]]` headers with dotted and quoted names, and `key = value` lines with bare or quoted
keys. When it cannot tell, it returns None and the message simply has no line.
"""

from __future__ import annotations

import re

_DECODE_LINE = re.compile(r"at line (\d+)")

_HEADER_RE = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(
    r"""^\s*(?P<key>"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*="""
)
_PART_RE = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^."'\s]+)\s*(?:\.|$)""")


def _split_dotted(name: str) -> tuple[str, ...]:
    parts = []
    for match in _PART_RE.finditer(name):
        part = match.group(1)
        if part[:1] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _unquote(key: str) -> str:
    return key[1:-1] if key[:1] in "\"'" else key


def find_line(
    text: str,
    table: tuple[str, ...],
    key: str | None = None,
    value: str | None = None,
    occurrence: int = 0,
) -> int | None:
    """1-based line of `key` inside `[table]` (or of the table header when key is None).

    With `value`, the line inside that key's value (an array over several lines) that holds
    the string `value`, which is how an empty or broken term in a list is pointed at.
    `occurrence` picks one of several `[[table]]` headers (0 = the first).
    """
    current: tuple[str, ...] = ()
    seen = -1  # how many `[table]` / `[[table]]` headers so far, counting from 0
    elsewhere = False  # inside another occurrence of an array table
    header_line: int | None = None
    subtable_line: int | None = None  # `[table.key]` or `[table.key.x]`: the key is a table
    key_line: int | None = None
    key_path = (*table, key)
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        header = _HEADER_RE.match(line)
        if header and not _KEY_RE.match(line):
            if key_line is not None:
                break  # the key's value ended with its table
            current = _split_dotted(header.group("name"))
            seen += current == table
            elsewhere = current == table and seen != occurrence
            if current == table and not elsewhere and header_line is None:
                header_line = number
            if key is not None and subtable_line is None and current[: len(table) + 1] == key_path:
                subtable_line = number
            continue
        if key_line is None:
            found = _KEY_RE.match(line)
            if found is None:
                continue
            written = _split_dotted(found.group("key"))
            if len(written) == 1:
                written = (_unquote(found.group("key")),)
            if not elsewhere and current + written[:-1] == table and written[-1] == key:
                key_line = number
                if value is None or _holds(line[found.end() :], value):
                    return number
        elif value is not None:
            if _KEY_RE.match(line):
                break
            if _holds(line, value):
                return number
    if key is None:
        return header_line
    for candidate in (key_line, subtable_line, header_line):
        if candidate is not None:
            return candidate
    return None


def _holds(fragment: str, value: str) -> bool:
    return f'"{value}"' in fragment or f"'{value}'" in fragment


class TomlLines:
    """`find_line` over one text, with the questions sources.toml's validation asks.

    The headers are indexed in one pass when first asked for, so asking for the line of each of
    n `[[sources]]` costs one scan in all, not one each (which made loading quadratic)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None
        self._headers: dict[tuple[str, ...], list[int]] | None = None

    def _index(self) -> dict[tuple[str, ...], list[int]]:
        """Each header's name -> the 1-based lines where it is written, in order (the same
        test for a header as find_line's)."""
        if self._headers is None:
            self._lines = self.text.splitlines()
            self._headers = {}
            for number, line in enumerate(self._lines, start=1):
                header = _HEADER_RE.match(line)
                if header and not _KEY_RE.match(line):
                    name = _split_dotted(header.group("name"))
                    self._headers.setdefault(name, []).append(number)
        return self._headers

    def table_line(self, name: str) -> int | None:
        found = self._index().get((name,))
        return found[0] if found else None

    def array_table_line(self, name: str, index: int) -> int | None:
        found = self._index().get((name,), [])
        return found[index] if 0 <= index < len(found) else None

    def key_line(self, table: str, index: int | None, key: str) -> int | None:
        """The line of `key` in `[table]`, or in the index-th `[[table]]` when index is given;
        the table's header when the key is not written out."""
        occurrences = self._index().get((table,), [])
        if index is None or not 0 <= index < len(occurrences):
            return find_line(self.text, (table,), key, occurrence=index or 0)
        # Only the lines from this occurrence's header to the next one's can hold its key.
        assert self._lines is not None
        start = occurrences[index] - 1
        end = occurrences[index + 1] - 1 if index + 1 < len(occurrences) else len(self._lines)
        found = find_line("\n".join(self._lines[start:end]), (table,), key)
        return None if found is None else found + start

    def find(self, table: tuple[str, ...], occurrence: int, key: str | None = None) -> int | None:
        """The line of `key` in the occurrence-th `[a.b]` header of `table` (a sub-table of an
        array of tables, e.g. each group's `[groups.slack]`), or of that header."""
        return find_line(self.text, table, key, occurrence=occurrence)

    @staticmethod
    def line_of_decode_error(message: str) -> int | None:
        found = _DECODE_LINE.search(message)
        return int(found.group(1)) if found else None

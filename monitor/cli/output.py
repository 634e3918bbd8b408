"""Writing item rows for people and programs: an aligned table, JSON or CSV."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from monitor.cli.terminal import is_terminal, print_table
from monitor.cli.words import words
from monitor.errors import MonitorError
from monitor.store.queries import EXPORT_FIELDS, LIST_FIELDS

# CSV has no lists: several deadlines or areas are joined with this separator.
CSV_LIST_SEPARATOR = "; "
# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...) in a
# scraped title would run when an official opens the export): such a text gets a leading
# apostrophe, as OWASP's "CSV injection" advice says. Numbers are written as numbers.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# One encoder for every row: json.dumps with an argument builds a new JSONEncoder per call,
# which was a fifth of writing `deadlines --format json`'s 2,000 rows. The same text.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def write_json(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """A JSON array, written row by row so that a large export needs little memory."""
    count = 0
    chunk = ["["]
    for row in rows:
        chunk.append(",\n  " if count else "\n  ")
        chunk.append(_encode({f: row[f] for f in EXPORT_FIELDS}))
        count += 1
        if len(chunk) > 500:  # a write per row cost as much as the query (deadlines, 1M items)
            out.write("".join(chunk))
            chunk = []
    chunk.append("\n]\n" if count else "]\n")
    out.write("".join(chunk))
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """One JSON object per line: easy to stream into other tools."""
    count = 0
    for row in rows:
        out.write(_encode({f: row[f] for f in EXPORT_FIELDS}) + "\n")
        count += 1
    return count


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    flat = {f: row[f] for f in EXPORT_FIELDS}
    for name in LIST_FIELDS:
        flat[name] = CSV_LIST_SEPARATOR.join(flat[name])
    return flat


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    import csv  # here, as the writers below: a table or JSON answer needs none

    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: spreadsheet_safe(v) for k, v in _flat(row).items()})
        count += 1
    return count


def write_export_excel_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """The export as CSV for Excel set to Swedish: the same fields, a BOM, `;`, and decimal
    numbers with a decimal comma (0,73), which that Excel reads as numbers."""
    return write_excel_csv(
        EXPORT_FIELDS,
        ([_swedish_number(v) for v in _flat(row).values()] for row in rows),
        out,
    )


def _swedish_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")


def aligned_lines(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Plain text columns, each as wide as its widest value; the last column is left free."""
    lines = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return [
        "  ".join([*(v.ljust(w) for v, w in zip(line, widths, strict=False)), line[-1]]).rstrip()
        for line in lines
    ]


def write_table(
    rows: list[dict[str, Any]],
    out: TextIO,
    width: int | None = None,
    notes: Sequence[str | None] = (),
    language: str = "sv",
) -> int:
    """One line per item: identifier, status, next deadline, programme, title (cut to fit),
    headers and statuses in `language`; a rich table on a terminal, plain aligned text when
    piped. A note (the words a search matched) goes under its item's title."""
    if not width:
        import shutil  # here: shutil loads bz2 and lzma, which a JSON answer does not need

        width = shutil.get_terminal_size((120, 20)).columns
    said = words(language)
    header = tuple(said[k] for k in ("identifier", "status", "deadline", "programme", "title"))
    lines = [
        (
            row["identifier"] or row["id"],
            said.get(row["status"], row["status"]) if row["status"] else "",
            row["deadline"] or "",
            row["programme_code"] or "",
            row["title"],
        )
        for row in rows
    ]
    below = [*notes, *([None] * (len(lines) - len(notes)))]
    if is_terminal(out):
        titled = [
            (*line[:4], f"{line[4]}\n{note}" if note else line[4])
            for line, note in zip(lines, below, strict=True)
        ]
        print_table(header, titled, out)
        return len(rows)
    widths = [max([len(header[i]), *(len(line[i]) for line in lines)]) for i in range(4)]
    for line, note in zip([header, *lines], [None, *below], strict=True):
        fixed = "  ".join(value.ljust(w) for value, w in zip(line[:4], widths, strict=False))
        room = max(20, width - len(fixed) - 2)
        title = line[4] if len(line[4]) <= room else line[4][: room - 1] + "…"
        out.write(f"{fixed}  {title}".rstrip() + "\n")
        if note:
            out.write(" " * (len(fixed) + 2) + note + "\n")
    return len(rows)


def write_atomically(path: Path, write: Callable[[TextIO], int | None]) -> int | None:
    """Write to a temporary file beside `path`, then rename: a failed export leaves no half file.

    The file gets the mode a plain `open` would give it (the user's umask, or the mode of the
    file it replaces): mkstemp's 0600 would make an export readable by its owner only."""
    import tempfile

    if not path.parent.is_dir():
        raise MonitorError(
            f"the folder {path.parent} does not exist: create it, or write elsewhere"
        )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            count = write(out)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it; set it back at once
        os.umask(umask)
        return 0o666 & ~umask


def write_excel_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """CSV that Excel set to Swedish opens in columns: a BOM so it reads UTF-8 (å, ä, ö), and
    `;` between fields, since the comma is Swedish Excel's decimal sign."""
    out.write("\ufeff")
    import csv

    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(["" if value is None else spreadsheet_safe(value) for value in row])
        count += 1
    return count

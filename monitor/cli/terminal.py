"""What only a person at a terminal sees: rich tables and a progress display.

Piped or redirected output stays plain text, so scripts and files get the same lines as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from monitor.models import SourceOutcome


def is_terminal(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def progress(sources: Sequence[Any]) -> Iterator[Callable[[SourceOutcome], None]]:
    """A progress bar on stderr while sources are fetched (only on a terminal)."""
    if not is_terminal(sys.stderr) or len(sources) < 2:
        yield lambda outcome: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Fetching"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=len(sources))

        def done(outcome: SourceOutcome) -> None:
            bar.update(task, advance=1, description=outcome.source)

        yield done


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], out: Any) -> None:
    """A table with rich when `out` is a terminal (wrapping to its width)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(*header, box=None, header_style="bold", pad_edge=False)
    for row in rows:
        table.add_row(*row)
    Console(file=out).print(table)

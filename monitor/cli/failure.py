"""The one line a failed command ends with, in Swedish: "Fel: …" (click's own says "Error:").
Said before the configured language may be known (a broken config is such an error)."""

from __future__ import annotations

from typing import IO, Any

import click

UNEXPECTED = "oväntat fel: {said} (kör med -v för detaljerna)"


class Failure(click.ClickException):
    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Fel: {self.format_message()}", err=True, file=file)

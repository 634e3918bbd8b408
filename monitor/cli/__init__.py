"""The `monitor` command: the group and its verb table (`group`), one module per verb group,
and what only the commands use (`app`, `output`, `terminal`, `ics`)."""

from monitor.cli.group import cli, main

__all__ = ["cli", "main"]

"""On a terminal: a rich table and a progress display; piped: the same plain lines as ever."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from helpers.portal_emulator import portal_config

MONITOR = str(Path(sys.executable).parent / "monitor")


def on_a_terminal(args: list[str], cwd: Path) -> str:
    """Run with stdout and stderr on a pseudo-terminal; return what the terminal showed."""
    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color", "SLACK_BOT_TOKEN": ""}
    process = subprocess.Popen(
        [MONITOR, *args], stdout=secondary, stderr=secondary, cwd=cwd, env=env
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end closed: the process is done
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(main)
    return shown.decode("utf-8", "replace")


def test_search_is_a_rich_table_on_a_terminal_and_plain_when_piped(write_config, live_portal):
    config = write_config(portal_config(live_portal.base_url))
    folder = config.parent
    subprocess.run(
        [MONITOR, "--config", str(config), "run", "--no-digest"], check=True, capture_output=True
    )
    args = ["--config", str(config), "search", "gender-based violence", "--limit", "3"]
    piped = subprocess.run([MONITOR, *args], capture_output=True, text=True, check=True).stdout
    assert piped.splitlines()[0].split()[:2] == ["ID", "STATUS"]
    assert "\x1b[" not in piped  # no terminal codes in a pipe
    shown = on_a_terminal(args, folder)
    assert "\x1b[1m" in shown  # the bold header rich draws
    assert "CERV-2026-DAPHNE-PREVENTION" in shown


def test_run_shows_progress_on_a_terminal_only(write_config, live_portal):
    twice = portal_config(live_portal.base_url) + portal_config(live_portal.base_url).split(
        "[[sources]]"
    )[1].replace('id = "eu-portal"', 'id = "eu-portal-copy"').join(["[[sources]]", ""])
    config = write_config(twice)
    args = ["--config", str(config), "run", "--no-digest"]
    shown = on_a_terminal(args, config.parent)
    assert "Fetching" in shown and "2/2" in shown
    piped = subprocess.run([MONITOR, *args], capture_output=True, text=True)
    assert "Fetching" not in piped.stdout + piped.stderr
    assert piped.stdout.splitlines()[-1].startswith("Totalt: 2 källor (0 misslyckades)")

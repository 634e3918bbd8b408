"""The README's quick start, run as a new user would (the portal played by the local emulator)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SH_BLOCKS = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
MONITOR = Path(sys.executable).parent / "monitor"


def test_readme_starts_with_the_two_setup_commands():
    run_command, test_command = (block.strip() for block in SH_BLOCKS[:2])
    assert "\n" not in run_command and "\n" not in test_command
    assert run_command.startswith("python3 -m venv .venv && ")
    assert run_command.endswith("&& .venv/bin/monitor run")
    assert test_command.startswith("python3 -m venv .venv && ")
    assert test_command.endswith("-m pytest")
    assert README.index(run_command) < README.index("## ")  # before any other section


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    pattern = re.search(r"grep -m1 -E '([^']+)' README.md", ci).group(1)
    found = [line for line in README.splitlines() if re.search(pattern, line)]
    assert found[0] == SH_BLOCKS[1].strip()


def test_quick_start_run_then_search_and_export(tmp_path, live_portal):
    assert MONITOR.exists(), "the README installs the `monitor` console script beside python"
    # The shipped sources.toml and rules, with the portal's address pointed at the emulator
    # and every other source switched off: tests never reach the internet.
    (tmp_path / "sources.toml").write_text(
        local_portal_only((ROOT / "sources.toml").read_text(encoding="utf-8"), live_portal.base_url)
    )
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    # Files the README's examples name, at the same place as in a clone.
    labels = Path("tests/fixtures/eval")  # the label files `rules eval` and `rules train` read
    shutil.copytree(ROOT / labels, tmp_path / labels)

    def monitor(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(MONITOR), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    run = monitor("run")
    assert run.returncode == 0, run.stderr
    assert "eu-portal  341 poster, 341 nya, 0 ändrade" in run.stdout
    assert (tmp_path / "monitor.db").exists()
    again = monitor("run")
    assert "341 poster, 0 nya, 0 ändrade" in again.stdout

    for block in SH_BLOCKS[2:]:
        for line in block.strip().splitlines():
            command = line.split("#")[0].strip()
            if not command.startswith(".venv/bin/monitor ") or command.endswith(" serve"):
                continue  # `serve` runs until stopped: tests/test_schedule.py covers it
            args = re.findall(r'"[^"]*"|\S+', command.removeprefix(".venv/bin/monitor "))
            result = monitor(*(a.strip('"') for a in args))
            assert result.returncode == 0, f"{command}: {result.stderr}"
    assert (tmp_path / "calls.csv").read_text(encoding="utf-8").count("\n") > 341


def local_portal_only(config: str, base_url: str) -> str:
    """The config with the portal at `base_url` (on 127.0.0.1, so private addresses are
    allowed) and every other source disabled."""
    config = config.replace("[settings]\n", "[settings]\nallow_private = true\n", 1)
    head, *blocks = config.split("[[sources]]")
    rewritten = []
    for block in blocks:
        block = re.sub(r"(?m)^enabled = .*\n", "", block)
        if 'kind = "eu_portal"' in block:
            block = block.replace(
                'kind = "eu_portal"',
                f'kind = "eu_portal"\nurl = "{base_url}/search"\nfacet_url = "{base_url}/facet"'
                f'\ndetails_url = "{base_url}/topicDetails/{{identifier}}.json"',
                1,
            )
        else:
            block = "\nenabled = false" + block
        rewritten.append(block)
    return "[[sources]]".join([head, *rewritten])

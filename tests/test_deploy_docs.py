"""docs/deploy.md as written: the systemd unit lints, the install steps make what they use."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "docs" / "deploy.md"
HOME = "/opt/eu-bevakning"


def block(language: str, after: str) -> str:
    """The first ```language block following the text `after` in deploy.md."""
    text = DEPLOY.read_text(encoding="utf-8")
    start = text.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(text, start)
    assert match, f"no {language} block after {after!r}"
    return match.group(1)


def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("systemd-analyze is not installed here (no systemd): the unit is not linted")
    unit = block("ini", "eu-bevakning.service`:")
    # The unit as written, moved under tmp_path: verify checks that ExecStart exists.
    root = tmp_path / "opt"
    program = root / "eu-bevakning" / "app" / ".venv" / "bin" / "monitor"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    path = tmp_path / "eu-bevakning.service"
    path.write_text(unit.replace("/opt/", f"{root}/"), encoding="utf-8")
    result = subprocess.run(
        [verify, "verify", str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    problems = [
        line
        for line in result.stderr.splitlines()
        if re.search(r"Unknown|ignoring|not executable|Failed|Invalid|Missing", line)
    ]
    assert problems == []


def test_the_install_steps_make_the_home_they_clone_into():
    steps = block("sh", "Install as a dedicated user")
    useradd = next(line for line in steps.splitlines() if "useradd" in line)
    assert "--system" in useradd and "--create-home" in useradd
    assert f"--home-dir {HOME}" in useradd
    clone = next(line for line in steps.splitlines() if "git clone" in line)
    assert clone.split()[-1].startswith(f"{HOME}/")  # inside the home useradd made
    assert "cd " not in steps  # absolute paths: the admin's own directory does not matter
    unit = block("ini", "eu-bevakning.service`:")
    writable = re.search(r"^ReadWritePaths=(.+)$", unit, re.M)
    working = re.search(r"^WorkingDirectory=(.+)$", unit, re.M)
    assert writable and working and working.group(1) in writable.group(1).split()


def test_the_container_volume_is_writable_by_its_user():
    lines = [line.strip() for line in block("dockerfile", "Containerfile").splitlines()]
    user = next(line.split()[1] for line in lines if line.startswith("USER "))
    volume = next(i for i, line in enumerate(lines) if line.startswith("VOLUME /data"))
    made = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("RUN") and "mkdir /data" in line and f"chown {user} /data" in line
    )
    assert made < volume  # a new volume is a copy of the image's /data, owner included
    assert any("MONITOR_DB=/data/" in line for line in lines)

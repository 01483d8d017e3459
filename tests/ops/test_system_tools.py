"""`./scripts/test` tells a user who lacks a system tool the tests need how to get it,
before running anything, and fails (so CI can't skip quietly) unless they opt out."""

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.processes import ROOT
from tests.system_tools import SKIP_VARIABLE, require_tool

CHECK = (ROOT / "scripts" / "check-system-tools").read_text()
NOBODY = 65534
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"  # util-linux


@pytest.fixture
def bin_dir() -> Iterator[Path]:
    """A directory for PATH that an unprivileged user can read, holding what we put in."""
    with tempfile.TemporaryDirectory() as directory:
        os.chmod(directory, 0o755)
        yield Path(directory)


def installed(bin_dir: Path, *tools: str) -> None:
    for tool in tools:
        (bin_dir / tool).write_text("#!/bin/sh\n")
        (bin_dir / tool).chmod(0o755 | stat.S_IEXEC)


def check_as_a_user(path: Path, **env: str) -> subprocess.CompletedProcess:
    """scripts/check-system-tools as a user who isn't root, with only `path` on PATH."""
    command = ["/bin/bash", "-c", CHECK, "check-system-tools"]
    if os.geteuid() == 0:
        drop = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        command = [SETPRIV, *drop, *command]
    return subprocess.run(
        command, env={"PATH": str(path), **env}, capture_output=True, text=True, timeout=30
    )


def test_scripts_test_runs_the_check_before_anything_else():
    script = (ROOT / "scripts" / "test").read_text()
    commands = [line for line in script.splitlines() if line and not line.startswith("#")]

    assert commands[:3] == [
        "set -euo pipefail",
        'cd "$(dirname "$0")/.."',
        "scripts/check-system-tools",
    ]


def test_a_user_without_chromium_and_docker_compose_is_told_the_apt_command(bin_dir):
    result = check_as_a_user(bin_dir)

    assert result.returncode == 1
    assert "missing here: chromium docker-compose" in result.stderr
    assert "    sudo apt-get install chromium docker-compose\n" in result.stderr
    assert f"    {SKIP_VARIABLE}=1 ./scripts/test\n" in result.stderr


def test_only_what_is_missing_is_named(bin_dir):
    installed(bin_dir, "docker-compose")

    result = check_as_a_user(bin_dir)

    assert result.returncode == 1
    assert "    sudo apt-get install chromium\n" in result.stderr


def test_a_chromium_elsewhere_is_found_through_chromium_path(bin_dir):
    installed(bin_dir, "docker-compose", "my-chromium")

    result = check_as_a_user(bin_dir, CHROMIUM_PATH=str(bin_dir / "my-chromium"))

    assert (result.returncode, result.stderr) == (0, "")


def test_nothing_is_said_when_everything_is_there(bin_dir):
    installed(bin_dir, "chromium", "docker-compose")

    result = check_as_a_user(bin_dir)

    assert (result.returncode, result.stderr) == (0, "")


def test_the_user_may_opt_out_explicitly(bin_dir):
    result = check_as_a_user(bin_dir, **{SKIP_VARIABLE: "1"})

    assert result.returncode == 0
    assert "skipped" in result.stderr


def test_under_pytest_a_missing_tool_fails_with_advice_or_skips_when_asked(monkeypatch):
    monkeypatch.delenv(SKIP_VARIABLE, raising=False)
    with pytest.raises(pytest.fail.Exception, match="sudo apt-get install chromium"):
        require_tool("chromium", None)

    monkeypatch.setenv(SKIP_VARIABLE, "1")
    with pytest.raises(pytest.skip.Exception):
        require_tool("chromium", "/nonexistent/chromium")

"""The system tools a few tests need besides Python (Debian packages), and what a user who
lacks one is told. `./scripts/test` checks for them before running anything
(scripts/check-system-tools); these helpers cover running pytest directly."""

import os
from pathlib import Path

import pytest

# Set to 1 to skip the tests whose tool is missing instead of failing them.
SKIP_VARIABLE = "SKIP_MISSING_TOOL_TESTS"
DEBIAN_PACKAGES = {"chromium": "chromium", "docker-compose": "docker-compose"}


def missing_tool_advice(tool: str) -> str:
    return (
        f"{tool} is missing: sudo apt-get install {DEBIAN_PACKAGES[tool]} "
        f"(./scripts/test installs it when run as root), "
        f"or set {SKIP_VARIABLE}=1 to skip the tests that need it."
    )


def require_tool(tool: str, path: str | None) -> str:
    """The tool's path; else the test is skipped (when the user opted out) or fails with
    the command that installs it."""
    if path and Path(path).is_file():
        return path
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{tool} is missing and {SKIP_VARIABLE}=1")
    pytest.fail(missing_tool_advice(tool))

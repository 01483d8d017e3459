"""A real Chromium (Debian's package) driven by Playwright, against a live server.

`./scripts/test` installs chromium when it is missing and it runs as root, and otherwise
says how before running anything; Playwright's own browser download is never used.
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.system_tools import require_tool

# As scripts/check-system-tools finds it.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@contextmanager
def browser_context(monkeypatch: pytest.MonkeyPatch, width: int, height: int) -> Iterator[Any]:
    """A fresh Chromium browser context of the given size; closed afterwards."""
    executable = require_tool("chromium", CHROMIUM)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls
    # are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        try:
            yield context
        finally:
            context.close()
            browser.close()
            # ORM calls made while Playwright's loop runs get their own connection; close
            # it here, or the test database can't be dropped at the end of the run.
            connections.close_all()


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A phone-sized browser context: the pay page is mostly opened on phones."""
    with browser_context(monkeypatch, 390, 844) as context:
        yield context

"""The admin in a real Chromium (Debian's package, driven by Playwright) on a live server."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, browser_context
from tests.conftest import PASSWORD
from tests.factories import StaffFactory


@pytest.fixture
def desktop(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A desktop-sized browser context: the admin is used at a desk."""
    with browser_context(monkeypatch, 1280, 900) as context:
        yield context


@pytest.fixture
def staff_page(desktop: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page logged in to the admin as a staff superuser; screenshots its final state."""
    staff = StaffFactory(is_superuser=True)
    page = desktop.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    page.staff = staff
    yield page
    page.screenshot(path=str(ARTIFACTS / f"admin-{request.node.name}.png"), full_page=True)


@pytest.fixture
def open_order(live_server: Any) -> Callable[[Any, str], None]:
    """Find an order by its ref with the admin's search and open it."""

    def open_(page: Any, ref: str) -> None:
        page.goto(f"{live_server.url}/admin/orders/order/")
        page.fill("#searchbar", ref)
        page.press("#searchbar", "Enter")
        page.click(f"#result_list a:text-is('{ref}')")
        page.wait_for_selector("#order_form")

    return open_

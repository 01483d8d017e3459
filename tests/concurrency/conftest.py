"""Real concurrent HTTP requests against a live server on PostgreSQL.

Each simulated browser is its own `httpx.Client` (own cookies, own connection); the
server handles each request in its own thread with its own database connection, as a
production server's workers would. A barrier releases the competing requests together.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest

from tests.conftest import PASSWORD

T = TypeVar("T")


class Browser:
    """An API client with its own cookie jar that sends the CSRF token like a frontend."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.http.get("/api/basket/count/")

    def _headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", "")}

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    def post(self, path: str, body: Any = None) -> httpx.Response:
        return self.http.post(path, json=body or {}, headers=self._headers())

    def put(self, path: str, body: Any) -> httpx.Response:
        return self.http.put(path, json=body, headers=self._headers())

    def log_in(self, user: Any) -> "Browser":
        response = self.post("/api/auth/login/", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return self

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def browsers(live_server: Any) -> Any:
    opened: list[Browser] = []

    def open_browser() -> Browser:
        browser = Browser(live_server.url)
        opened.append(browser)
        return browser

    yield open_browser
    for browser in opened:
        browser.close()


def run_together(count: int, action: Callable[[int], T]) -> list[T]:
    """Run `action(i)` for i in range(count) in threads released at the same instant."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait(timeout=30)
        return action(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))

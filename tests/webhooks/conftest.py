"""Webhook delivery tests: real receivers on 127.0.0.1, the worker as a real process against
the test database, orders moved through the public APIs, and a clock the test controls."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from integration.services import api_token_create
from tests.conftest import logged_in_client
from tests.factories import (
    ProductFactory,
    ProfileFactory,
    StaffFactory,
    TeamFactory,
    UserFactory,
)
from tests.postgres import database_url
from tests.webhooks.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
WORKER_COMMAND = ["manage.py", "worker"]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _private_hosts_allowed(settings: Any) -> None:
    """Receivers run on 127.0.0.1, which endpoints may only use with the setting on."""
    settings.ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def make(**options: Any) -> Receiver:
        started.append(Receiver(**options).start())
        return started[-1]

    yield make
    for each in started:
        each.stop()


class Worker:
    """`manage.py worker` as a subprocess on the test database."""

    def __init__(self, log: Path, env: dict[str, str]) -> None:
        self.log = log
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Worker":
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, *WORKER_COMMAND],
                stdout=output,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=ROOT,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, as when a machine dies."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(transactional_db: Any, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(
            tmp_path / f"worker-{len(workers)}.log",
            {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": database_url(),
                # The same key as the tests', so the worker can read the secrets they made.
                "SECRET_KEY": django_settings.SECRET_KEY,
                "DEBUG": "0",
                "ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS": "1",
                **env,
            },
        )
        workers.append(worker.start())
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_until(condition: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    """Poll `condition` (e.g. a database read) until it is truthy; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


class Clock:
    """`django.utils.timezone.now` under the test's control, for code run in this process
    (the services behind the API, and the worker command run here with `run_worker`)."""

    def __init__(self) -> None:
        self.current = timezone.now()

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    controlled = Clock()
    monkeypatch.setattr(timezone, "now", controlled)
    return controlled


def run_worker(*options: str) -> None:
    """The worker command in this process, until nothing is due (`--batch`), so it runs
    on the test's clock."""
    command = [WORKER_COMMAND[1], "--batch", "--threads=1", "--no-startup-delay", *options]
    call_command(*command, verbosity=0)


@pytest.fixture
def shop(transactional_db: Any) -> dict[str, Any]:
    """A team with an API token (webhooks and orders), a profile, a product, and staff."""
    team = TeamFactory()
    return {
        "team": team,
        "token": api_token_create(team=team, token_type="full_access").raw,
        "profile": ProfileFactory(team=team),
        "product": ProductFactory(price="20.00"),
        "staff": logged_in_client(StaffFactory()),
    }


def api(shop: dict[str, Any]) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {shop['token']}")


def endpoint_create(shop: dict[str, Any], url: str, **body: Any) -> dict[str, Any]:
    response = api(shop).post(
        "/v1/webhook-endpoints", {"url": url, **body}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def order_place(shop: dict[str, Any]) -> dict[str, Any]:
    """A team order through `/v1/orders/checkout`, as the team's software places it."""
    response = api(shop).post(
        "/v1/orders/checkout",
        {
            "profile_id": str(shop["profile"].pk),
            "line_items": [{"product_id": str(shop["product"].pk), "quantity": 1}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def order_pay_ship_refund(shop: dict[str, Any], ref: str) -> None:
    """Staff record the payment, ship the order and refund it, through the storefront API."""
    staff = shop["staff"]
    paid = staff.post(f"/api/orders/{ref}/pay/", {"payment_method": "manual"}, "application/json")
    assert paid.status_code in (200, 201), paid.content
    shipped = staff.put(f"/api/orders/{ref}/status/", {"status": "SHIPPED"}, "application/json")
    assert shipped.status_code == 200, shipped.content
    refunded = staff.post(f"/api/orders/{ref}/refund/", {}, "application/json")
    assert refunded.status_code == 200, refunded.content


def run_dispatch_only() -> None:
    """Run the events' dispatch (the `default` queue) here, so the deliveries exist, and
    leave their attempts (the `webhooks` queue) to the workers a test starts."""
    run_worker("--queue-name=default")


def admin_client() -> Client:
    """A staff superuser's admin session."""
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    return admin


def admin_send_again(delivery: Any) -> None:
    """Staff select the delivery in the admin and choose "Send again"."""
    response = admin_client().post(
        "/admin/webhooks/webhookdelivery/",
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302

"""The demo as a newcomer meets it on a fresh clone: `./scripts/run`, then every command the
README or the program prints, typed into a plain shell (no virtualenv on PATH, no
SECRET_KEY), against the test PostgreSQL."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
from django.db import connection
from django.test import Client

from orders.models import Order, OrderStatus
from shop.models import Product
from tests.conftest import CHECKOUT_BODY
from tests.ops.processes import (
    ROOT,
    free_port,
    run_as_typed,
    serving,
    users_shell_environment,
)
from tests.ops.readme import readme_commands

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_token_hint_that_seed_demo_prints_runs_as_printed():
    shell = users_shell_environment()
    seeded = run_as_typed("./scripts/manage seed_demo", shell)
    assert seeded.returncode == 0, seeded.stderr
    hints = re.findall(r"API token: (.+)$", seeded.stdout, re.M)
    assert [hint.split("--team ")[1].split()[0] for hint in hints] == ["acme", "globex"]

    created = run_as_typed(hints[0], shell)

    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("oly_")
    whoami = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/v1/auth/token")
    assert (whoami.status_code, whoami.json()["token_type"]) == (200, "full_access")


def test_the_readmes_management_commands_run_as_printed(settings):
    shell = users_shell_environment()
    assert run_as_typed("./scripts/manage seed_demo", shell).returncode == 0
    # An order for the guest-link commands, which name one by ref; its token sealed with
    # the demo's key, as the demo server would have.
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    buyer = Client()
    product = {"product_type": "shop.Product", "product_id": Product.objects.first().pk}
    assert buyer.post("/api/basket/", product, content_type="application/json").status_code == 201
    placed = buyer.post("/api/checkout/", CHECKOUT_BODY, content_type="application/json")
    assert placed.status_code == 201, placed.content
    ref = Order.objects.get().ref
    commands = readme_commands("./scripts/manage ")
    stamps = sorted(path.name for path in (ROOT / ".venv").glob(".installed-*"))
    assert len(commands) >= 5  # the Management commands paragraph and the /v1 token commands
    prefix = None

    for command in commands:
        if "oly_AbCdEfGh" in command:  # the README's example prefix: use a real one
            assert prefix, "revoke comes after create and list"
            command = command.replace("oly_AbCdEfGh", prefix)
        command = command.replace("2026-00001", ref)  # the README's example ref: the real one
        result = run_as_typed(command, shell)
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        if " list " in command:
            prefix = re.findall(r"\boly_\w{8}\b", result.stdout)[0]

    assert "Revoked oly_" in result.stdout
    # Nothing was installed on the way: the commands' arguments aren't taken for extras.
    assert sorted(path.name for path in (ROOT / ".venv").glob(".installed-*")) == stamps


def test_the_pypresscart_install_command_works_and_matches_the_tested_version():
    (install,) = readme_commands(".venv/bin/python -m pip install pypresscart")

    result = run_as_typed(install, users_shell_environment())

    assert result.returncode == 0, result.stderr
    pinned = re.search(r'"(pypresscart==[^"]+)"', (ROOT / "pyproject.toml").read_text())[1]
    assert install.endswith(f" {pinned}")


def _connections_to_the_test_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _browse(browser: httpx.Client, together: threading.Barrier) -> list[int]:
    together.wait()
    return [browser.get("/api/products/").status_code, browser.get("/api/basket/").status_code]


def _a_buyer_pays_by_test_card_as_the_walk_through_shows(base: str) -> None:
    buyer = httpx.Client(base_url=base, timeout=30)
    hoodie = Product.objects.get(code="HOOD-GRY")  # 54.00, as seed_demo loaded it
    buyer.post("/api/basket/", json={"product_type": "shop.Product", "product_id": hoodie.pk})
    methods = buyer.get("/api/checkout/").json()["payment_methods"]
    assert {"identifier": "test-card", "label": "Test card (no real money)", "error": None} in (
        methods
    )
    checkout = buyer.post("/api/checkout/", json={**CHECKOUT_BODY, "payment_method": "test-card"})
    gateway_url = checkout.json()["url"]
    assert "/test-gateway/?session=" in gateway_url

    page = buyer.get(gateway_url).text  # what the browser shows; then "Approve payment"
    form = dict(re.findall(r'name="(csrfmiddlewaretoken|session)" value="([^"]+)"', page))
    approved = buyer.post(
        "/test-gateway/", data={**form, "decision": "approve"}, headers={"Referer": gateway_url}
    )

    assert approved.status_code == 302
    pay_page = buyer.get(approved.headers["Location"])
    assert "Paid" in pay_page.text
    buyer.close()
    order = Order.objects.get()
    assert (order.status, order.total) == (OrderStatus.PROCESSING, Decimal("59.00"))
    assert [p.payment_method for p in order.payments.all()] == ["test-card"]


def test_the_demo_offers_card_payment_and_survives_bursts_on_postgresql(tmp_path):
    """The development server runs every browser connection in a thread of its own; kept
    open (as browsers do), none of them may hold a database connection between requests."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    shell = users_shell_environment(ORDERLY_ADDRESS=f"127.0.0.1:{port}")

    with serving(["./scripts/run"], env=shell, log=tmp_path / "run.log", base=base):
        _a_buyer_pays_by_test_card_as_the_walk_through_shows(base)

        statuses: list[int] = []
        peak = []
        kept_open: list[httpx.Client] = []
        for _burst in range(5):
            browsers = [httpx.Client(base_url=base, timeout=30) for _ in range(30)]
            kept_open += browsers  # idle keep-alive connections, like open browser tabs
            with ThreadPoolExecutor(len(browsers)) as pool:
                for answers in pool.map(_browse, browsers, [threading.Barrier(30)] * 30):
                    statuses += answers
            peak.append(_connections_to_the_test_database())
        for browser in kept_open:
            browser.close()

    assert set(statuses) == {200}, sorted(set(statuses))
    assert len(statuses) == 300
    # Between bursts the server holds no connection (before the fix: 31, 61, 91, then
    # "too many clients" and 500s).
    assert max(peak) <= 2, peak

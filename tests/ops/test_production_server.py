"""The production server command (gunicorn, as the Dockerfile runs it) serving real
requests against PostgreSQL, with static files collected and served by whitenoise."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from integration.services import api_token_create
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory, TeamFactory
from tests.postgres import database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_server(transactional_db, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "production-server-test-secret",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    run = {"env": env, "cwd": ROOT}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], check=True, **run
    )
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi"],
            stdout=output,
            stderr=subprocess.STDOUT,
            **run,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health/ready/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            server.terminate()
            pytest.fail(f"gunicorn did not become ready:\n{log.read_text()}")
        try:
            yield base, log
        finally:
            server.terminate()
            server.wait(timeout=15)


def test_gunicorn_serves_the_storefront_and_v1_on_postgresql(production_server):
    base, log = production_server
    product = ProductFactory(price="19.90")
    token = api_token_create(team=TeamFactory(), token_type="full_access").raw

    with httpx.Client(base_url=base, timeout=10) as browser:
        assert browser.get("/api/products/").json()[0]["unit_price"] == "19.90"
        added = browser.post(
            "/api/basket/", json={"product_type": "shop.Product", "product_id": product.pk}
        )
        assert added.status_code == 201
        checkout = browser.post("/api/checkout/", json=CHECKOUT_BODY)
        assert checkout.status_code == 201, checkout.text
        order = browser.get(checkout.json()["url"]).json()
        # The server runs the default modifiers: 5.00 shipping below 100.00.
        assert (order["status"], order["total"]) == ("HOLD", "24.90")
        whoami = browser.get("/v1/auth/token", headers={"Authorization": f"Bearer {token}"})
        assert whoami.json()["token_type"] == "full_access"
        missing = browser.get("/api/nothing-here/")
        assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})

    assert '"logger": "orderly.request"' in log.read_text()
    assert token not in log.read_text()


def test_static_files_are_collected_and_served_with_long_caching(production_server):
    base, _ = production_server

    login = httpx.get(f"{base}/admin/login/")
    hashed = next(
        part.split('"')[1]
        for part in login.text.split("href=")
        if "admin/css/base." in part and ".css" in part
    )
    stylesheet = httpx.get(f"{base}{hashed}")

    assert login.status_code == 200
    assert stylesheet.status_code == 200
    assert "max-age=315360000" in stylesheet.headers["Cache-Control"]

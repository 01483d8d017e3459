"""The production server command (gunicorn, as the Dockerfile runs it) serving real
requests against PostgreSQL, with static files collected and served by whitenoise."""

import os

import httpx
import pytest

from integration.services import api_token_create
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory, TeamFactory
from tests.ops.processes import VENV_BIN, free_port, serving
from tests.ops.readme import readme_block
from tests.postgres import database_url

pytestmark = pytest.mark.django_db(transaction=True)
HOST = "shop-api.example.com"  # the README's example: not the address probes use


@pytest.fixture
def production_server(transactional_db, tmp_path):
    """The README's production command without Docker, run as printed."""
    port = free_port()
    env = {
        **os.environ,
        "PATH": os.pathsep.join([VENV_BIN, os.environ["PATH"]]),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "production-server-test-secret",
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "SECURE_COOKIES": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    script = readme_block("gunicorn config.wsgi")
    assert "collectstatic" in script
    log = tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    # Probed like Docker does, by address: the health checks answer whatever the Host.
    with serving(["bash", "-e", "-c", script], env=env, log=log, base=base):
        yield base, log


def test_gunicorn_serves_the_storefront_and_v1_on_postgresql(production_server):
    base, log = production_server
    product = ProductFactory(price="19.90")
    token = api_token_create(team=TeamFactory(), token_type="full_access").raw

    with httpx.Client(base_url=base, timeout=10, headers={"Host": HOST}) as browser:
        assert browser.get("/api/products/").json()[0]["unit_price"] == "19.90"
        added = browser.post(
            "/api/basket/", json={"product_type": "shop.Product", "product_id": product.pk}
        )
        assert added.status_code == 201
        methods = browser.get("/api/checkout/").json()["payment_methods"]
        # The demo's test card gateway stays off in production.
        assert [m["identifier"] for m in methods] == ["pay-in-advance", "pay-on-delivery"]
        checkout = browser.post("/api/checkout/", json=CHECKOUT_BODY)
        assert checkout.status_code == 201, checkout.text
        order_url = httpx.URL(checkout.json()["url"])
        assert order_url.host == HOST  # links name the host the service serves
        order = browser.get(order_url.raw_path.decode()).json()
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

    login = httpx.get(f"{base}/admin/login/", headers={"Host": HOST})
    hashed = next(
        part.split('"')[1]
        for part in login.text.split("href=")
        if "admin/css/base." in part and ".css" in part
    )
    stylesheet = httpx.get(f"{base}{hashed}", headers={"Host": HOST})

    assert login.status_code == 200
    assert stylesheet.status_code == 200
    assert "max-age=315360000" in stylesheet.headers["Cache-Control"]


def test_other_hosts_are_still_refused(production_server):
    base, _ = production_server

    assert httpx.get(f"{base}/api/products/").status_code == 400  # Host: 127.0.0.1:<port>
    assert httpx.get(f"{base}/health/live/").status_code == 200

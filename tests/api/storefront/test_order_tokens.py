"""Order tokens at rest: sealed beside their digest, never in clear, and re-issuable.

A database dump must not open or pay an order: the tests read the stored rows as a dump
would and look for the token in them.
"""

import io
import os
import sqlite3
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from integration.models import IdempotencyRecord
from orders.models import Order, OrderEvent, OrderEventType, order_token_digest
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory


def token_of(checkout_url: str) -> str:
    return parse_qs(urlsplit(checkout_url).query)["token"][0]


def table_dump(table: str) -> str:
    """Every column of every row, as text: what a database dump would hold."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return repr(cursor.fetchall())


def checkout(client: Client, **headers: str):
    client.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": ProductFactory().pk},
        content_type="application/json",
    )
    response = client.post(
        "/api/checkout/", CHECKOUT_BODY, content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content
    return response


def test_the_token_is_not_stored_in_clear_but_still_opens_and_is_shown(visitor_client):
    token = token_of(checkout(visitor_client).json()["url"])
    order = Order.objects.get()

    assert token not in table_dump("orders_order")
    assert token not in table_dump("orders_orderevent")
    assert "token" not in {f.name for f in Order._meta.get_fields()}
    assert order.token_digest == order_token_digest(token)
    shown = Client().get(f"/api/orders/{order.ref}/?token={token}")
    assert shown.status_code == 200
    assert shown.json()["token"] == token
    assert Client().get(f"/pay/{token}/").status_code == 200


def test_a_new_secret_key_keeps_old_links_working_through_the_fallbacks(visitor_client, settings):
    token = token_of(checkout(visitor_client).json()["url"])
    ref = Order.objects.get().ref
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-test"

    shown = Client().get(f"/api/orders/{ref}/?token={token}")

    assert shown.status_code == 200
    assert shown.json()["token"] == token


def test_a_stored_idempotent_checkout_answer_is_sealed_and_still_replays(visitor_client):
    first = checkout(visitor_client, HTTP_IDEMPOTENCY_KEY="checkout-1")
    token = token_of(first.json()["url"])

    record = IdempotencyRecord.objects.get()
    assert token not in bytes(record.response_body).decode()
    assert token not in record.response_location
    assert token not in table_dump("integration_idempotencyrecord")

    replay = visitor_client.post(
        "/api/checkout/",
        CHECKOUT_BODY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="checkout-1",
    )
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert replay["Location"] == first["Location"]


def test_the_command_reissues_a_lost_link_and_the_old_one_stops_working(visitor_client):
    old = token_of(checkout(visitor_client).json()["url"])
    order = Order.objects.get()
    out = io.StringIO()

    call_command(
        "order_guest_link", order.ref, "--reissue", "--base-url", "https://shop.test", stdout=out
    )

    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    new = token_of(lines["order"].strip())
    assert new != old
    assert lines["pay page"].strip() == f"https://shop.test/pay/{new}/"
    assert Client().get(f"/api/orders/{order.ref}/?token={old}").status_code == 404
    assert Client().get(f"/pay/{old}/").status_code == 404
    assert Client().get(f"/api/orders/{order.ref}/?token={new}").json()["token"] == new
    assert OrderEvent.objects.filter(
        order=order, type=OrderEventType.GUEST_LINK_REISSUED, source="command"
    ).exists()
    assert new not in table_dump("orders_order")


def test_the_command_prints_the_current_links_without_changing_them(visitor_client):
    token = token_of(checkout(visitor_client).json()["url"])
    out = io.StringIO()

    call_command("order_guest_link", Order.objects.get().ref, stdout=out)

    assert f"/pay/{token}/" in out.getvalue()
    assert Client().get(f"/pay/{token}/").status_code == 200


def test_staff_reissue_a_link_from_the_admin(visitor_client, staff):
    old = token_of(checkout(visitor_client).json()["url"])
    order = Order.objects.get()
    staff.is_superuser = True
    staff.save()
    admin = Client()
    admin.force_login(staff)

    response = admin.post(
        "/admin/orders/order/",
        {"action": "reissue_guest_link", "_selected_action": [order.pk]},
        follow=True,
    )

    assert response.status_code == 200
    message = next(str(m) for m in response.context["messages"])
    new = message.rsplit("/pay/", 1)[1].rstrip("/")
    assert new != old
    assert Client().get(f"/pay/{new}/").status_code == 200
    assert Client().get(f"/pay/{old}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_tokens_and_keeps_their_links(product):
    """Orders placed before tokens were sealed keep the links their buyers hold."""
    executor = MigrationExecutor(connection)
    executor.migrate([("orders", "0003_order_status_counts")])
    old_apps = executor.loader.project_state([("orders", "0003_order_status_counts")]).apps
    OldOrder = old_apps.get_model("orders", "Order")
    token = "legacy-token-" + "x" * 30
    OldOrder.objects.create(
        ref="2020-00001",
        token=token,
        token_digest=order_token_digest(token),
        email="old@example.com",
        subtotal="10.00",
        total="10.00",
        status="CREATED",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert token not in table_dump("orders_order")
    shown = Client().get(f"/api/orders/2020-00001/?token={token}")
    assert shown.status_code == 200
    assert shown.json()["token"] == token


def test_the_migration_seals_existing_tokens_on_sqlite_too(tmp_path):
    """The same upgrade on SQLite, with the real `manage.py migrate` of a deployment."""
    database = tmp_path / "db.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "-v0")
    manage("migrate", "orders", "0003_order_status_counts", "-v0")
    token = "legacy-token-" + "y" * 30
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO orders_order (ref, token, token_digest, status, email, billing_address,"
            " shipping_address, subtotal, total, extra_rows, extra, payment_method, created_at,"
            " updated_at) VALUES ('2020-00002', ?, ?, 'CREATED', 'old@example.com', '', '',"
            " '10.00', '10.00', '[]', '{}', '', '2020-01-01', '2020-01-01')",
            [token, order_token_digest(token)],
        )
    manage("migrate", "-v0")

    with sqlite3.connect(database) as db:
        assert token not in repr(db.execute("SELECT * FROM orders_order").fetchall())
    assert f"/pay/{token}/" in manage("order_guest_link", "2020-00002")

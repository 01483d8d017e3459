"""After a whole purchase — an idempotent checkout, the gateway, its notification, the
pay page, the order read back — no table of the database holds the order's token."""

import pytest
from django.db import connection

from tests.api.payments.conftest import latest_order, read
from tests.api.payments.test_test_card import decide, gateway_path
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory

pytestmark = pytest.mark.usefixtures("test_card")


def every_table_as_text() -> str:
    with connection.cursor() as cursor:
        dump = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            dump.append(repr(cursor.fetchall()))
    return "\n".join(dump)


def test_no_table_holds_the_token_after_a_purchase(visitor_client):
    visitor_client.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": ProductFactory(price="25.00").pk},
        content_type="application/json",
    )
    placed = visitor_client.post(
        "/api/checkout/",
        {**CHECKOUT_BODY, "payment_method": "test-card"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="buy-once",
    )
    assert placed.status_code == 201, placed.content
    order = latest_order()
    assert decide(visitor_client, gateway_path(placed.json()["url"]), "approve").status_code == 302
    assert visitor_client.get(f"/pay/{order['token']}/?returned=1").status_code == 200
    assert read(visitor_client, order)["status"] == "PROCESSING"

    dump = every_table_as_text()

    assert order["ref"] in dump  # the dump is real: the order is in it
    assert order["token"] not in dump

"""Each `/v1/` shape is declared once (`integration.api.serializers`): the fields the OpenAPI
document shows. The views render through a direct `to_representation` for speed; these
tests prove it renders exactly the declared fields, and that reads cost a fixed number of
queries however many rows a page or an order holds."""

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from integration import selectors
from integration.api import serializers as shapes
from orders.models import Order
from orders.selectors import order_detail_queryset
from orders.services import payment_record
from shop.selectors import product_list
from tests.api.integration.test_client_reads import place
from tests.factories import ProductFactory

declared_walk = serializers.Serializer.to_representation


def as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=JSONEncoder))


def get_ok(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response


def team_order_details(team: Any) -> Any:
    """The team's orders with their items, read the slow way (the reference a stored
    `/v1/` document is compared with)."""
    return order_detail_queryset(include_private_notes=False).filter(team=team)


def declared_order(order: Order, request: Any) -> dict[str, Any]:
    body = declared_walk(shapes.OrderSerializer(context={"request": request}), order)
    body["line_items"] = [
        declared_walk(shapes.LineItemSerializer(), item) for item in order.prefetched_items
    ]
    return body


@pytest.fixture
def orders(team, profile, catalogue) -> list[Order]:
    """An unpaid order (it has a checkout link) and a paid one with a discount."""
    unpaid = place(team, profile, (catalogue[0], 2), (catalogue[1], 1))
    paid = place(team, profile, (catalogue[1], 3), discount="1.25")
    payment_record(
        order=paid,
        amount=paid.total,
        transaction_id="tx-shapes",
        payment_method="pay-on-delivery",
        actor=None,
        source="api",
    )
    return [unpaid, paid]


@pytest.fixture
def v1(make_token, team) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {make_token(team)}")


def test_orders_are_exactly_the_declared_shape(v1, team, orders):
    for order in orders:
        response = get_ok(v1, f"/v1/orders/{order.pk}")
        stored = team_order_details(team).get(pk=order.pk)
        assert response.json() == as_json(declared_order(stored, response.wsgi_request))
    assert {bool(o["checkout_link"]) for o in get_ok(v1, "/v1/orders").json()["records"]} == {
        True,
        False,
    }

    listed = get_ok(v1, "/v1/orders?sort_by=created_at&order_by=asc")
    expected = [declared_order(row, listed.wsgi_request) for row in team_order_details(team)]
    assert listed.json()["records"] == as_json(sorted(expected, key=lambda o: int(o["id"])))


def test_order_items_profiles_and_products_are_exactly_the_declared_shapes(
    v1, team, profile, orders, catalogue
):
    items = get_ok(v1, "/v1/order-items?sort_by=created_at&order_by=asc&limit=100").json()
    expected_items = [
        declared_walk(shapes.OrderItemRecordSerializer(), item)
        for item in selectors.team_order_items(team).order_by("order__created_at", "pk")
    ]
    assert items["records"] == as_json(expected_items)
    assert any(record["date_paid"] for record in items["records"])

    profiles = get_ok(v1, f"/v1/teams/{team.pk}/profiles").json()
    expected_profiles = [
        declared_walk(shapes.ProfileSerializer(), row) for row in selectors.team_profiles(team)
    ]
    assert profiles["records"] == as_json(expected_profiles)

    product = catalogue[1]
    served = get_ok(v1, f"/v1/products/{product.pk}").json()
    assert served == as_json(declared_walk(shapes.ProductSerializer(), product))
    listings = get_ok(v1, "/v1/products/listings?sort_by=name&order_by=asc&limit=100").json()
    expected_products = [
        declared_walk(shapes.ProductSerializer(), row)
        for row in product_list().order_by("name", "pk")
    ]
    assert listings["records"] == as_json(expected_products)


def queries(client: Client, url: str) -> int:
    get_ok(client, url)  # warm: token last-used, caches
    with CaptureQueriesContext(connection) as captured:
        get_ok(client, url)
    return len(captured.captured_queries)


def test_v1_reads_cost_the_same_for_one_row_or_many(v1, team, profile, catalogue):
    first = place(team, profile, (catalogue[0], 1))
    urls = [
        "/v1/orders",
        "/v1/order-items",
        f"/v1/profiles/{profile.pk}/orders",
        f"/v1/teams/{team.pk}/profiles",
        "/v1/products/listings",
        f"/v1/orders/{first.pk}",
    ]
    few = {url: queries(v1, url) for url in urls}

    rich = place(team, profile, *[(product, 2) for product in catalogue], discount="1.00")
    for _ in range(4):
        place(team, profile, (catalogue[0], 1), (catalogue[1], 3))
    for index in range(5):
        ProductFactory(price=f"{index + 1}.00")
    many = {url: queries(v1, url) for url in urls[:-1]}
    many[urls[-1]] = queries(v1, f"/v1/orders/{rich.pk}")

    assert many == few
    # Measured. Every read: the token and its rate-limit counter. An order is its stored
    # document, one query (`orders.documents`); lists add their total (kept counts for
    # /v1/orders, COUNT(*) for a profile's, after reading the profile) and page by ids.
    assert few[f"/v1/orders/{first.pk}"] == 3
    assert few["/v1/orders"] == 5
    assert few[f"/v1/profiles/{profile.pk}/orders"] == 6
    assert max(few.values()) <= 8, few

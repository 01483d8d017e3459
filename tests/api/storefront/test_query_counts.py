"""Order reads cost a fixed number of queries, however many items, payments, notes or orders.

Each test measures the same request on a small and a large case and asks for equal
counts (no N+1), then for the exact count measured when it was written, so a new
per-request query shows up here too (and one saved is written down).
"""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from orders.api import serializers as shapes
from orders.models import Order
from orders.selectors import order_detail_queryset
from orders.services import order_note_add, payment_record
from tests.factories import ProductFactory

# Measured. An order is its stored document, one query (`orders.documents`; it was the
# order with its money annotations plus a prefetch each for items, payments and notes: 4).
# A detail read adds the session and the user look-ups, or for a visitor the session
# and the token look-up's rate-limit counter: 3 (was 6). Lists add the total for
# X-Total-Count and page through ids first, and a customer's list reads their team ids
# (so its filter can use the user index): 6 for a customer, 5 for staff (both were 9).
DETAIL_QUERIES = 3
CUSTOMER_LIST_QUERIES = 6
STAFF_LIST_QUERIES = 5
STATUS_QUERIES = 3  # session, user, the order's status
PAY_METHODS_MAX_QUERIES = 6


def get_ok(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response


def measure(count_queries: Any, client: Client, url: str) -> int:
    get_ok(client, url)  # warm up: nothing the first request alone pays for is counted
    return count_queries(lambda: get_ok(client, url))


@pytest.fixture
def rich_order(place_order, visitor_client, staff) -> dict[str, Any]:
    """An order of ten items with three payments and four notes."""
    order = place_order(visitor_client, items=[(ProductFactory(), 1) for _ in range(10)])
    stored = Order.objects.get(ref=order["ref"])
    for number in range(3):
        payment_record(
            order=stored,
            amount=Decimal("1.00"),
            transaction_id=f"bank-{number}",
            payment_method="pay-in-advance",
            actor=staff,
            source="test",
        )
    for number in range(4):
        order_note_add(
            order=stored,
            message=f"note {number}",
            is_public=number % 2 == 0,
            actor=staff,
            source="test",
        )
    return order


@pytest.fixture
def small_order(place_order, visitor_client) -> dict[str, Any]:
    return place_order(visitor_client, items=[(ProductFactory(), 1)])


@pytest.mark.parametrize("caller", ["staff_client", "customer_client", "visitor_client"])
def test_order_detail_does_not_grow_with_items_payments_or_notes(
    request, place_order, count_queries, staff, caller
):
    client = request.getfixturevalue(caller)
    small = place_order(client, items=[(ProductFactory(), 1)])
    big = place_order(client, items=[(ProductFactory(), 2) for _ in range(10)])
    stored = Order.objects.get(ref=big["ref"])
    for number in range(3):
        payment_record(
            order=stored,
            amount=Decimal("1.00"),
            transaction_id=f"bank-{number}",
            payment_method="pay-in-advance",
            actor=staff,
            source="test",
        )
        order_note_add(order=stored, message="hi", is_public=True, actor=staff, source="test")

    def url(order: dict[str, Any]) -> str:
        return f"/api/orders/{order['ref']}/?token={order['token']}"

    small_count = measure(count_queries, client, url(small))
    big_count = measure(count_queries, client, url(big))

    big_body = get_ok(client, url(big)).json()
    assert (len(big_body["items"]), len(big_body["payments"]), len(big_body["notes"])) == (
        10,
        3,
        3,
    )
    assert small_count == big_count
    assert big_count == DETAIL_QUERIES


def _place_many(place_order: Any, client: Client, count: int) -> None:
    for _ in range(count):
        place_order(client, items=[(ProductFactory(), 1), (ProductFactory(), 2)])


def test_the_customer_list_does_not_grow_with_orders(place_order, customer_client, count_queries):
    _place_many(place_order, customer_client, 2)
    few = measure(count_queries, customer_client, "/api/orders/")

    _place_many(place_order, customer_client, 13)
    many = measure(count_queries, customer_client, "/api/orders/")

    assert len(get_ok(customer_client, "/api/orders/").json()) == 15
    assert few == many
    assert many == CUSTOMER_LIST_QUERIES


def test_the_staff_list_does_not_grow_with_orders(
    place_order, staff_client, visitor_client, count_queries
):
    url = "/api/orders/all/?status=HOLD&ordering=-total"
    _place_many(place_order, visitor_client, 2)
    few = measure(count_queries, staff_client, url)

    _place_many(place_order, visitor_client, 13)
    many = measure(count_queries, staff_client, url)

    assert len(get_ok(staff_client, url).json()) == 15
    assert few == many
    assert many == STAFF_LIST_QUERIES


def test_the_status_view_costs_the_same_for_any_order(
    staff_client, small_order, rich_order, count_queries
):
    small = measure(count_queries, staff_client, f"/api/orders/{small_order['ref']}/status/")
    rich = measure(count_queries, staff_client, f"/api/orders/{rich_order['ref']}/status/")

    assert small == rich
    assert rich == STATUS_QUERIES


def test_the_pay_methods_cost_the_same_for_any_order(
    staff_client, small_order, rich_order, count_queries
):
    small = measure(count_queries, staff_client, f"/api/orders/{small_order['ref']}/pay/")
    rich = measure(count_queries, staff_client, f"/api/orders/{rich_order['ref']}/pay/")

    assert small == rich
    assert rich <= PAY_METHODS_MAX_QUERIES


@pytest.mark.parametrize(
    ("query", "status"),
    [("", None), ("?status=HOLD", "HOLD"), ("?status=SHIPPED&ordering=total", "SHIPPED")],
)
def test_the_staff_list_total_is_read_not_counted(
    place_order, staff_client, visitor_client, query, status
):
    """Unfiltered or by status, `X-Total-Count` comes from the per-status counts the
    database keeps: COUNT(*) over a million orders was most of the request."""
    _place_many(place_order, visitor_client, 3)
    url = f"/api/orders/all/{query}"
    get_ok(staff_client, url)
    with CaptureQueriesContext(connection) as captured:
        response = get_ok(staff_client, url)

    expected = Order.objects.filter(status=status) if status else Order.objects.all()
    assert response.headers["X-Total-Count"] == str(expected.count())
    counting = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counting == [], counting


def test_the_served_order_is_exactly_the_declared_shape(rich_order, staff_client):
    """The order serializers build their dicts directly for speed; their declared fields
    (what the OpenAPI document shows) must render the very same body, nested parts too."""
    served = get_ok(staff_client, f"/api/orders/{rich_order['ref']}/").json()

    order = order_detail_queryset(include_private_notes=True).get(ref=rich_order["ref"])
    request = staff_client.get("/api/basket/count/").wsgi_request
    declared_walk = serializers.Serializer.to_representation
    expected = declared_walk(shapes.OrderSerializer(context={"request": request}), order)
    expected["items"] = [
        declared_walk(shapes.OrderItemSerializer(), item) for item in order.prefetched_items
    ]
    expected["payments"] = [
        declared_walk(shapes.OrderPaymentSerializer(), p) for p in order.prefetched_payments
    ]
    expected["notes"] = [
        declared_walk(shapes.OrderNoteSerializer(), note) for note in order.prefetched_notes
    ]
    assert len(expected["items"]) == 10 and len(expected["notes"]) == 4
    assert served == json.loads(json.dumps(expected, cls=JSONEncoder))

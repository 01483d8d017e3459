"""`/api/orders/`: who sees which order, the full order shape, lists, pages and filters."""

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from orders.models import Order
from orders.services import order_note_add
from tests.conftest import logged_in_client
from tests.factories import ProductFactory, UserFactory

ORDER_FIELDS = {
    "id",
    "url",
    "ref",
    "token",
    "status",
    "status_display",
    "date_created",
    "date_updated",
    "is_paid",
    "user",
    "email",
    "billing_address",
    "shipping_address",
    "subtotal",
    "extra_rows",
    "total",
    "amount_paid",
    "amount_outstanding",
    "extra",
    "items",
    "payments",
    "notes",
}
ITEM_FIELDS = {
    "id",
    "product_type",
    "product_id",
    "product",
    "unit_price",
    "quantity",
    "subtotal",
    "extra_rows",
    "total",
    "extra",
}
MONEY = re.compile(r"^-?\d+\.\d{2}$")


def detail(client: Client, ref: str, token: str | None = None) -> Any:
    query = f"?token={token}" if token is not None else ""
    return client.get(f"/api/orders/{ref}/{query}")


def refs(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert isinstance(body, list)  # salesman's plain array, pages in headers
    return [order["ref"] for order in body]


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None
    return parsed


@pytest.fixture
def not_found_body(staff_client: Client) -> Any:
    """What a ref that exists nowhere answers; every hidden order must look the same."""
    response = staff_client.get("/api/orders/1999-99999/")
    assert response.status_code == 404
    return response.content


# --- the full order shape ----------------------------------------------------------------


def test_the_order_carries_every_field_of_the_seed(place_order, visitor_client):
    product = ProductFactory(name="Mug", code="MUG-1", price="4.50")

    order = place_order(visitor_client, items=[(product, 3), (ProductFactory(price="1.25"), 1)])

    assert set(order) == ORDER_FIELDS
    assert order["url"] == f"http://testserver/api/orders/{order['ref']}/"
    assert isinstance(order["id"], int)
    assert len(order["token"]) >= 43
    for field in ("subtotal", "total", "amount_paid", "amount_outstanding"):
        assert isinstance(order[field], str) and MONEY.match(order[field]), field
    assert (order["subtotal"], order["total"]) == ("14.75", "14.75")
    assert order["amount_paid"] == "0.00"
    assert order["is_paid"] is False
    assert order["payments"] == []
    assert order["notes"] == []
    assert parse_time(order["date_created"]) <= parse_time(order["date_updated"])
    assert order["date_created"].endswith("Z")
    first, second = order["items"]
    assert set(first) == ITEM_FIELDS
    assert first["product"] == {"name": "Mug", "code": "MUG-1"}
    assert (first["unit_price"], first["quantity"], first["subtotal"], first["total"]) == (
        "4.50",
        3,
        "13.50",
        "13.50",
    )
    assert (first["extra_rows"], first["extra"]) == ([], {})
    assert second["unit_price"] == "1.25"
    for item in order["items"]:
        for field in ("unit_price", "subtotal", "total"):
            assert isinstance(item[field], str) and MONEY.match(item[field])


# --- /orders/: a customer's own orders ---------------------------------------------------


def test_a_customer_lists_only_their_own_orders_newest_first(
    place_order, customer_client, visitor_client, staff_client
):
    first = place_order(customer_client)["ref"]
    place_order(logged_in_client(UserFactory()))
    place_order(visitor_client)
    second = place_order(customer_client)["ref"]

    response = customer_client.get("/api/orders/")

    assert refs(response) == [second, first]
    assert response["X-Total-Count"] == "2"
    assert all(set(order) == ORDER_FIELDS for order in response.json())
    # staff see their own orders here too, as in salesman; all orders are on /orders/all/
    assert refs(staff_client.get("/api/orders/")) == []


def test_a_visitor_without_a_token_lists_nothing(place_order, visitor_client):
    place_order(visitor_client)

    response = visitor_client.get("/api/orders/")

    assert refs(response) == []
    assert response["X-Total-Count"] == "0"


def test_lists_are_paginated_with_link_and_count_headers(place_order, settings, customer_client):
    settings.ORDERLY_PAGE_SIZE = 2
    placed = [place_order(customer_client)["ref"] for _ in range(3)]
    newest_first = placed[::-1]

    page_one = customer_client.get("/api/orders/")
    assert refs(page_one) == newest_first[:2]
    assert page_one["X-Total-Count"] == "3"
    assert page_one["Link"] == '<http://testserver/api/orders/?page=2>; rel="next"'

    page_two = customer_client.get("/api/orders/?page=2")
    assert refs(page_two) == newest_first[2:]
    assert page_two["X-Total-Count"] == "3"
    assert page_two["Link"] == '<http://testserver/api/orders/>; rel="prev"'

    chosen = customer_client.get("/api/orders/?page_size=1&page=2")
    assert refs(chosen) == newest_first[1:2]
    assert 'rel="next"' in chosen["Link"] and 'rel="prev"' in chosen["Link"]

    whole = customer_client.get("/api/orders/?page_size=3")
    assert refs(whole) == newest_first
    assert not whole.has_header("Link")


def test_a_page_size_above_the_maximum_is_capped(place_order, settings, customer_client):
    settings.ORDERLY_MAX_PAGE_SIZE = 2
    for _ in range(3):
        place_order(customer_client)

    response = customer_client.get("/api/orders/?page_size=1000")

    assert len(refs(response)) == 2
    assert response["X-Total-Count"] == "3"


def test_a_page_past_the_end_is_a_404(place_order, customer_client):
    place_order(customer_client)

    response = customer_client.get("/api/orders/?page=5")

    assert response.status_code == 404
    assert "detail" in response.json()


# --- /orders/last/ -------------------------------------------------------------------------


def test_last_is_the_customers_newest_order(place_order, customer_client, visitor_client):
    place_order(customer_client)
    newest = place_order(customer_client)
    place_order(visitor_client)  # someone else's, and newer

    response = customer_client.get("/api/orders/last/")

    assert response.status_code == 200
    assert response.json()["ref"] == newest["ref"]
    assert set(response.json()) == ORDER_FIELDS


def test_last_for_a_visitor_needs_the_token(place_order, visitor_client, not_found_body):
    order = place_order(visitor_client)

    with_token = visitor_client.get(f"/api/orders/last/?token={order['token']}")
    without = visitor_client.get("/api/orders/last/")

    assert with_token.status_code == 200
    assert with_token.json()["ref"] == order["ref"]
    assert without.status_code == 404
    assert without.content == not_found_body


def test_last_is_a_404_for_a_customer_without_orders(place_order, customer_client, visitor_client):
    guest_order = place_order(visitor_client)

    response = customer_client.get(f"/api/orders/last/?token={guest_order['token']}")

    assert response.status_code == 404


# --- /orders/<ref>/: who may open an order -------------------------------------------------


def test_the_owner_opens_their_order(place_order, customer_client):
    order = place_order(customer_client)

    response = detail(customer_client, order["ref"])

    assert response.status_code == 200
    assert response.json() == order


def test_a_guest_opens_their_order_with_its_token_only(place_order, visitor_client, not_found_body):
    order = place_order(visitor_client)
    other = place_order(visitor_client)

    assert detail(visitor_client, order["ref"], order["token"]).json()["ref"] == order["ref"]
    for token in (None, "", "wrong-token", other["token"], order["token"][:-1]):
        response = detail(Client(), order["ref"], token)
        assert response.status_code == 404, token
        assert response.content == not_found_body


def test_other_peoples_orders_look_like_missing_ones(
    place_order, customer_client, visitor_client, not_found_body
):
    mine = place_order(customer_client)
    guest = place_order(visitor_client)
    stranger = logged_in_client(UserFactory())

    for client, ref, token in [
        (stranger, mine["ref"], None),
        (stranger, mine["ref"], mine["token"]),  # a customer sees their own, not by token
        (customer_client, guest["ref"], guest["token"]),
        (visitor_client, mine["ref"], None),
    ]:
        response = detail(client, ref, token)
        assert response.status_code == 404, (ref, token)
        assert response.content == not_found_body


def test_staff_open_any_order(place_order, staff_client, customer_client, visitor_client):
    for order in (place_order(customer_client), place_order(visitor_client)):
        response = detail(staff_client, order["ref"])
        assert response.status_code == 200
        assert response.json()["token"] == order["token"]


def test_an_overlong_ref_is_just_not_found(customer_client, not_found_body):
    response = detail(customer_client, "x" * 5000)

    assert response.status_code == 404
    assert response.content == not_found_body


# --- notes ---------------------------------------------------------------------------------


def test_private_notes_are_for_staff_public_ones_for_the_owner_too(
    place_order, customer_client, visitor_client, staff_client, staff
):
    mine = place_order(customer_client)
    guest = place_order(visitor_client)
    for ref in (mine["ref"], guest["ref"]):
        order = Order.objects.get(ref=ref)
        order_note_add(
            order=order, message="Left at the door", is_public=True, actor=staff, source="test"
        )
        order_note_add(
            order=order, message="Rude customer", is_public=False, actor=staff, source="test"
        )

    def messages(response: Any) -> list[str]:
        assert response.status_code == 200
        return [note["message"] for note in response.json()["notes"]]

    assert messages(detail(customer_client, mine["ref"])) == ["Left at the door"]
    assert messages(detail(visitor_client, guest["ref"], guest["token"])) == ["Left at the door"]
    for ref in (mine["ref"], guest["ref"]):
        assert messages(detail(staff_client, ref)) == ["Left at the door", "Rude customer"]

    [listed] = customer_client.get("/api/orders/").json()
    assert [note["message"] for note in listed["notes"]] == ["Left at the door"]
    staff_listed = {o["ref"]: o for o in staff_client.get("/api/orders/all/").json()}
    assert [n["message"] for n in staff_listed[mine["ref"]]["notes"]] == [
        "Left at the door",
        "Rude customer",
    ]
    note = detail(customer_client, mine["ref"]).json()["notes"][0]
    assert note["message"] == "Left at the door"
    assert parse_time(note["date_created"])


# --- /orders/all/: staff's view of every order ------------------------------------------


@pytest.mark.parametrize(
    ("caller", "message"),
    [
        ("visitor_client", "Authentication credentials were not provided."),
        ("customer_client", "You do not have permission to perform this action."),
    ],
)
def test_all_orders_are_for_staff_only(request, place_order, caller, message):
    client = request.getfixturevalue(caller)
    order = place_order(client)

    for query in ("", f"?token={order['token']}"):
        response = client.get(f"/api/orders/all/{query}")
        assert response.status_code == 403
        assert response.json() == {"detail": message}


def test_staff_list_every_order_newest_first(
    place_order, staff_client, customer_client, visitor_client
):
    placed = [
        place_order(customer_client)["ref"],
        place_order(visitor_client)["ref"],
        place_order(staff_client)["ref"],
        place_order(logged_in_client(UserFactory()))["ref"],
    ]

    response = staff_client.get("/api/orders/all/")

    assert refs(response) == placed[::-1]
    assert response["X-Total-Count"] == "4"
    assert all(set(order) == ORDER_FIELDS for order in response.json())


def test_staff_list_is_paginated(settings, place_order, staff_client, visitor_client):
    settings.ORDERLY_PAGE_SIZE = 2
    placed = [place_order(visitor_client)["ref"] for _ in range(3)]

    first = staff_client.get("/api/orders/all/?status=HOLD")
    second = staff_client.get("/api/orders/all/?status=HOLD&page=2")

    assert refs(first) + refs(second) == placed[::-1]
    assert first["X-Total-Count"] == second["X-Total-Count"] == "3"
    # the next page keeps the filters
    assert first["Link"] == '<http://testserver/api/orders/all/?page=2&status=HOLD>; rel="next"'


def _created_on(ref: str, day: datetime) -> None:
    # Orders can only be placed "now"; tests of date filters move them in time afterwards.
    Order.objects.filter(ref=ref).update(created_at=day)


@pytest.fixture
def shop_orders(place_order, visitor_client, staff_client) -> dict[str, str]:
    """Four orders that differ in status, payment, date, email and total."""
    orders = {
        "hold": place_order(
            visitor_client, items=[(ProductFactory(price="30.00"), 1)], email="hold@example.com"
        ),
        "created": place_order(
            visitor_client,
            items=[(ProductFactory(price="10.00"), 1)],
            payment_method="pay-on-delivery",
            email="Alice@Example.com",
        ),
        "paid": place_order(
            visitor_client, items=[(ProductFactory(price="50.00"), 1)], email="paid@example.com"
        ),
        "old": place_order(
            visitor_client, items=[(ProductFactory(price="20.00"), 1)], email="old@example.com"
        ),
    }
    pay = staff_client.post(
        f"/api/orders/{orders['paid']['ref']}/pay/",
        {"payment_method": "manual"},
        content_type="application/json",
    )
    assert pay.status_code == 200, pay.content
    days = {"old": 1, "hold": 10, "created": 11, "paid": 12}
    for name, day in days.items():
        _created_on(orders[name]["ref"], datetime(2024, 3, day, 12, 0, tzinfo=UTC))
    return {name: order["ref"] for name, order in orders.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["paid", "created", "hold", "old"]),
        ("?status=HOLD", ["hold", "old"]),
        ("?status=CREATED", ["created"]),
        ("?status=PROCESSING", ["paid"]),
        ("?status=SHIPPED", []),
        ("?is_paid=true", ["paid"]),
        ("?is_paid=false", ["created", "hold", "old"]),
        ("?date_from=2024-03-10", ["paid", "created", "hold"]),
        ("?date_to=2024-03-10", ["hold", "old"]),
        ("?date_from=2024-03-11&date_to=2024-03-11", ["created"]),
        ("?date_from=2024-03-13", []),
        ("?email=alice@example.com", ["created"]),
        ("?email=nobody@example.com", []),
        ("?ordering=total", ["created", "old", "hold", "paid"]),
        ("?ordering=-total", ["paid", "hold", "old", "created"]),
        ("?ordering=created_at", ["old", "hold", "created", "paid"]),
        ("?ordering=-created_at", ["paid", "created", "hold", "old"]),
        ("?status=HOLD&ordering=-total", ["hold", "old"]),
        ("?is_paid=false&date_from=2024-03-10&ordering=total", ["created", "hold"]),
    ],
)
def test_staff_filter_and_sort_all_orders(staff_client, shop_orders, query, expected):
    response = staff_client.get(f"/api/orders/all/{query}")

    assert refs(response) == [shop_orders[name] for name in expected]
    assert response["X-Total-Count"] == str(len(expected))


def test_staff_search_orders_by_ref(staff_client, shop_orders):
    ref = shop_orders["created"]

    assert refs(staff_client.get(f"/api/orders/all/?search={ref}")) == [ref]
    # a part of a ref finds it too: the year prefix finds them all
    assert len(refs(staff_client.get(f"/api/orders/all/?search={ref[:4]}"))) == 4
    assert refs(staff_client.get("/api/orders/all/?search=1999-99999")) == []


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("?status=LOST", {"status": ['"LOST" is not a valid choice.']}),
        ("?is_paid=maybe", {"is_paid": ["Must be a valid boolean."]}),
        (
            "?date_from=2024-13-01",
            {"date_from": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        (
            "?date_to=yesterday",
            {"date_to": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        (
            "?date_from=2024-03-10&date_to=2024-03-01",
            {"date_to": ["Must not be before date_from."]},
        ),
        ("?ordering=price", {"ordering": ['"price" is not a valid choice.']}),
        (
            "?email=" + "a" * 300,
            {"email": ["Ensure this field has no more than 254 characters."]},
        ),
    ],
)
def test_invalid_staff_filters_are_field_errors(staff_client, query, errors):
    response = staff_client.get(f"/api/orders/all/{query}")

    assert response.status_code == 400
    assert response.json() == errors

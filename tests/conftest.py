"""Shared fixtures: API clients as each kind of caller, and a way to place real orders."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ProductFactory, StaffFactory, UserFactory

PASSWORD = "correct-horse-battery"
CHECKOUT_BODY = {
    "email": "buyer@example.com",
    "shipping_address": "1 Shipping Lane",
    "billing_address": "2 Billing Road",
    "payment_method": "pay-in-advance",
}


@pytest.fixture(autouse=True)
def _no_default_modifiers(settings: Any) -> None:
    """Tests price without modifiers unless they configure some, so totals are obvious."""
    settings.ORDERLY_PRICE_MODIFIERS = []


ORDER_COUNT_TRIGGERS = ", ".join(
    [
        *(f"orders_status_count_{event}" for event in ("insert", "update", "delete")),
        # Events get their final id at commit (events migration 0001): here, at insert.
        "events_event_assign_id",
    ]
)


@pytest.fixture(autouse=True)
def _order_counts_within_the_test_transaction(request: pytest.FixtureRequest) -> None:
    """The order counts per team and status (orders migration 0003) and event ids (events
    migration 0001) are kept by triggers that run at commit. A `db` test never commits (it
    is rolled back), so here they run at each statement instead, and the staff list's
    totals see the test's orders. Tests that
    really commit (`transactional_db`, live servers) keep them at commit, as production."""
    marker = request.node.get_closest_marker("django_db")
    if "db" not in request.fixturenames and marker is None:
        return  # no database
    commits = {"transactional_db", "live_server"} & set(request.fixturenames)
    if commits or (marker and marker.kwargs.get("transaction")):
        return  # commits for real
    request.getfixturevalue("db")
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {ORDER_COUNT_TRIGGERS} IMMEDIATE")


@pytest.fixture
def product(db: Any) -> Any:
    return ProductFactory(price="10.00")


@pytest.fixture
def customer(db: Any) -> Any:
    return UserFactory()


@pytest.fixture
def staff(db: Any) -> Any:
    return StaffFactory()


@pytest.fixture
def visitor_client(db: Any) -> Client:
    """An anonymous browser session."""
    return Client()


def logged_in_client(user: Any) -> Client:
    """A browser session logged in as `user`, sending the CSRF token like a real SPA."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/api/basket/count/")  # receives the csrftoken cookie
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


@pytest.fixture
def customer_client(customer: Any) -> Client:
    return logged_in_client(customer)


@pytest.fixture
def staff_client(staff: Any) -> Client:
    return logged_in_client(staff)


@pytest.fixture
def place_order(db: Any) -> Callable[..., dict[str, Any]]:
    """Place an order through the storefront API as `client` and return it (full shape)."""

    def place(
        client: Client,
        *,
        items: list[tuple[Any, int]] | None = None,
        **checkout: Any,
    ) -> dict[str, Any]:
        for item_product, quantity in items or [(ProductFactory(), 1)]:
            response = client.post(
                "/api/basket/",
                {
                    "product_type": "shop.Product",
                    "product_id": item_product.pk,
                    "quantity": quantity,
                },
                content_type="application/json",
            )
            assert response.status_code == 201, response.content
        response = client.post(
            "/api/checkout/", {**CHECKOUT_BODY, **checkout}, content_type="application/json"
        )
        assert response.status_code == 201, response.content
        order = client.get(response["Location"])
        assert order.status_code == 200, order.content
        return order.json()

    return place


@pytest.fixture
def count_queries() -> Callable[[Callable[[], Any]], int]:
    """Run a callable and return how many SQL queries it made."""

    def count(action: Callable[[], Any]) -> int:
        with CaptureQueriesContext(connection) as captured:
            action()
        return len(captured.captured_queries)

    return count

"""A basket -> checkout flow costs a fixed number of queries and one commit per request.

Issue 15: the sync workers wait on the database for about half of each flow, and each
commit waits for its WAL flush, so both are counted here, exactly: a new query or commit
in the flow shows up as a failure to look at, and a saving as one to write down.

The tests really commit (`transaction=True`): a commit is a write outside any
transaction (autocommit) or the end of a transaction that wrote something. Reads in
autocommit commit nothing worth counting (no WAL flush).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from orders.models import Order
from shop.models import Basket
from tests.conftest import CHECKOUT_BODY, logged_in_client
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The outbox rows of the two events a checkout announces (order.created, then the
# status change to HOLD): the order's documents rendered (order, items, payments, notes)
# and stored (one upsert, `orders.documents`), the event row, its dispatch task row.
EVENT_QUERIES = 2 * (4 + 1 + 2)

# Session; the basket read, then locked; the lines, their products; the order's items
# emptied and the basket's extra cleared; the ref counter (one upsert); the order, its
# items (one insert), its history rows (placed, CREATED, HOLD) and status moves
# (NEW -> CREATED -> HOLD); the events.
CHECKOUT_QUERIES = 1 + 2 + 2 + 2 + 1 + 2 + 3 + 2 + EVENT_QUERIES

# A returning visitor: session; basket read, product, basket locked, its lines read
# once; the line inserted, the basket touched; the answer prices the basket (lines,
# products).
REPEAT_ADD_QUERIES = 1 + 1 + 1 + 1 + 1 + 2 + 2

# A new visitor: no session to read; the basket created instead of read; the session
# inserted in a savepoint of the request's transaction (no lookup of the new key first).
FIRST_ADD_QUERIES = REPEAT_ADD_QUERIES - 1 + 3


@dataclass
class RoundTrips:
    queries: list[str] = field(default_factory=list)
    commits: int = 0

    def _committed(self) -> None:
        self.commits += 1

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.queries.append(sql)
        is_write = sql.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
        if is_write:
            wrapper = context["connection"]
            if not wrapper.in_atomic_block:
                self.commits += 1
            elif not any(callback == self._committed for _, callback, _ in wrapper.run_on_commit):
                # Counted when (and if) the transaction this first write opened commits.
                wrapper.on_commit(self._committed)
        return execute(sql, params, many, context)


@contextmanager
def round_trips() -> Iterator[RoundTrips]:
    counted = RoundTrips()
    with connection.execute_wrapper(counted):
        yield counted


def add_to_basket(client: Client, product: Any) -> RoundTrips:
    with round_trips() as counted:
        response = client.post(
            "/api/basket/",
            {"product_type": "shop.Product", "product_id": product.pk},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    return counted


def check_out(client: Client) -> RoundTrips:
    with round_trips() as counted:
        response = client.post("/api/checkout/", CHECKOUT_BODY, content_type="application/json")
    assert response.status_code == 201, response.content
    return counted


def test_a_new_visitors_first_flow():
    product = ProductFactory()
    client = Client()

    added = add_to_basket(client, product)
    placed = check_out(client)

    assert (len(added.queries), added.commits) == (FIRST_ADD_QUERIES, 1), added.queries
    assert (len(placed.queries), placed.commits) == (CHECKOUT_QUERIES, 1), placed.queries
    assert Order.objects.count() == 1


def test_a_returning_visitors_flow():
    product = ProductFactory()
    client = Client()
    add_to_basket(client, product)
    check_out(client)

    added = add_to_basket(client, product)
    placed = check_out(client)

    assert (len(added.queries), added.commits) == (REPEAT_ADD_QUERIES, 1), added.queries
    assert (len(placed.queries), placed.commits) == (CHECKOUT_QUERIES, 1), placed.queries
    assert Order.objects.count() == 2


def test_a_customers_flow_commits_once_per_request():
    product = ProductFactory()
    client = logged_in_client(UserFactory())
    add_to_basket(client, product)
    check_out(client)

    added = add_to_basket(client, product)
    placed = check_out(client)

    # The user is read besides the session; the rest is the visitor's flow.
    assert (len(added.queries), added.commits) == (REPEAT_ADD_QUERIES + 1, 1), added.queries
    assert (len(placed.queries), placed.commits) == (CHECKOUT_QUERIES + 1, 1), placed.queries


def test_a_failed_first_add_leaves_no_basket_and_no_session():
    client = Client()

    with round_trips() as counted:
        response = client.post(
            "/api/basket/",
            {"product_type": "shop.Product", "product_id": 999_999_999},
            content_type="application/json",
        )

    assert response.status_code == 400, response.content
    assert counted.commits == 0
    assert Basket.objects.count() == 0
    assert "sessionid" not in response.cookies
    # The next add starts afresh and works.
    add_to_basket(client, ProductFactory())
    assert client.get("/api/basket/count/").json() == {"count": 1}


def test_a_refused_checkout_commits_nothing():
    client = Client()
    add_to_basket(client, ProductFactory())

    with round_trips() as counted:
        response = client.post(
            "/api/checkout/",
            {**CHECKOUT_BODY, "payment_method": "pay-on-delivery", "email": "nope"},
            content_type="application/json",
        )

    assert response.status_code == 400
    assert counted.commits == 0
    assert Order.objects.count() == 0

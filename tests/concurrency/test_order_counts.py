"""The staff list's totals come from per-status counts kept by triggers at commit (orders
migration 0003). Under concurrent checkouts and status changes they must stay exactly the
number of rows, or a staff tool walking pages would stop short or run past the end."""

from collections import Counter

import pytest

from orders.models import Order
from tests.concurrency.conftest import run_together
from tests.concurrency.test_checkout_and_status import add_to_basket
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory, StaffFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def total_listed(browser, query=""):
    response = browser.get(f"/api/orders/all/?page_size=1{query}")
    assert response.status_code == 200, response.text
    return int(response.headers["X-Total-Count"])


def test_totals_stay_exact_under_concurrent_checkouts_and_status_changes(browsers):
    product = ProductFactory(price="10.00")
    staff = StaffFactory()
    admin = browsers().log_in(staff)
    buyers = [browsers() for _ in range(12)]
    for buyer in buyers:
        add_to_basket(buyer, product)
    body = {**CHECKOUT_BODY, "payment_method": "pay-on-delivery"}  # leaves them CREATED

    placed = run_together(12, lambda i: buyers[i].post("/api/checkout/", body))
    assert [r.status_code for r in placed] == [201] * 12, [r.text for r in placed]

    refs = list(Order.objects.values_list("ref", flat=True))
    admins = [browsers().log_in(staff) for _ in range(6)]
    # Six orders move at once, to three different statuses, while six more are placed.
    targets = ["CANCELLED", "PROCESSING", "HOLD"] * 2
    more_buyers = [browsers() for _ in range(6)]
    for buyer in more_buyers:
        add_to_basket(buyer, product)

    def act(index):
        if index < 6:
            path = f"/api/orders/{refs[index]}/status/"
            return admins[index].put(path, {"status": targets[index]})
        return more_buyers[index - 6].post("/api/checkout/", body)

    results = run_together(12, act)

    assert [r.status_code for r in results[:6]] == [200] * 6, [r.text for r in results]
    assert [r.status_code for r in results[6:]] == [201] * 6, [r.text for r in results]
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert statuses == {"CREATED": 12, "CANCELLED": 2, "PROCESSING": 2, "HOLD": 2}
    assert total_listed(admin) == 18
    for status, count in statuses.items():
        assert total_listed(admin, f"&status={status}") == count
    assert total_listed(admin, "&status=SHIPPED") == 0
    # With a filter the counts can't answer, the rows are counted: the same figures.
    assert total_listed(admin, "&search=-") == 18

from collections import Counter

import pytest

from orders.models import Order, OrderEvent, OrderEventType, OrderRefund
from shop.models import BasketItem
from tests.concurrency.conftest import run_together
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory, StaffFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def add_to_basket(browser, product, quantity=1):
    response = browser.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": product.pk, "quantity": quantity},
    )
    assert response.status_code == 201, response.text


def test_twenty_concurrent_checkouts_get_twenty_distinct_sequential_refs(browsers):
    product = ProductFactory(price="10.00")
    buyers = [browsers() for _ in range(20)]
    for buyer in buyers:
        add_to_basket(buyer, product)

    responses = run_together(20, lambda i: buyers[i].post("/api/checkout/", CHECKOUT_BODY))

    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    refs = sorted(Order.objects.values_list("ref", flat=True))
    assert len(refs) == 20
    year = refs[0].split("-")[0]
    assert refs == [f"{year}-{n:05d}" for n in range(1, 21)]


def test_concurrent_adds_of_one_product_to_one_basket_all_count(browsers):
    product = ProductFactory()
    shopper = browsers()
    add_to_basket(shopper, product)  # creates the basket and its session first

    responses = run_together(
        10,
        lambda i: shopper.post(
            "/api/basket/", {"product_type": "shop.Product", "product_id": product.pk}
        ),
    )

    assert [r.status_code for r in responses] == [201] * 10
    assert BasketItem.objects.get().quantity == 11


def place_pay_on_delivery_order(browser) -> str:
    add_to_basket(browser, ProductFactory())
    body = {**CHECKOUT_BODY, "payment_method": "pay-on-delivery"}
    response = browser.post("/api/checkout/", body)
    assert response.status_code == 201, response.text
    return Order.objects.latest("id").ref


@pytest.mark.parametrize("attempt", range(3))
def test_two_competing_status_changes_never_both_apply(browsers, attempt):
    ref = place_pay_on_delivery_order(browsers())
    staff = StaffFactory()
    admins = [browsers().log_in(staff) for _ in range(2)]
    targets = ["CANCELLED", "PROCESSING"]  # both valid from CREATED, never one after the other

    responses = run_together(
        2, lambda i: admins[i].put(f"/api/orders/{ref}/status/", {"status": targets[i]})
    )

    assert sorted(r.status_code for r in responses) == [200, 400]
    winner = targets[[r.status_code for r in responses].index(200)]
    order = Order.objects.get(ref=ref)
    assert order.status == winner
    changes = OrderEvent.objects.filter(order=order, type=OrderEventType.STATUS_CHANGED)
    assert [(e.from_status, e.to_status) for e in changes] == [
        ("NEW", "CREATED"),
        ("CREATED", winner),
    ]


def test_the_same_move_requested_ten_times_at_once_is_recorded_once(browsers):
    ref = place_pay_on_delivery_order(browsers())
    staff = StaffFactory()
    admins = [browsers().log_in(staff) for _ in range(10)]

    responses = run_together(
        10, lambda i: admins[i].put(f"/api/orders/{ref}/status/", {"status": "CANCELLED"})
    )

    assert [r.status_code for r in responses] == [200] * 10
    cancellations = OrderEvent.objects.filter(order__ref=ref, to_status="CANCELLED")
    assert cancellations.count() == 1


def test_ten_concurrent_refunds_pay_back_once(browsers):
    ref = place_pay_on_delivery_order(browsers())
    staff = StaffFactory()
    admins = [browsers().log_in(staff) for _ in range(10)]
    paid = admins[0].post(f"/api/orders/{ref}/pay/", {"payment_method": "manual"})
    assert paid.status_code == 200, paid.text

    responses = run_together(10, lambda i: admins[i].post(f"/api/orders/{ref}/refund/"))

    assert Counter(r.status_code for r in responses) == Counter({200: 1, 400: 9})
    assert OrderRefund.objects.filter(payment__order__ref=ref).count() == 1
    assert Order.objects.get(ref=ref).status == "REFUNDED"


def test_concurrent_registrations_of_one_email_create_one_account(browsers):
    visitors = [browsers() for _ in range(8)]
    body = {"email": "race@example.com", "password": "a-long-enough-passphrase"}

    responses = run_together(8, lambda i: visitors[i].post("/api/auth/register/", body))

    assert Counter(r.status_code for r in responses) == Counter({201: 1, 400: 7})
    assert UserFactory._meta.model.objects.filter(email="race@example.com").count() == 1

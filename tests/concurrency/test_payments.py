"""Money under concurrency: duplicate provider notifications and competing refunds, as
real simultaneous HTTP requests against a live server on PostgreSQL."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from kernel.conf import DEFAULTS
from orders.models import Order, OrderPayment, OrderRefund
from orders.selectors import order_guest_token, order_queryset
from payments.models import NotificationVerdict, PaymentNotification
from tests.api.payments.conftest import GATEWAY_SECRET, TEST_CARD, gateway_event, sign
from tests.concurrency.conftest import run_together
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory, StaffFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _test_card(settings: Any) -> None:
    settings.ORDERLY_PAYMENT_METHODS = [*DEFAULTS["PAYMENT_METHODS"], TEST_CARD]
    settings.ORDERLY_TEST_GATEWAY_SECRET = GATEWAY_SECRET


def place_order(browser: Any, price: str = "12.50", quantity: int = 2) -> dict[str, Any]:
    response = browser.post(
        "/api/basket/",
        {
            "product_type": "shop.Product",
            "product_id": ProductFactory(price=price).pk,
            "quantity": quantity,
        },
    )
    assert response.status_code == 201, response.text
    response = browser.post("/api/checkout/", CHECKOUT_BODY)
    assert response.status_code == 201, response.text
    order = Order.objects.latest("id")
    return {"ref": order.ref, "token": order_guest_token(order)}


def notify(base_url: str, body: bytes) -> httpx.Response:
    """One delivery, on its own connection, as a provider's delivery worker would."""
    with httpx.Client(base_url=base_url, timeout=30) as provider:
        return provider.post(
            "/webhooks/test-card/",
            content=body,
            headers={
                "Content-Type": "application/json",
                "Orderly-Signature": sign(body, GATEWAY_SECRET),
            },
        )


def test_twenty_concurrent_deliveries_of_one_notification_record_one_payment(live_server, browsers):
    order = place_order(browsers())
    body = gateway_event(order, amount="25.00", payment_id="tc_once")

    responses = run_together(20, lambda i: notify(live_server.url, body))

    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    [payment] = OrderPayment.objects.filter(order__ref=order["ref"])
    assert payment.amount == Decimal("25.00")
    assert Order.objects.get(ref=order["ref"]).status == "PROCESSING"
    results = sorted(r.json()["result"] for r in responses)
    assert results == ["Already recorded."] * 19 + ["Recorded a payment of 25.00."]
    assert PaymentNotification.objects.filter(verdict=NotificationVerdict.ACCEPTED).count() == 20


def test_twenty_concurrent_distinct_partial_payments_pay_the_total_and_flag_the_rest(
    live_server, browsers
):
    """The provider took all twenty: five pay the order, fifteen are overpayments."""
    order = place_order(browsers())  # 25.00
    bodies = [gateway_event(order, amount="5.00") for _ in range(20)]

    responses = run_together(20, lambda i: notify(live_server.url, bodies[i]))

    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    results = sorted(r.json()["result"].split(" for ")[0] for r in responses)
    assert results == ["Recorded a payment of 5.00."] * 5 + ["Recorded an overpayment of 5.00"] * 15
    assert OrderPayment.objects.filter(order__ref=order["ref"]).count() == 20
    paid = order_queryset().get(ref=order["ref"])
    assert (paid.status, paid.amount_paid, paid.amount_overpaid) == (
        "PROCESSING",
        Decimal("100.00"),
        Decimal("75.00"),
    )


@pytest.mark.parametrize("closed", [False, True], ids=["already-paid", "cancelled"])
def test_twenty_concurrent_deliveries_of_one_late_payment_record_one_overpayment(
    live_server, browsers, closed
):
    order = place_order(browsers())
    if closed:
        staff = browsers().log_in(StaffFactory())
        cancel = staff.put(f"/api/orders/{order['ref']}/status/", {"status": "CANCELLED"})
        assert cancel.status_code == 200, cancel.text
    else:
        assert notify(live_server.url, gateway_event(order, amount="25.00")).status_code == 200
    late = gateway_event(order, amount="25.00", payment_id="tc_late")

    responses = run_together(20, lambda i: notify(live_server.url, late))

    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    assert OrderPayment.objects.filter(transaction_id="tc_late").count() == 1
    results = sorted(r.json()["result"] for r in responses)
    assert results[:19] == ["Already recorded."] * 19
    assert results[19].startswith("Recorded an overpayment of 25.00")
    held = order_queryset().get(ref=order["ref"])
    assert held.amount_overpaid == Decimal("25.00")
    assert held.status == ("CANCELLED" if closed else "PROCESSING")


@pytest.fixture
def paid(live_server: Any, browsers: Any) -> dict[str, Any]:
    order = place_order(browsers())
    assert notify(live_server.url, gateway_event(order, amount="25.00")).status_code == 200
    return order


def test_ten_concurrent_full_refunds_refund_once(browsers, paid):
    staff = StaffFactory()
    admins = [browsers().log_in(staff) for _ in range(10)]

    responses = run_together(10, lambda i: admins[i].post(f"/api/orders/{paid['ref']}/refund/"))

    assert sorted(r.status_code for r in responses) == [200] + [400] * 9
    assert OrderRefund.objects.count() == 1
    assert Order.objects.get(ref=paid["ref"]).status == "REFUNDED"


def test_ten_concurrent_partial_refunds_refund_once(browsers, paid):
    staff = StaffFactory()
    admins = [browsers().log_in(staff) for _ in range(10)]

    responses = run_together(
        10, lambda i: admins[i].post(f"/api/orders/{paid['ref']}/refund/", {"amount": "20.00"})
    )

    assert sorted(r.status_code for r in responses) == [200] + [400] * 9, [
        r.text for r in responses
    ]
    [refund] = OrderRefund.objects.all()
    assert refund.amount == Decimal("20.00")
    assert Order.objects.get(ref=paid["ref"]).status == "PROCESSING"


def test_concurrent_partial_refunds_never_give_back_more_than_was_paid(browsers, paid):
    staff = StaffFactory()
    admins = [browsers().log_in(staff) for _ in range(10)]

    responses = run_together(
        10, lambda i: admins[i].post(f"/api/orders/{paid['ref']}/refund/", {"amount": "5.00"})
    )

    assert sorted(r.status_code for r in responses) == [200] * 5 + [400] * 5
    assert sum(OrderRefund.objects.values_list("amount", flat=True)) == Decimal("25.00")
    assert Order.objects.get(ref=paid["ref"]).status == "REFUNDED"


def test_twenty_concurrent_stripe_deliveries_of_one_completed_session_record_one_payment(
    settings, live_server, browsers
):
    from tests.api.payments.conftest import STRIPE
    from tests.api.payments.test_stripe import WEBHOOK_SECRET, completed

    settings.ORDERLY_PAYMENT_METHODS = [*DEFAULTS["PAYMENT_METHODS"], STRIPE]
    settings.ORDERLY_STRIPE_SECRET_KEY = "sk_test_fake"
    settings.ORDERLY_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    order = place_order(browsers())
    body = completed(order, pi="pi_concurrent")

    def deliver(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_server.url, timeout=30) as stripe_worker:
            return stripe_worker.post(
                "/webhooks/stripe/",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": sign(body, WEBHOOK_SECRET),
                },
            )

    responses = run_together(20, deliver)

    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    [payment] = OrderPayment.objects.filter(order__ref=order["ref"])
    assert (payment.transaction_id, payment.amount) == ("pi_concurrent", Decimal("25.00"))

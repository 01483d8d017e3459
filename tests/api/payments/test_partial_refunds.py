"""`POST /api/orders/<ref>/refund/` with `{"amount": ...}`: give back part of what was paid."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from orders.models import OrderRefund
from payments.exceptions import RefundDeclined
from payments.methods import OfflinePaymentMethod
from tests.api.payments.conftest import GATEWAY_SECRET, gateway_event, post_webhook, sign
from tests.factories import ProductFactory


class RefusingRefunds(OfflinePaymentMethod):
    """A provider that took the money but won't give it back through us."""

    identifier = "no-refunds"
    label = "No refunds"

    def refund(self, payment: Any, *, amount: Decimal, context: Any) -> str:
        raise RefundDeclined("This provider refuses refunds.")


@pytest.fixture
def paid_in_two(settings, test_card, place_order, visitor_client) -> dict[str, Any]:
    """A 25.00 order paid 10.00 + 15.00 through the test gateway, now PROCESSING."""
    order = place_order(visitor_client, items=[(ProductFactory(price="12.50"), 2)])
    for amount in ["10.00", "15.00"]:
        body = gateway_event(order, amount=amount)
        response = post_webhook(visitor_client, "test-card", body, sign(body, GATEWAY_SECRET))
        assert response.status_code == 200, response.content
    return order


def refund(client: Client, order: dict[str, Any], body: Any = None) -> Any:
    return client.post(
        f"/api/orders/{order['ref']}/refund/", body or {}, content_type="application/json"
    )


def money(client: Client, order: dict[str, Any]) -> tuple[str, str, str]:
    body = client.get(f"/api/orders/{order['ref']}/").json()
    return body["status"], body["amount_paid"], body["amount_outstanding"]


def test_a_partial_refund_gives_back_that_amount_and_keeps_the_order(staff_client, paid_in_two):
    response = refund(staff_client, paid_in_two, {"amount": "5.00"})

    assert response.status_code == 200, response.content
    assert [p["amount"] for p in response.json()["refunded"]] == ["10.00"]
    assert response.json()["failed"] == []
    assert money(staff_client, paid_in_two) == ("PROCESSING", "20.00", "5.00")
    assert [r.amount for r in OrderRefund.objects.all()] == [Decimal("5.00")]


def test_a_partial_refund_spreads_over_payments_oldest_first(staff_client, paid_in_two):
    response = refund(staff_client, paid_in_two, {"amount": "12.00"})

    assert response.status_code == 200, response.content
    assert [p["amount"] for p in response.json()["refunded"]] == ["10.00", "15.00"]
    assert sorted(r.amount for r in OrderRefund.objects.all()) == [
        Decimal("2.00"),
        Decimal("10.00"),
    ]
    assert money(staff_client, paid_in_two) == ("PROCESSING", "13.00", "12.00")


def test_partial_refunds_that_give_everything_back_move_the_order_to_refunded(
    staff_client, paid_in_two
):
    for amount in ["5.00", "7.50", "12.50"]:
        assert refund(staff_client, paid_in_two, {"amount": amount}).status_code == 200
    assert money(staff_client, paid_in_two) == ("REFUNDED", "0.00", "0.00")
    assert refund(staff_client, paid_in_two, {"amount": "0.01"}).status_code == 400


def test_a_full_refund_after_a_partial_one_gives_back_the_rest(staff_client, paid_in_two):
    refund(staff_client, paid_in_two, {"amount": "5.00"})

    response = refund(staff_client, paid_in_two)

    assert response.status_code == 200
    assert money(staff_client, paid_in_two) == ("REFUNDED", "0.00", "0.00")
    assert sum(r.amount for r in OrderRefund.objects.all()) == Decimal("25.00")


@pytest.mark.parametrize(
    ("amount", "errors"),
    [
        (
            "25.01",
            {"amount": ["A refund must be more than 0.00 and at most 25.00 for this order."]},
        ),
        ("0.00", {"amount": ["Ensure this value is greater than or equal to 0.01."]}),
        ("-1", {"amount": ["Ensure this value is greater than or equal to 0.01."]}),
        ("1.005", {"amount": ["Ensure that there are no more than 2 decimal places."]}),
        ("lots", {"amount": ["A valid number is required."]}),
    ],
)
def test_a_refund_of_more_than_was_paid_or_a_bad_amount_is_a_400(
    staff_client, paid_in_two, amount, errors
):
    response = refund(staff_client, paid_in_two, {"amount": amount})

    assert response.status_code == 400
    assert response.json() == errors
    assert not OrderRefund.objects.exists()
    assert money(staff_client, paid_in_two) == ("PROCESSING", "25.00", "0.00")


def test_never_more_than_was_paid_net_of_refunds(staff_client, paid_in_two):
    refund(staff_client, paid_in_two, {"amount": "20.00"})

    response = refund(staff_client, paid_in_two, {"amount": "5.01"})

    assert response.status_code == 400
    assert response.json() == {
        "amount": ["A refund must be more than 0.00 and at most 5.00 for this order."]
    }


def test_a_partial_refund_of_an_unpaid_order_is_a_400(staff_client, place_order, visitor_client):
    order = place_order(visitor_client)

    response = refund(staff_client, order, {"amount": "1.00"})

    assert response.status_code == 400
    assert response.json() == {
        "amount": ["A refund must be more than 0.00 and at most 0.00 for this order."]
    }


def test_a_method_refusing_its_part_is_reported_as_failed_with_a_206(
    settings, staff_client, paid_in_two
):
    # The first payment's provider refuses; the amount comes from the next payment instead.
    from orders.models import OrderPayment

    settings.ORDERLY_PAYMENT_METHODS = [
        *settings.ORDERLY_PAYMENT_METHODS,
        f"{__name__}.RefusingRefunds",
    ]
    OrderPayment.objects.filter(amount="10.00").update(payment_method="no-refunds")

    response = refund(staff_client, paid_in_two, {"amount": "5.00"})

    assert response.status_code == 206
    assert [p["amount"] for p in response.json()["failed"]] == ["10.00"]
    assert [p["amount"] for p in response.json()["refunded"]] == ["15.00"]
    assert money(staff_client, paid_in_two) == ("PROCESSING", "20.00", "5.00")


def test_only_staff_may_refund_part(visitor_client, paid_in_two):
    response = refund(visitor_client, paid_in_two, {"amount": "5.00"})

    assert response.status_code == 403
    assert not OrderRefund.objects.exists()

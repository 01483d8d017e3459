"""`/api/orders/<ref>/pay/` and `/api/orders/<ref>/refund/`: taking and giving back money."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kernel.conf import DEFAULTS
from orders.models import Order, OrderEvent, OrderEventType, OrderPayment, OrderRefund
from orders.services import payment_record
from payments.exceptions import PaymentRefused, RefundDeclined
from payments.methods import PaymentMethod
from tests.conftest import logged_in_client
from tests.factories import ProductFactory, UserFactory


class DecliningGateway(PaymentMethod):
    """A provider that says no to everything: starting a payment and refunding one."""

    identifier = "declining-gateway"
    label = "Declining gateway"

    def start_order_payment(self, order: Any, *, context: Any) -> str:
        raise PaymentRefused("The gateway is not taking payments.")

    def refund(self, payment: Any, *, amount: Decimal, context: Any) -> str:
        raise RefundDeclined("The gateway refuses refunds.")


WITH_DECLINING_GATEWAY = [
    *DEFAULTS["PAYMENT_METHODS"],
    f"{__name__}.DecliningGateway",
]

IN_ADVANCE = {"identifier": "pay-in-advance", "label": "Pay in advance"}
ON_DELIVERY = {"identifier": "pay-on-delivery", "label": "Pay on delivery"}
MANUAL = {"identifier": "manual", "label": "Manual payment"}


def pay_url(order: dict[str, Any], token: bool = False) -> str:
    query = f"?token={order['token']}" if token else ""
    return f"/api/orders/{order['ref']}/pay/{query}"


def pay(client: Client, order: dict[str, Any], method: str, *, token: bool = False) -> Any:
    return client.post(
        pay_url(order, token), {"payment_method": method}, content_type="application/json"
    )


def refund(client: Client, order: dict[str, Any]) -> Any:
    return client.post(f"/api/orders/{order['ref']}/refund/", content_type="application/json")


def reread(client: Client, order: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/orders/{order['ref']}/?token={order['token']}")
    assert response.status_code == 200, response.content
    return response.json()


def methods(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["payment_methods"]


def with_error(method: dict[str, str], error: str | None) -> dict[str, Any]:
    return {**method, "error": error}


def move(staff_client: Client, order: dict[str, Any], *statuses: str) -> None:
    for status in statuses:
        response = staff_client.put(
            f"/api/orders/{order['ref']}/status/",
            {"status": status},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content


def events(order: dict[str, Any], type_: str) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order__ref=order["ref"], type=type_).order_by("id"))


@pytest.fixture
def held_order(place_order, visitor_client) -> dict[str, Any]:
    """A guest's pay-in-advance order of 25.00, on HOLD."""
    return place_order(visitor_client, items=[(ProductFactory(price="12.50"), 2)])


@pytest.fixture
def paid_order(held_order, staff_client) -> dict[str, Any]:
    response = pay(staff_client, held_order, "manual")
    assert response.status_code == 200, response.content
    return reread(staff_client, held_order)


# --- GET pay: the methods for this order ------------------------------------------------


def test_a_guest_sees_the_methods_for_their_order(visitor_client, held_order):
    listed = methods(visitor_client.get(pay_url(held_order, token=True)))

    assert listed == [with_error(IN_ADVANCE, None), with_error(ON_DELIVERY, None)]


def test_the_owner_sees_the_methods_without_manual(place_order, customer_client):
    order = place_order(customer_client)

    listed = methods(customer_client.get(pay_url(order)))

    assert [m["identifier"] for m in listed] == ["pay-in-advance", "pay-on-delivery"]


def test_staff_also_see_the_manual_method(staff_client, held_order):
    listed = methods(staff_client.get(pay_url(held_order)))

    assert listed == [
        with_error(IN_ADVANCE, None),
        with_error(ON_DELIVERY, None),
        with_error(MANUAL, None),
    ]


def test_pay_methods_are_hidden_like_the_order(place_order, customer_client, held_order):
    mine = place_order(customer_client)
    stranger = logged_in_client(UserFactory())

    assert Client().get(pay_url(held_order)).status_code == 404
    assert stranger.get(pay_url(mine)).status_code == 404
    assert pay(Client(), held_order, "pay-in-advance").status_code == 404
    assert pay(stranger, mine, "pay-in-advance").status_code == 404
    assert Order.objects.get(ref=held_order["ref"]).status == "HOLD"


def test_a_paid_order_lists_every_method_as_already_paid(staff_client, paid_order):
    listed = methods(staff_client.get(pay_url(paid_order)))

    assert listed == [
        with_error(IN_ADVANCE, "Order is already paid."),
        with_error(ON_DELIVERY, "Order is already paid."),
        with_error(MANUAL, "Order is already paid."),
    ]


@pytest.mark.parametrize("status", ["PROCESSING", "CANCELLED"])
def test_an_order_in_a_status_that_cannot_be_paid_lists_every_method_with_an_error(
    staff_client, held_order, status
):
    move(staff_client, held_order, status)
    label = status.capitalize()

    listed = methods(staff_client.get(pay_url(held_order)))

    error = f"Order with status '{label}' can't be paid."
    assert listed == [
        with_error(IN_ADVANCE, error),
        with_error(ON_DELIVERY, error),
        with_error(MANUAL, error),
    ]


def test_a_failed_order_cannot_go_back_to_pay_in_advance(visitor_client, staff_client, held_order):
    move(staff_client, held_order, "FAILED")

    listed = methods(visitor_client.get(pay_url(held_order, token=True)))
    refused = pay(visitor_client, held_order, "pay-in-advance", token=True)

    assert listed == [
        with_error(IN_ADVANCE, "Pay in advance can't be chosen for a failed order."),
        with_error(ON_DELIVERY, None),
    ]
    assert refused.status_code == 400
    assert refused.json() == {
        "payment_method": ["Pay in advance can't be chosen for a failed order."]
    }
    assert Order.objects.get(ref=held_order["ref"]).status == "FAILED"


def test_pay_on_delivery_keeps_its_quantity_rule_for_orders(
    settings, place_order, visitor_client, product
):
    order = place_order(visitor_client, items=[(product, 4)])
    settings.ORDERLY_PAY_ON_DELIVERY_MAX_QUANTITY = 3

    listed = methods(visitor_client.get(pay_url(order, token=True)))
    refused = pay(visitor_client, order, "pay-on-delivery", token=True)

    assert listed[1] == with_error(
        ON_DELIVERY, "Pay on delivery is only available for up to 3 items."
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "payment_method": ["Pay on delivery is only available for up to 3 items."]
    }


# --- POST pay --------------------------------------------------------------------------


def test_staff_record_a_manual_payment_of_the_outstanding_amount(staff_client, staff, held_order):
    response = pay(staff_client, held_order, "manual")

    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert response.json() == {"url": url}
    assert response["Location"] == url
    assert url == (f"http://testserver/api/orders/{held_order['ref']}/?token={held_order['token']}")
    order = reread(staff_client, held_order)
    [payment] = order["payments"]
    assert set(payment) == {"amount", "transaction_id", "payment_method", "date_created"}
    assert payment["amount"] == "25.00"
    assert payment["payment_method"] == "manual"
    assert payment["transaction_id"].startswith("manual-")
    assert payment["date_created"].endswith("Z")
    assert (order["amount_paid"], order["amount_outstanding"], order["is_paid"]) == (
        "25.00",
        "0.00",
        True,
    )
    assert (order["status"], order["status_display"]) == ("PROCESSING", "Processing")
    assert OrderPayment.objects.get(order__ref=held_order["ref"]).actor == staff
    [recorded] = events(held_order, OrderEventType.PAYMENT_RECORDED)
    assert recorded.actor == staff
    assert recorded.data["amount"] == "25.00"
    last_move = events(held_order, OrderEventType.STATUS_CHANGED)[-1]
    assert (last_move.from_status, last_move.to_status, last_move.actor) == (
        "HOLD",
        "PROCESSING",
        staff,
    )


def test_a_manual_payment_takes_only_what_is_still_owed(staff_client, staff, held_order):
    payment_record(
        order=Order.objects.get(ref=held_order["ref"]),
        amount=Decimal("10.00"),
        transaction_id="bank-transfer-1",
        payment_method="pay-in-advance",
        actor=staff,
        source="test",
    )
    part_paid = reread(staff_client, held_order)
    assert (part_paid["amount_paid"], part_paid["amount_outstanding"]) == ("10.00", "15.00")
    assert (part_paid["is_paid"], part_paid["status"]) == (False, "HOLD")

    assert pay(staff_client, held_order, "manual").status_code == 200

    order = reread(staff_client, held_order)
    assert [(p["amount"], p["payment_method"]) for p in order["payments"]] == [
        ("10.00", "pay-in-advance"),
        ("15.00", "manual"),
    ]
    assert (order["amount_paid"], order["amount_outstanding"], order["is_paid"]) == (
        "25.00",
        "0.00",
        True,
    )
    assert order["status"] == "PROCESSING"


def test_a_customer_cannot_use_the_manual_method(place_order, customer_client):
    order = place_order(customer_client)

    response = pay(customer_client, order, "manual")

    assert response.status_code == 400
    assert response.json() == {"payment_method": ['"manual" is not a valid choice.']}
    assert reread(customer_client, order)["payments"] == []
    assert Order.objects.get(ref=order["ref"]).status == "HOLD"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"payment_method": "bitcoin"}, {"payment_method": ['"bitcoin" is not a valid choice.']}),
        ({}, {"payment_method": ["This field is required."]}),
        ({"payment_method": ""}, {"payment_method": ["This field may not be blank."]}),
    ],
)
def test_an_unknown_or_missing_method_is_a_field_error(staff_client, held_order, body, errors):
    response = staff_client.post(pay_url(held_order), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not OrderPayment.objects.filter(order__ref=held_order["ref"]).exists()


def test_paying_a_paid_order_is_refused(staff_client, paid_order):
    response = pay(staff_client, paid_order, "manual")

    assert response.status_code == 400
    assert response.json() == {"payment_method": ["Order is already paid."]}
    assert OrderPayment.objects.filter(order__ref=paid_order["ref"]).count() == 1


def test_paying_a_cancelled_order_is_refused(staff_client, held_order):
    move(staff_client, held_order, "CANCELLED")

    response = pay(staff_client, held_order, "manual")

    assert response.status_code == 400
    assert response.json() == {"payment_method": ["Order with status 'Cancelled' can't be paid."]}
    assert not OrderPayment.objects.filter(order__ref=held_order["ref"]).exists()


def test_a_guest_pays_in_advance_with_the_token(place_order, visitor_client, product):
    order = place_order(visitor_client, items=[(product, 1)], payment_method="pay-on-delivery")
    assert order["status"] == "CREATED"

    response = pay(Client(), order, "pay-in-advance", token=True)

    assert response.status_code == 200, response.content
    expected = f"http://testserver/api/orders/{order['ref']}/?token={order['token']}"
    assert response.json() == {"url": expected}
    assert response["Location"] == expected
    assert Order.objects.get(ref=order["ref"]).status == "HOLD"
    assert events(order, OrderEventType.STATUS_CHANGED)[-1].to_status == "HOLD"


def test_choosing_pay_in_advance_again_keeps_the_order_on_hold(visitor_client, held_order):
    before = len(events(held_order, OrderEventType.STATUS_CHANGED))

    response = pay(visitor_client, held_order, "pay-in-advance", token=True)

    assert response.status_code == 200, response.content
    assert Order.objects.get(ref=held_order["ref"]).status == "HOLD"
    assert len(events(held_order, OrderEventType.STATUS_CHANGED)) == before


def test_a_method_that_refuses_to_start_is_a_402(settings, visitor_client, held_order):
    settings.ORDERLY_PAYMENT_METHODS = WITH_DECLINING_GATEWAY

    response = pay(visitor_client, held_order, "declining-gateway", token=True)

    assert response.status_code == 402
    assert response.json() == {"detail": "The gateway is not taking payments."}
    assert Order.objects.get(ref=held_order["ref"]).status == "HOLD"


# --- POST refund -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "message"),
    [
        ("visitor_client", "Authentication credentials were not provided."),
        ("customer_client", "You do not have permission to perform this action."),
    ],
)
def test_only_staff_may_refund(request, place_order, staff_client, caller, message):
    client = request.getfixturevalue(caller)
    order = place_order(client)
    assert pay(staff_client, order, "manual").status_code == 200

    response = client.post(
        f"/api/orders/{order['ref']}/refund/?token={order['token']}",
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": message}
    assert not OrderRefund.objects.exists()
    assert Order.objects.get(ref=order["ref"]).status == "PROCESSING"


def test_refunding_an_unknown_order_is_a_404(staff_client):
    response = refund(staff_client, {"ref": "1999-99999"})

    assert response.status_code == 404


def test_staff_refund_every_payment(staff_client, staff, paid_order):
    response = refund(staff_client, paid_order)

    assert response.status_code == 200, response.content
    assert response.json() == {"refunded": paid_order["payments"], "failed": []}
    order = reread(staff_client, paid_order)
    assert (order["status"], order["status_display"]) == ("REFUNDED", "Refunded")
    assert (order["amount_paid"], order["amount_outstanding"], order["is_paid"]) == (
        "0.00",
        "0.00",
        False,
    )
    [given_back] = OrderRefund.objects.filter(payment__order__ref=paid_order["ref"])
    assert given_back.amount == Decimal("25.00")
    assert given_back.actor == staff
    assert len(events(paid_order, OrderEventType.PAYMENT_REFUNDED)) == 1
    last_move = events(paid_order, OrderEventType.STATUS_CHANGED)[-1]
    assert (last_move.from_status, last_move.to_status) == ("PROCESSING", "REFUNDED")


def test_refunding_twice_is_refused(staff_client, paid_order):
    assert refund(staff_client, paid_order).status_code == 200

    again = refund(staff_client, paid_order)

    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Order is already marked as Refunded."]}
    assert OrderRefund.objects.filter(payment__order__ref=paid_order["ref"]).count() == 1


def test_a_declined_refund_is_a_206_and_leaves_the_status(
    settings, staff_client, staff, held_order
):
    settings.ORDERLY_PAYMENT_METHODS = WITH_DECLINING_GATEWAY
    payment_record(
        order=Order.objects.get(ref=held_order["ref"]),
        amount=Decimal("5.00"),
        transaction_id="gw-123",
        payment_method="declining-gateway",
        actor=None,
        source="test",
    )
    assert pay(staff_client, held_order, "manual").status_code == 200
    gateway, manual = reread(staff_client, held_order)["payments"]
    assert (gateway["amount"], manual["amount"]) == ("5.00", "20.00")

    response = refund(staff_client, held_order)

    assert response.status_code == 206
    assert response.json() == {"refunded": [manual], "failed": [gateway]}
    order = reread(staff_client, held_order)
    assert order["status"] == "PROCESSING"
    assert (order["amount_paid"], order["is_paid"]) == ("5.00", False)
    assert [r.payment.payment_method for r in OrderRefund.objects.all()] == ["manual"]

    # Trying again never gives the manual payment back twice.
    retry = refund(staff_client, held_order)
    assert retry.status_code == 206
    assert retry.json() == {"refunded": [], "failed": [gateway]}
    assert OrderRefund.objects.count() == 1
    assert Order.objects.get(ref=held_order["ref"]).status == "PROCESSING"


def test_refunding_an_unpaid_created_order_changes_nothing(
    place_order, visitor_client, staff_client
):
    order = place_order(visitor_client, payment_method="pay-on-delivery")
    before = len(events(order, OrderEventType.STATUS_CHANGED))

    response = refund(staff_client, order)

    assert response.status_code == 200
    assert response.json() == {"refunded": [], "failed": []}
    assert Order.objects.get(ref=order["ref"]).status == "CREATED"
    assert len(events(order, OrderEventType.STATUS_CHANGED)) == before


def test_an_unpaid_processing_order_with_nothing_to_refund_becomes_refunded(
    staff_client, held_order
):
    move(staff_client, held_order, "PROCESSING")

    response = refund(staff_client, held_order)

    assert response.status_code == 200
    assert response.json() == {"refunded": [], "failed": []}
    assert Order.objects.get(ref=held_order["ref"]).status == "REFUNDED"

"""Stripe Checkout against a fake of Stripe's API on loopback, with real webhook signatures."""

import json
import socket
import time
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kernel.conf import DEFAULTS
from kernel.money import minor_units_to_money, money_to_minor_units
from orders.models import Order, OrderPayment, OrderRefund
from payments.models import NotificationVerdict, PaymentProviderCall
from tests.api.payments.conftest import (
    STRIPE,
    add_to_basket,
    checkout,
    latest_order,
    notifications,
    order_state,
    post_webhook,
    read,
    sign,
)
from tests.api.payments.fake_stripe import FakeStripe, FakeStripeServer

WEBHOOK_SECRET = "whsec_test_secret"
NOT_CONFIGURED = "Card payments through Stripe are not configured."
UNAVAILABLE = (
    "Card payments are unavailable right now; nothing was charged. "
    "Please try again in a moment or choose another payment method."
)


@pytest.fixture
def fake_stripe(settings: Any) -> Any:
    with FakeStripeServer() as fake:
        settings.ORDERLY_PAYMENT_METHODS = [*DEFAULTS["PAYMENT_METHODS"], STRIPE]
        settings.ORDERLY_STRIPE_SECRET_KEY = "sk_test_fake"
        settings.ORDERLY_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.ORDERLY_STRIPE_API_BASE = fake.url
        settings.ORDERLY_PROVIDER_TIMEOUT = 5
        yield fake


def stripe_event(type_: str, obj: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex}",
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "livemode": False,
            "type": type_,
            "data": {"object": obj},
        }
    ).encode()


def completed(
    order: dict[str, Any], *, cents: int = 2500, currency: str = "usd", pi: str = ""
) -> bytes:
    return stripe_event(
        "checkout.session.completed",
        {
            "id": f"cs_test_{uuid.uuid4().hex}",
            "object": "checkout.session",
            "client_reference_id": order["ref"],
            "metadata": {"order_ref": order["ref"]},
            "payment_intent": pi or f"pi_{uuid.uuid4().hex}",
            "payment_status": "paid",
            "status": "complete",
            "amount_total": cents,
            "currency": currency,
            "client_secret": "cs_secret_should_never_be_kept",
        },
    )


def deliver(
    client: Client, body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> Any:
    return post_webhook(client, "stripe", body, sign(body, secret, timestamp))


def start(client: Client) -> tuple[dict[str, Any], Any]:
    response = checkout(client, "stripe")
    assert response.status_code == 201, response.content
    return latest_order(), response


# --- the converters -----------------------------------------------------------------------


def test_money_converts_to_and_from_minor_units_exactly():
    assert money_to_minor_units(Decimal("12.34")) == 1234
    assert money_to_minor_units(Decimal("0.10")) == 10
    assert money_to_minor_units(Decimal("19.999")) == 2000
    assert minor_units_to_money(1234) == Decimal("12.34")
    assert minor_units_to_money(5) == Decimal("0.05")
    with pytest.raises(TypeError):
        money_to_minor_units(12.34)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        minor_units_to_money(12.5)  # type: ignore[arg-type]


# --- configuration ----------------------------------------------------------------------


def test_stripe_not_configured_is_listed_with_an_error_and_refused(
    settings, place_order, visitor_client
):
    settings.ORDERLY_PAYMENT_METHODS = [*DEFAULTS["PAYMENT_METHODS"], STRIPE]
    add_to_basket(visitor_client)
    listed = visitor_client.get("/api/checkout/").json()["payment_methods"]
    assert {"identifier": "stripe", "label": "Card (Stripe)", "error": NOT_CONFIGURED} in listed

    order = place_order(visitor_client)
    url = f"/api/orders/{order['ref']}/pay/?token={order['token']}"
    assert {
        "identifier": "stripe",
        "label": "Card (Stripe)",
        "error": NOT_CONFIGURED,
    } in visitor_client.get(url).json()["payment_methods"]
    response = visitor_client.post(
        url, {"payment_method": "stripe"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"payment_method": [NOT_CONFIGURED]}


# --- starting a payment -------------------------------------------------------------------


def test_checkout_creates_a_checkout_session_for_the_outstanding_amount(
    fake_stripe, visitor_client
):
    order, response = start(visitor_client)

    assert response.json()["url"].startswith("https://checkout.stripe.test/c/pay/cs_test_")
    [params] = fake_stripe.calls("/v1/checkout/sessions")
    assert params["mode"] == "payment"
    assert params["line_items[0][price_data][unit_amount]"] == "2500"
    assert params["line_items[0][price_data][currency]"] == "usd"
    assert params["client_reference_id"] == order["ref"]
    assert params["payment_intent_data[metadata][order_ref]"] == order["ref"]
    assert params["success_url"] == (
        f"http://testserver/pay/{order['token']}/?returned=1&session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert params["cancel_url"] == f"http://testserver/pay/{order['token']}/"
    assert read(visitor_client, order)["status"] == "CREATED"
    assert not OrderPayment.objects.exists()


def test_paying_an_order_asks_only_for_what_is_still_owed(
    fake_stripe, place_order, visitor_client, staff_client
):
    order = place_order(visitor_client)  # 10.00, pay in advance
    OrderPayment.objects.create(
        order=Order.objects.get(ref=order["ref"]),
        amount="3.00",
        transaction_id="t-1",
        payment_method="manual",
    )

    response = visitor_client.post(
        f"/api/orders/{order['ref']}/pay/?token={order['token']}",
        {"payment_method": "stripe"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    [params] = fake_stripe.calls("/v1/checkout/sessions")
    assert params["line_items[0][price_data][unit_amount]"] == "700"


def test_stripe_answering_an_error_is_a_402_and_nothing_is_created(fake_stripe, visitor_client):
    fake_stripe.mode = "error"

    response = checkout(visitor_client, "stripe")

    assert response.status_code == 402
    assert response.json() == {"detail": UNAVAILABLE}
    assert not Order.objects.exists()
    assert visitor_client.get("/api/basket/count/").json() == {"count": 1}


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_stripe_being_down_is_a_402_the_order_unchanged_and_payable_again(
    settings, fake_stripe, place_order, visitor_client
):
    order = place_order(visitor_client)
    url = f"/api/orders/{order['ref']}/pay/?token={order['token']}"
    before = order_state(order)
    settings.ORDERLY_STRIPE_API_BASE = f"http://127.0.0.1:{_unused_port()}"

    response = visitor_client.post(
        url, {"payment_method": "stripe"}, content_type="application/json"
    )

    assert response.status_code == 402
    assert response.json() == {"detail": UNAVAILABLE}
    assert order_state(order) == before
    settings.ORDERLY_STRIPE_API_BASE = fake_stripe.url
    again = visitor_client.post(url, {"payment_method": "stripe"}, content_type="application/json")
    assert again.status_code == 200, again.content
    assert again.json()["url"].startswith("https://checkout.stripe.test/")


def test_the_pay_page_shows_stripe_being_down_as_a_402(fake_stripe, place_order, visitor_client):
    order = place_order(visitor_client)
    fake_stripe.mode = "error"

    response = visitor_client.post(f"/pay/{order['token']}/", {"payment_method": "stripe"})

    assert response.status_code == 402
    assert UNAVAILABLE in response.content.decode()


# --- the webhook ----------------------------------------------------------------------------


def test_a_completed_checkout_session_records_the_payment_once(fake_stripe, visitor_client):
    order, _ = start(visitor_client)
    body = completed(order, pi="pi_123")

    first = deliver(visitor_client, body)
    again = deliver(visitor_client, body)

    assert (first.status_code, again.status_code) == (200, 200)
    state = read(visitor_client, order)
    assert state["status"] == "PROCESSING"
    assert state["amount_paid"] == "25.00"
    assert [(p["transaction_id"], p["amount"]) for p in state["payments"]] == [("pi_123", "25.00")]
    logged = notifications(provider="stripe")
    assert [n.reason for n in logged] == ["Recorded a payment of 25.00.", "Already recorded."]
    assert logged[0].payload["data"]["object"]["client_secret"] == "[redacted]"


def test_the_logged_notification_keeps_no_pay_link(fake_stripe, visitor_client):
    """Stripe echoes the session's URLs, which hold the order's token: never stored."""
    order, _ = start(visitor_client)
    event = json.loads(completed(order))
    pay_page = f"http://testserver/pay/{order['token']}/"
    event["data"]["object"].update(success_url=f"{pay_page}?returned=stripe", cancel_url=pay_page)

    assert deliver(visitor_client, json.dumps(event).encode()).status_code == 200

    [logged] = notifications(provider="stripe")
    assert order["token"] not in json.dumps(logged.payload)
    assert logged.payload["data"]["object"]["cancel_url"] == "[redacted]"


def test_a_session_completed_but_not_yet_paid_changes_nothing(fake_stripe, visitor_client):
    order, _ = start(visitor_client)
    event = json.loads(completed(order))
    event["data"]["object"]["payment_status"] = "unpaid"
    body = json.dumps(event).encode()

    assert deliver(visitor_client, body).status_code == 200
    assert read(visitor_client, order)["status"] == "CREATED"


@pytest.mark.parametrize(
    "type_", ["checkout.session.expired", "checkout.session.async_payment_failed"]
)
def test_an_expired_or_failed_session_marks_the_order_failed(fake_stripe, visitor_client, type_):
    order, _ = start(visitor_client)
    body = stripe_event(
        type_,
        {"id": "cs_test_1", "object": "checkout.session", "client_reference_id": order["ref"]},
    )

    assert deliver(visitor_client, body).status_code == 200
    assert read(visitor_client, order)["status"] == "FAILED"


def test_a_failed_payment_intent_marks_the_order_failed(fake_stripe, visitor_client):
    order, _ = start(visitor_client)
    body = stripe_event(
        "payment_intent.payment_failed",
        {"id": "pi_1", "object": "payment_intent", "metadata": {"order_ref": order["ref"]}},
    )

    assert deliver(visitor_client, body).status_code == 200
    assert read(visitor_client, order)["status"] == "FAILED"


def test_an_expiry_after_payment_changes_nothing(fake_stripe, visitor_client):
    order, _ = start(visitor_client)
    deliver(visitor_client, completed(order))
    body = stripe_event(
        "checkout.session.expired", {"id": "cs_old", "client_reference_id": order["ref"]}
    )

    assert deliver(visitor_client, body).status_code == 200
    assert read(visitor_client, order)["status"] == "PROCESSING"


def test_an_event_we_do_not_handle_is_accepted_and_logged(fake_stripe, visitor_client):
    body = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})

    response = deliver(visitor_client, body)

    assert response.status_code == 200
    [logged] = notifications()
    assert (logged.verdict, logged.event_type) == (NotificationVerdict.ACCEPTED, "customer.created")


def _refused(client: Client, order: dict[str, Any], response: Any) -> Any:
    assert response.status_code == 400, response.content
    [logged] = notifications(verdict=NotificationVerdict.REFUSED)
    assert logged.reason == response.json()["detail"]
    assert not OrderPayment.objects.exists()
    assert read(client, order)["status"] == "CREATED"
    return logged


def test_a_forged_stripe_signature_is_refused(fake_stripe, visitor_client):
    order, _ = start(visitor_client)

    logged = _refused(
        visitor_client, order, deliver(visitor_client, completed(order), secret="whsec_forged")
    )

    assert logged.reason.startswith("Bad signature")
    assert logged.order_ref == ""  # nothing of an unauthenticated body is trusted...
    assert logged.payload["data"]["object"]["client_secret"] == "[redacted]"  # ...but it is kept


# The past is the stripe library's own check; the future one (a signature made to outlive
# the tolerance) is ours, as the library does not check it.
@pytest.mark.parametrize("age", [301, 3600, -301, -3600])
def test_a_stripe_signature_outside_the_tolerance_is_refused(fake_stripe, visitor_client, age):
    order, _ = start(visitor_client)
    signed_at = int(time.time()) - age

    logged = _refused(
        visitor_client, order, deliver(visitor_client, completed(order), timestamp=signed_at)
    )

    assert logged.reason == f"Bad signature: Timestamp outside the tolerance zone ({signed_at})"


@pytest.mark.parametrize("age", [250, -250])
def test_a_stripe_signature_within_the_tolerance_either_way_is_accepted(
    fake_stripe, visitor_client, age
):
    order, _ = start(visitor_client)

    response = deliver(visitor_client, completed(order), timestamp=int(time.time()) - age)

    assert response.status_code == 200, response.content
    assert read(visitor_client, order)["is_paid"] is True


def test_a_stripe_notification_without_a_signature_is_refused(fake_stripe, visitor_client):
    order, _ = start(visitor_client)

    _refused(visitor_client, order, post_webhook(visitor_client, "stripe", completed(order), None))


@pytest.mark.parametrize(
    "body", [b"{oops", b'{"id": "evt_1", "type": "checkout.session.completed"}']
)
def test_a_malformed_stripe_notification_is_refused(fake_stripe, visitor_client, body):
    order, _ = start(visitor_client)

    logged = _refused(visitor_client, order, deliver(visitor_client, body))

    assert logged.reason == "Malformed notification."


def test_a_wrong_currency_from_stripe_is_refused(fake_stripe, visitor_client):
    order, _ = start(visitor_client)

    response = deliver(visitor_client, completed(order, currency="eur"))
    assert response.status_code == 400
    assert response.json() == {"detail": "Wrong currency 'eur': the shop takes USD."}


def test_an_unknown_order_from_stripe_is_refused(fake_stripe, visitor_client):
    order, _ = start(visitor_client)

    logged = _refused(
        visitor_client, order, deliver(visitor_client, completed({"ref": "2001-00001"}))
    )

    assert logged.reason == "Unknown order '2001-00001'."


# --- refunds ----------------------------------------------------------------------------


def _charge_refunded(
    order: dict[str, Any] | None, pi: str, refunds: list[tuple[str, int]], total: int
) -> bytes:
    return stripe_event(
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": pi,
            "metadata": {"order_ref": order["ref"]} if order else {},
            "amount": 2500,
            "amount_refunded": total,
            "refunds": {
                "object": "list",
                "data": [
                    {"id": rid, "amount": cents, "status": "succeeded"} for rid, cents in refunds
                ],
            },
        },
    )


@pytest.fixture
def paid_by_stripe(fake_stripe, visitor_client) -> dict[str, Any]:
    order, _ = start(visitor_client)
    assert deliver(visitor_client, completed(order, pi="pi_paid")).status_code == 200
    return order


def test_a_refund_made_in_stripes_dashboard_is_recorded_once(visitor_client, paid_by_stripe):
    order = paid_by_stripe
    partial = _charge_refunded(order, "pi_paid", [("re_1", 1000)], 1000)

    assert deliver(visitor_client, partial).status_code == 200
    assert deliver(visitor_client, partial).status_code == 200
    assert (read(visitor_client, order)["status"], read(visitor_client, order)["amount_paid"]) == (
        "PROCESSING",
        "15.00",
    )

    rest = _charge_refunded(None, "pi_paid", [("re_2", 1500), ("re_1", 1000)], 2500)
    assert deliver(visitor_client, rest).status_code == 200
    assert sorted(OrderRefund.objects.values_list("transaction_id", "amount")) == [
        ("re_1", Decimal("10.00")),
        ("re_2", Decimal("15.00")),
    ]
    assert read(visitor_client, order)["status"] == "REFUNDED"


def test_a_refund_event_with_only_a_running_total_records_the_difference(
    visitor_client, paid_by_stripe
):
    event = json.loads(_charge_refunded(paid_by_stripe, "pi_paid", [], 400))
    del event["data"]["object"]["refunds"]
    body = json.dumps(event).encode()

    deliver(visitor_client, body)
    deliver(visitor_client, body)

    assert list(OrderRefund.objects.values_list("amount", flat=True)) == [Decimal("4.00")]


def test_a_refund_for_a_payment_we_do_not_know_is_refused(visitor_client, paid_by_stripe):
    response = deliver(
        visitor_client, _charge_refunded(paid_by_stripe, "pi_other", [("re_1", 100)], 100)
    )

    assert response.status_code == 400
    assert not OrderRefund.objects.exists()


def test_a_refund_of_more_than_was_paid_is_refused(visitor_client, paid_by_stripe):
    response = deliver(
        visitor_client, _charge_refunded(paid_by_stripe, "pi_paid", [("re_1", 2600)], 2600)
    )

    assert response.status_code == 400
    assert not OrderRefund.objects.exists()


def test_staff_refund_part_through_stripe_and_its_echo_is_not_recorded_twice(
    fake_stripe: FakeStripe, staff_client, visitor_client, paid_by_stripe
):
    order = paid_by_stripe

    response = staff_client.post(
        f"/api/orders/{order['ref']}/refund/", {"amount": "7.25"}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    [params] = fake_stripe.calls("/v1/refunds")
    assert params == {"payment_intent": "pi_paid", "amount": "725"}
    [refund] = OrderRefund.objects.all()
    assert refund.transaction_id.startswith("re_")
    # Stripe then tells us about the refund we made: nothing new is recorded.
    echo = _charge_refunded(order, "pi_paid", [(refund.transaction_id, 725)], 725)
    assert deliver(visitor_client, echo).status_code == 200
    assert OrderRefund.objects.count() == 1


def test_stripe_refusing_a_refund_is_reported_as_failed(fake_stripe, staff_client, paid_by_stripe):
    fake_stripe.mode = "error"

    response = staff_client.post(
        f"/api/orders/{paid_by_stripe['ref']}/refund/", content_type="application/json"
    )

    assert response.status_code == 206
    assert [p["transaction_id"] for p in response.json()["failed"]] == ["pi_paid"]
    assert not OrderRefund.objects.exists()


# --- the ledger of calls to Stripe ----------------------------------------------------------


def ledger() -> list[tuple[str, str, Decimal, bool, str]]:
    return [
        (c.action, c.order_ref, c.amount, c.is_success, c.error)
        for c in PaymentProviderCall.objects.order_by("id")
    ]


def test_every_call_to_stripe_is_on_the_ledger_even_when_the_checkout_rolled_back(
    fake_stripe, visitor_client
):
    fake_stripe.mode = "error"
    assert checkout(visitor_client, "stripe").status_code == 402
    fake_stripe.mode = "ok"
    order, _ = start(visitor_client)

    [failed, succeeded] = PaymentProviderCall.objects.order_by("id")
    # The failed attempt's order was rolled back, ref and all; its call stays recorded.
    assert (failed.action, failed.amount, failed.is_success) == (
        "start_payment",
        Decimal("25.00"),
        False,
    )
    assert failed.error == "APIError HTTP 500"
    assert (succeeded.order_ref, succeeded.is_success) == (order["ref"], True)
    assert succeeded.reference.startswith("cs_test_")


def test_refund_calls_are_on_the_ledger(fake_stripe, staff_client, paid_by_stripe):
    staff_client.post(
        f"/api/orders/{paid_by_stripe['ref']}/refund/",
        {"amount": "5.00"},
        content_type="application/json",
    )
    fake_stripe.mode = "error"
    staff_client.post(
        f"/api/orders/{paid_by_stripe['ref']}/refund/", content_type="application/json"
    )

    assert ledger()[-2:] == [
        ("refund", paid_by_stripe["ref"], Decimal("5.00"), True, ""),
        ("refund", paid_by_stripe["ref"], Decimal("20.00"), False, "APIError HTTP 500"),
    ]

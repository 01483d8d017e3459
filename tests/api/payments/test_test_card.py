"""The test gateway: a pretend external provider, a redirect back, a signed notification."""

import time
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from orders.models import OrderPayment, OrderStatus
from payments.models import NotificationVerdict
from tests.api.payments.conftest import (
    GATEWAY_SECRET,
    add_to_basket,
    checkout,
    gateway_event,
    latest_order,
    notifications,
    order_state,
    post_webhook,
    read,
    sign,
)

pytestmark = pytest.mark.usefixtures("test_card")


def gateway_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path == "/test-gateway/"
    return f"{parts.path}?{parts.query}"


def start(client: Client) -> tuple[dict[str, Any], str]:
    response = checkout(client, "test-card")
    assert response.status_code == 201, response.content
    return latest_order(), gateway_path(response.json()["url"])


def decide(client: Client, page: str, decision: str) -> Any:
    session = parse_qs(urlsplit(page).query)["session"][0]
    return client.post("/test-gateway/", {"session": session, "decision": decision})


def test_the_test_gateway_is_listed_when_enabled(visitor_client):
    add_to_basket(visitor_client)

    listed = visitor_client.get("/api/checkout/").json()["payment_methods"]

    assert {
        "identifier": "test-card",
        "label": "Test card (no real money)",
        "error": None,
    } in listed


def test_the_test_gateway_is_off_unless_enabled(settings, visitor_client):
    settings.ORDERLY_PAYMENT_METHODS = settings.ORDERLY_PAYMENT_METHODS[:-1]

    listed = visitor_client.get("/api/checkout/").json()["payment_methods"]
    assert "test-card" not in [m["identifier"] for m in listed]
    assert visitor_client.get("/test-gateway/?session=x").status_code == 404
    assert post_webhook(visitor_client, "test-card", b"{}", "t=1,v1=0").status_code == 404


def test_checkout_sends_the_buyer_to_the_gateway_page_for_the_outstanding_amount(visitor_client):
    order, page = start(visitor_client)

    response = visitor_client.get(page)

    assert response.status_code == 200
    assert b"25.00" in response.content
    assert order["ref"].encode() in response.content
    assert read(visitor_client, order)["status"] == "CREATED"


def test_approving_records_the_payment_through_the_webhook_and_sends_the_buyer_back(
    visitor_client,
):
    order, page = start(visitor_client)

    response = decide(visitor_client, page, "approve")

    assert response.status_code == 302
    assert response["Location"].endswith(f"/pay/{order['token']}/?returned=1")
    body = read(visitor_client, order)
    assert body["status"] == "PROCESSING"
    assert body["amount_paid"] == "25.00"
    assert body["amount_outstanding"] == "0.00"
    [payment] = body["payments"]
    assert payment["payment_method"] == "test-card"
    assert payment["transaction_id"].startswith("tc_")
    [logged] = notifications(order_ref=order["ref"])
    assert logged.verdict == NotificationVerdict.ACCEPTED
    assert logged.event_type == "payment.succeeded"


def test_the_return_visit_and_a_repeated_notification_never_record_twice(visitor_client):
    order, page = start(visitor_client)
    decide(visitor_client, page, "approve")
    payment = OrderPayment.objects.get(order__ref=order["ref"])

    # The buyer comes back, reloads, and the provider retries its notification.
    for _ in range(3):
        assert visitor_client.get(f"/pay/{order['token']}/?returned=1").status_code == 200
    body = gateway_event(order, amount="25.00", payment_id=payment.transaction_id)
    response = post_webhook(visitor_client, "test-card", body, sign(body, GATEWAY_SECRET))

    assert response.status_code == 200
    assert response.json()["result"] == "Already recorded."
    assert OrderPayment.objects.filter(order__ref=order["ref"]).count() == 1


def test_declining_marks_the_order_failed_and_it_can_be_paid_again(visitor_client):
    order, page = start(visitor_client)

    response = decide(visitor_client, page, "decline")

    assert response.status_code == 302
    assert read(visitor_client, order)["status"] == "FAILED"
    assert not OrderPayment.objects.filter(order__ref=order["ref"]).exists()
    # FAILED is payable: the buyer tries again and approves this time.
    again = visitor_client.post(
        f"/api/orders/{order['ref']}/pay/?token={order['token']}",
        {"payment_method": "test-card"},
        content_type="application/json",
    )
    assert again.status_code == 200, again.content
    decide(visitor_client, gateway_path(again.json()["url"]), "approve")
    assert read(visitor_client, order)["status"] == "PROCESSING"


def test_partial_payments_add_up_and_the_last_one_moves_the_order_to_processing(visitor_client):
    order, _ = start(visitor_client)

    for amount, status, paid in [
        ("10.00", "CREATED", "10.00"),
        ("5.50", "CREATED", "15.50"),
        ("9.50", "PROCESSING", "25.00"),
    ]:
        body = gateway_event(order, amount=amount)
        response = post_webhook(visitor_client, "test-card", body, sign(body, GATEWAY_SECRET))
        assert response.status_code == 200, response.content
        state = read(visitor_client, order)
        assert (state["status"], state["amount_paid"]) == (status, paid)
    assert OrderPayment.objects.filter(order__ref=order["ref"]).count() == 3


def test_a_tampered_or_expired_gateway_link_is_refused(visitor_client):
    order, page = start(visitor_client)

    assert visitor_client.get(page + "x").status_code == 400
    assert (
        visitor_client.post(
            "/test-gateway/", {"session": "nope", "decision": "approve"}
        ).status_code
        == 400
    )
    assert order_state(order)["payments"] == []


# --- refused notifications: 4xx, logged, nothing else changed ------------------------------


def _refused(client: Client, order: dict[str, Any], body: bytes, signature: str | None) -> Any:
    before = order_state(order)
    response = post_webhook(client, "test-card", body, signature)
    assert response.status_code == 400, response.content
    assert order_state(order) == before
    [logged] = notifications(verdict=NotificationVerdict.REFUSED)
    assert logged.provider == "test-card"
    assert logged.reason == response.json()["detail"]
    return logged


def test_a_forged_signature_is_refused_and_logged(visitor_client):
    order, _ = start(visitor_client)
    body = gateway_event(order, amount="25.00")

    logged = _refused(visitor_client, order, body, sign(body, "not-the-secret"))

    assert logged.reason == "Bad signature."
    # The body is logged (for staff) but never the signature.
    assert logged.payload["data"]["order_ref"] == order["ref"]
    assert "v1=" not in str(logged.payload)


def test_a_body_changed_after_signing_is_refused(visitor_client):
    order, _ = start(visitor_client)
    body = gateway_event(order, amount="1.00")
    signature = sign(body, GATEWAY_SECRET)

    _refused(visitor_client, order, body.replace(b"1.00", b"25.00"), signature)


def test_a_missing_signature_is_refused(visitor_client):
    order, _ = start(visitor_client)

    logged = _refused(visitor_client, order, gateway_event(order, amount="25.00"), None)

    assert logged.reason == "Missing signature."


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_a_replay_outside_the_tolerance_window_is_refused(visitor_client, age):
    order, _ = start(visitor_client)
    body = gateway_event(order, amount="25.00")

    logged = _refused(
        visitor_client, order, body, sign(body, GATEWAY_SECRET, int(time.time()) - age)
    )

    assert logged.reason == "Signature timestamp is outside the tolerance window."


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"id": "evt_1", "type": "payment.succeeded"}',
        b'{"id": 1, "type": "payment.succeeded", "data": {"payment_id": "tc_1", '
        b'"order_ref": "x", "amount": "abc", "currency": "USD"}}',
    ],
    ids=["not-json", "not-an-object", "no-data", "bad-amount"],
)
def test_a_malformed_notification_is_refused(visitor_client, body):
    order, _ = start(visitor_client)

    logged = _refused(visitor_client, order, body, sign(body, GATEWAY_SECRET))

    assert logged.reason == "Malformed notification."


def test_a_notification_for_an_unknown_order_is_refused(visitor_client):
    order, _ = start(visitor_client)
    body = gateway_event({"ref": "1999-99999"}, amount="25.00")

    logged = _refused(visitor_client, order, body, sign(body, GATEWAY_SECRET))

    assert logged.reason == "Unknown order '1999-99999'."
    assert logged.order_ref == "1999-99999"


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_a_wrong_amount_is_refused(visitor_client, amount):
    order, _ = start(visitor_client)
    body = gateway_event(order, amount=amount)

    logged = _refused(visitor_client, order, body, sign(body, GATEWAY_SECRET))

    assert logged.reason.startswith(f"Wrong amount {Decimal(amount)}")


def test_a_wrong_currency_is_refused(visitor_client):
    order, _ = start(visitor_client)
    body = gateway_event(order, amount="25.00", currency="EUR")

    logged = _refused(visitor_client, order, body, sign(body, GATEWAY_SECRET))

    assert logged.reason == "Wrong currency 'EUR': the shop takes USD."


def test_a_decline_for_an_order_already_paid_changes_nothing(visitor_client):
    order, page = start(visitor_client)
    decide(visitor_client, page, "approve")
    body = gateway_event(order, amount="25.00", type_="payment.declined")

    response = post_webhook(visitor_client, "test-card", body, sign(body, GATEWAY_SECRET))

    assert response.status_code == 200
    assert read(visitor_client, order)["status"] == OrderStatus.PROCESSING


def test_an_oversized_notification_is_refused_unread(db):
    response = Client().post(
        "/webhooks/test-card/", b"x" * (256 * 1024 + 1), content_type="application/json"
    )

    assert response.status_code == 413
    assert not notifications()

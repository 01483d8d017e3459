"""Provider-backed payments: the test gateway and Stripe, driven over HTTP.

Notifications are built and signed here the way each provider documents it (HMAC-SHA256
over `<timestamp>.<body>`), independently of the service's own signing code.
"""

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
from django.test import Client

from kernel.conf import DEFAULTS
from orders.models import Order, OrderEvent, OrderPayment, OrderRefund
from orders.selectors import order_guest_token
from payments.models import PaymentNotification
from tests.factories import ProductFactory

TEST_CARD = "payments.gateways.test_card.TestCardGateway"
STRIPE = "payments.gateways.stripe_checkout.StripeCheckout"
GATEWAY_SECRET = "test-gateway-secret-for-tests"
CHECKOUT = {
    "email": "buyer@example.com",
    "shipping_address": "1 Shipping Lane",
    "billing_address": "2 Billing Road",
}


@pytest.fixture
def test_card(settings: Any) -> None:
    """The test gateway on, delivering its notification in-process (no live server here)."""
    settings.ORDERLY_PAYMENT_METHODS = [*DEFAULTS["PAYMENT_METHODS"], TEST_CARD]
    settings.ORDERLY_TEST_GATEWAY_SECRET = GATEWAY_SECRET
    settings.ORDERLY_TEST_GATEWAY_DELIVERY = "inline"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def gateway_event(
    order: dict[str, Any],
    *,
    amount: str,
    currency: str = "USD",
    payment_id: str | None = None,
    type_: str = "payment.succeeded",
) -> bytes:
    event = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": type_,
        "data": {
            "payment_id": payment_id or f"tc_{uuid.uuid4().hex}",
            "order_ref": order["ref"],
            "amount": amount,
            "currency": currency,
        },
    }
    return json.dumps(event).encode()


def post_webhook(client: Client, method: str, body: bytes, signature: str | None) -> Any:
    header = "HTTP_ORDERLY_SIGNATURE" if method == "test-card" else "HTTP_STRIPE_SIGNATURE"
    extra = {header: signature} if signature is not None else {}
    return client.post(f"/webhooks/{method}/", body, content_type="application/json", **extra)


def add_to_basket(client: Client, *, price: str = "12.50", quantity: int = 2) -> None:
    response = client.post(
        "/api/basket/",
        {
            "product_type": "shop.Product",
            "product_id": ProductFactory(price=price).pk,
            "quantity": quantity,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def checkout(client: Client, method: str, *, price: str = "12.50", quantity: int = 2) -> Any:
    """Place an order paying with `method`; returns (order as {ref, token}, checkout response)."""
    add_to_basket(client, price=price, quantity=quantity)
    response = client.post(
        "/api/checkout/", {**CHECKOUT, "payment_method": method}, content_type="application/json"
    )
    return response


def latest_order() -> dict[str, Any]:
    order = Order.objects.order_by("-id").first()
    assert order is not None
    return {"ref": order.ref, "token": order_guest_token(order)}


def order_state(order: dict[str, Any]) -> dict[str, Any]:
    """Everything a refused notification must leave as it was."""
    row = Order.objects.get(ref=order["ref"])
    return {
        "status": row.status,
        "payments": list(OrderPayment.objects.filter(order=row).values_list("id", flat=True)),
        "refunds": list(
            OrderRefund.objects.filter(payment__order=row).values_list("id", flat=True)
        ),
        "events": OrderEvent.objects.filter(order=row).count(),
    }


def read(client: Client, order: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/orders/{order['ref']}/?token={order['token']}")
    assert response.status_code == 200, response.content
    return response.json()


def notifications(**filters: Any) -> list[PaymentNotification]:
    return list(PaymentNotification.objects.filter(**filters).order_by("id"))

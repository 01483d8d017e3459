"""`test-card`: a pretend card provider that lives in the service, for laptops and tests.

It behaves like an external provider: starting a payment sends the buyer to its own page
(`/test-gateway/`) where they approve or decline; it then sends a separate, HMAC-signed
notification to our webhook (`/webhooks/test-card/`) and redirects the buyer back. The
webhook alone records the payment, so the buyer's return visit never does.

Off unless listed in `ORDERLY_PAYMENT_METHODS` (`ORDERLY_TEST_GATEWAY_ENABLED=1` does that).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode

from kernel.api.parsers import json_loads_checked
from kernel.conf import orderly_setting
from kernel.money import format_money, quantize_money
from payments.exceptions import NotificationRefused
from payments.gateways.signatures import signature_header, signature_verify
from payments.methods import (
    NoticeOutcome,
    PaymentContext,
    PaymentMethod,
    PaymentNotice,
    ProviderCall,
    provider_call_note,
    provider_return_url,
)
from payments.models import ProviderCallAction

if TYPE_CHECKING:
    from orders.models import Order, OrderPayment

logger = logging.getLogger(__name__)

IDENTIFIER = "test-card"
SIGNATURE_HEADER = "Orderly-Signature"
_SESSION_SALT = "orderly.test-gateway.session"
# A gateway page link stays valid this long (seconds).
_SESSION_MAX_AGE = 60 * 60

_EVENT_OUTCOMES = {
    "payment.succeeded": NoticeOutcome.PAID,
    "payment.declined": NoticeOutcome.FAILED,
}


def card_gateway_secret() -> str:
    """The webhook signing secret: the configured one, else one derived from SECRET_KEY."""
    configured: str = orderly_setting("TEST_GATEWAY_SECRET")
    if configured:
        return configured
    return salted_hmac(
        "orderly.test-gateway.webhook", "secret", secret=settings.SECRET_KEY
    ).hexdigest()


@dataclass(frozen=True)
class GatewaySession:
    """What the gateway page needs; travels signed in the page's URL, so it can't be
    altered (no open redirect, no changed amount)."""

    payment_id: str
    order_ref: str
    amount: str
    currency: str
    return_url: str
    webhook_url: str

    def dumps(self) -> str:
        return signing.dumps(self.__dict__, salt=_SESSION_SALT, compress=True)

    @classmethod
    def loads(cls, value: str) -> GatewaySession:
        """Raise `signing.BadSignature` (or `SignatureExpired`) when forged or stale."""
        data = signing.loads(value, salt=_SESSION_SALT, max_age=_SESSION_MAX_AGE)
        return cls(**data)


class TestCardGateway(PaymentMethod):
    __test__ = False  # not a pytest test class, despite its name
    identifier = IDENTIFIER
    label = "Test card (no real money)"

    def start_order_payment(self, order: Order, *, context: PaymentContext) -> str:
        session = GatewaySession(
            payment_id=f"tc_{uuid.uuid4().hex}",
            order_ref=order.ref,
            amount=format_money(order.amount_outstanding),
            currency=orderly_setting("CURRENCY"),
            return_url=provider_return_url(order, context),
            webhook_url=context.absolute(reverse("payment-webhook", kwargs={"method": IDENTIFIER})),
        )
        path = reverse("test-gateway")
        return context.absolute(f"{path}?{urlencode({'session': session.dumps()})}")

    def refund(self, payment: OrderPayment, *, amount: Decimal, context: PaymentContext) -> str:
        # The pretend provider always gives the money back.
        refund_id = f"tc_refund_{uuid.uuid4().hex}"
        provider_call_note(
            ProviderCall(
                provider=IDENTIFIER,
                action=ProviderCallAction.REFUND,
                order_ref=payment.order.ref,
                amount=amount,
                is_success=True,
                reference=refund_id,
            )
        )
        return refund_id

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        signature_verify(
            body,
            headers.get(SIGNATURE_HEADER),
            secret=card_gateway_secret(),
            tolerance=orderly_setting("WEBHOOK_TOLERANCE"),
        )
        try:
            event = json_loads_checked(body)
            data = event["data"]
            event_type = str(event["type"])
            notice = PaymentNotice(
                event_id=str(event["id"]),
                event_type=event_type,
                outcome=_EVENT_OUTCOMES.get(event_type, NoticeOutcome.IGNORED),
                order_ref=str(data["order_ref"]),
                transaction_id=str(data["payment_id"]),
                amount=quantize_money(Decimal(str(data["amount"]))),
                currency=str(data["currency"]),
                payload=event,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise NotificationRefused("Malformed notification.") from exc
        return notice


def card_gateway_notify(session: GatewaySession, *, approved: bool) -> None:
    """Tell the shop what the buyer decided, as the provider's server would: a signed
    POST to the webhook with a timeout, or, with `ORDERLY_TEST_GATEWAY_DELIVERY = "inline"`
    (single-threaded servers, tests without a live server), the same webhook service
    called in-process with the same signed bytes."""
    event: dict[str, Any] = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": "payment.succeeded" if approved else "payment.declined",
        "data": {
            "payment_id": session.payment_id,
            "order_ref": session.order_ref,
            "amount": session.amount,
            "currency": session.currency,
        },
    }
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(body, secret=card_gateway_secret()),
    }
    if orderly_setting("TEST_GATEWAY_DELIVERY") == "inline":
        from payments.services import payment_notification_receive

        try:
            payment_notification_receive(provider=IDENTIFIER, body=body, headers=headers)
        except NotificationRefused as exc:
            logger.warning("The shop refused a test gateway notification: %s", exc.message)
        return
    request = urllib.request.Request(session.webhook_url, data=body, headers=headers, method="POST")  # noqa: S310  (our own webhook URL, from a signed session)
    try:
        with urllib.request.urlopen(request, timeout=orderly_setting("PROVIDER_TIMEOUT")):  # noqa: S310
            pass
    except (urllib.error.URLError, TimeoutError) as exc:
        # A real provider would retry; the buyer's page shows the payment as pending.
        logger.warning("Test gateway notification to %s failed: %s", session.webhook_url, exc)

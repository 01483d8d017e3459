"""`stripe`: Stripe Checkout, through the official `stripe` library.

Starting a payment creates a Checkout Session for the order's outstanding amount and
sends the buyer to its URL; Stripe sends them back to the hosted pay page. The payment
is recorded only from Stripe's signed webhook (`/webhooks/stripe/`):
`checkout.session.completed` records it (keyed on the PaymentIntent id), an expired
session or a failed payment marks the order FAILED where the machine allows, and
`charge.refunded` records refunds made in Stripe's dashboard, once per refund id.

Money is `Decimal` everywhere else; Stripe counts minor units (cents), converted here at
the edge by `money_to_minor_units` / `minor_units_to_money`, never through a float.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import stripe

from kernel.api.parsers import json_loads_checked
from kernel.conf import orderly_setting
from kernel.money import minor_units_to_money, money_to_minor_units
from payments.exceptions import NotificationRefused, PaymentRefused, RefundDeclined
from payments.gateways.signatures import signed_recently
from payments.methods import (
    NoticeOutcome,
    PaymentContext,
    PaymentMethod,
    PaymentNotice,
    ProviderCall,
    RefundNotice,
    order_pay_page_url,
    provider_call_note,
    provider_return_url,
)
from payments.models import ProviderCallAction

if TYPE_CHECKING:
    from orders.models import Order, OrderPayment
    from shop.pricing import PricedBasket

logger = logging.getLogger(__name__)

IDENTIFIER = "stripe"
SIGNATURE_HEADER = "Stripe-Signature"
NOT_CONFIGURED = "Card payments through Stripe are not configured."
UNAVAILABLE = (
    "Card payments are unavailable right now; nothing was charged. "
    "Please try again in a moment or choose another payment method."
)


def _is_configured() -> bool:
    return bool(orderly_setting("STRIPE_SECRET_KEY") and orderly_setting("STRIPE_WEBHOOK_SECRET"))


def _client() -> stripe.StripeClient:
    api_base = orderly_setting("STRIPE_API_BASE")
    return stripe.StripeClient(
        orderly_setting("STRIPE_SECRET_KEY"),
        base_addresses={"api": api_base} if api_base else None,
        # We answer the buyer now; a retry is theirs to make, on a page that says so.
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=orderly_setting("PROVIDER_TIMEOUT")),
    )


def _error_summary(exc: stripe.StripeError) -> str:
    """What a failed call may leave in logs and the ledger: no message, no request."""
    status = f" HTTP {exc.http_status}" if exc.http_status else ""
    return f"{type(exc).__name__}{status} {exc.code or ''}".strip()


def _note(
    action: str,
    order_ref: str,
    amount: Decimal,
    started: float,
    *,
    reference: str = "",
    error: str = "",
) -> None:
    provider_call_note(
        ProviderCall(
            provider=IDENTIFIER,
            action=action,
            order_ref=order_ref,
            amount=amount,
            is_success=not error,
            reference=reference,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    )


def _order_ref(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata") or {}
    return str(obj.get("client_reference_id") or metadata.get("order_ref") or "")


def _signed_at(header: str) -> int:
    """The `t=` of a `Stripe-Signature` header the library has already verified."""
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            return int(value)
    raise ValueError("No timestamp in the signature header.")


class StripeCheckout(PaymentMethod):
    identifier = IDENTIFIER
    label = "Card (Stripe)"

    def basket_error(self, basket: PricedBasket, *, context: PaymentContext) -> str | None:
        return None if _is_configured() else NOT_CONFIGURED

    def order_error(self, order: Order, *, context: PaymentContext) -> str | None:
        if not _is_configured():
            return NOT_CONFIGURED
        return super().order_error(order, context=context)

    def start_order_payment(self, order: Order, *, context: PaymentContext) -> str:
        currency = orderly_setting("CURRENCY").lower()
        return_url = provider_return_url(order, context)
        separator = "&" if "?" in return_url else "?"
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": order.ref,
            "customer_email": order.email,
            "metadata": {"order_ref": order.ref},
            "payment_intent_data": {"metadata": {"order_ref": order.ref}},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency,
                        "unit_amount": money_to_minor_units(order.amount_outstanding),
                        "product_data": {"name": f"Order {order.ref}"},
                    },
                }
            ],
            "success_url": f"{return_url}{separator}session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": order_pay_page_url(order, context),
        }
        amount = order.amount_outstanding
        started = time.monotonic()
        try:
            session = _client().v1.checkout.sessions.create(params=params)  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            # The library's message may name the request; keep its class and code only.
            error = _error_summary(exc)
            logger.warning("Stripe refused a Checkout Session: %s", error)
            _note(ProviderCallAction.START_PAYMENT, order.ref, amount, started, error=error)
            raise PaymentRefused(UNAVAILABLE) from exc
        if not session.url:
            _note(ProviderCallAction.START_PAYMENT, order.ref, amount, started, error="no URL")
            raise PaymentRefused(UNAVAILABLE)
        _note(ProviderCallAction.START_PAYMENT, order.ref, amount, started, reference=session.id)
        return str(session.url)

    def refund(self, payment: OrderPayment, *, amount: Decimal, context: PaymentContext) -> str:
        if not _is_configured():
            raise RefundDeclined(NOT_CONFIGURED)
        order_ref = payment.order.ref
        started = time.monotonic()
        try:
            refund = _client().v1.refunds.create(
                params={
                    "payment_intent": payment.transaction_id,
                    "amount": money_to_minor_units(amount),
                }
            )
        except stripe.StripeError as exc:
            error = _error_summary(exc)
            logger.warning("Stripe refused a refund: %s", error)
            _note(ProviderCallAction.REFUND, order_ref, amount, started, error=error)
            raise RefundDeclined("Stripe refused the refund.") from exc
        _note(ProviderCallAction.REFUND, order_ref, amount, started, reference=refund.id)
        return str(refund.id)

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        if not _is_configured():
            raise NotificationRefused(NOT_CONFIGURED)
        header = headers.get(SIGNATURE_HEADER)
        tolerance = orderly_setting("WEBHOOK_TOLERANCE")
        try:
            stripe.Webhook.construct_event(
                body, header, orderly_setting("STRIPE_WEBHOOK_SECRET"), tolerance=tolerance
            )
            # The library refuses only timestamps too far in the past; one too far in the
            # future would let a captured event be replayed for longer, so it is refused too.
            timestamp = _signed_at(header or "")
        except stripe.SignatureVerificationError as exc:
            raise NotificationRefused(f"Bad signature: {exc.user_message or exc}") from exc
        except ValueError as exc:
            raise NotificationRefused("Malformed notification.") from exc
        if not signed_recently(timestamp, tolerance=tolerance):
            raise NotificationRefused(
                f"Bad signature: Timestamp outside the tolerance zone ({timestamp})"
            )
        try:
            # The verified bytes, as plain JSON: dicts are simpler to read than StripeObjects.
            event = json_loads_checked(body)
            return _notice(event)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise NotificationRefused("Malformed notification.") from exc


def _notice(event: dict[str, Any]) -> PaymentNotice:
    event_type = str(event["type"])
    obj = event["data"]["object"]
    common: dict[str, Any] = {
        "event_id": str(event["id"]),
        "event_type": event_type,
        "payload": event,
    }
    if event_type in {"checkout.session.completed", "checkout.session.async_payment_succeeded"}:
        if obj.get("payment_status") != "paid":
            # Delayed methods (bank debits) complete first and pay later.
            return PaymentNotice(outcome=NoticeOutcome.IGNORED, order_ref=_order_ref(obj), **common)
        return PaymentNotice(
            outcome=NoticeOutcome.PAID,
            order_ref=_order_ref(obj),
            transaction_id=str(obj.get("payment_intent") or obj["id"]),
            amount=minor_units_to_money(obj["amount_total"]),
            currency=str(obj["currency"]),
            **common,
        )
    if event_type in {
        "checkout.session.expired",
        "checkout.session.async_payment_failed",
        "payment_intent.payment_failed",
    }:
        return PaymentNotice(outcome=NoticeOutcome.FAILED, order_ref=_order_ref(obj), **common)
    if event_type == "charge.refunded":
        refunds_list = (obj.get("refunds") or {}).get("data") or []
        return PaymentNotice(
            outcome=NoticeOutcome.REFUNDED,
            order_ref=_order_ref(obj),
            transaction_id=str(obj.get("payment_intent") or obj["id"]),
            refunds=tuple(
                RefundNotice(str(r["id"]), minor_units_to_money(r["amount"]))
                for r in refunds_list
                if r.get("status", "succeeded") == "succeeded"
            ),
            refunded_total=minor_units_to_money(obj["amount_refunded"]),
            **common,
        )
    return PaymentNotice(outcome=NoticeOutcome.IGNORED, order_ref=_order_ref(obj), **common)

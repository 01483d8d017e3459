"""Provider notices (webhooks): authenticate, parse and act on each notification once, and
log what was refused within bounds."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from integration.ratelimit import parse_rate, rate_limit_hit
from kernel.api.parsers import json_loads_storable, text_storable
from kernel.conf import orderly_setting
from kernel.money import ZERO, quantize_money
from orders.exceptions import RefundNotAllowed
from orders.models import Order, OrderPayment, OrderRefund, OrderStatus
from orders.selectors import order_payable_error
from orders.services import (
    order_lock,
    order_settle_if_refunded,
    order_transition_if_allowed,
    payment_record,
    payment_refund_record,
)
from payments.exceptions import (
    NotificationProviderNotFound,
    NotificationRefused,
)
from payments.methods import (
    NoticeOutcome,
    PaymentMethod,
    PaymentNotice,
    RefundNotice,
    payment_method_get,
)
from payments.models import NotificationVerdict, PaymentNotification

# The name operators' log filters know (this was `payments/services.py`).
logger = logging.getLogger("payments.services")

# Keys whose values never reach the notification log (matched case-insensitively, and as
# a suffix: "client_secret", "api_key"...). URLs too: a Checkout Session's `success_url`
# and `cancel_url` are our pay page, with the order's token in them.
_SECRET_KEYS = ("secret", "password", "token", "signature", "key", "card", "cvc", "cvv", "url")
_REDACTED = "[redacted]"
_MAX_UNPARSED = 2000


def notification_payload_redacted(value: Any) -> Any:
    """A copy of a notification's JSON with anything secret-looking replaced."""
    if isinstance(value, dict):
        return {
            key: _REDACTED
            if any(str(key).lower().endswith(secret) for secret in _SECRET_KEYS)
            else notification_payload_redacted(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [notification_payload_redacted(item) for item in value]
    return value


def _payload_for_log(body: bytes) -> dict[str, Any]:
    """What the log keeps of a body: its JSON (redacted), or the start of its text; either
    way only what `jsonb` can store (no NUL, no lone surrogate, not nested too deeply)."""
    try:
        parsed = json_loads_storable(body)
    except ValueError:
        text = body[:_MAX_UNPARSED].decode("utf-8", errors="replace")
        return {"unparsed": text_storable(text)}
    redacted = notification_payload_redacted(parsed)
    return _payload_excerpt(redacted if isinstance(redacted, dict) else {"body": redacted})


def payment_notification_receive(
    *, provider: str, body: bytes, headers: Mapping[str, str], sender: str = ""
) -> PaymentNotification:
    """Authenticate, parse and act on one provider notification, exactly once.

    The payment method authenticates and parses it; the action is keyed on the
    provider's transaction id, so duplicates and concurrent deliveries record nothing
    twice. A refused notification raises `NotificationRefused` after being logged (within
    the bounds `_refused_record_kept` sets), and changes nothing else. `sender` is the
    client address it came from ("" when delivered in-process).
    """
    method = payment_method_get(provider)
    if method is None:
        raise NotificationProviderNotFound(f"No payment method {provider!r} takes notifications.")
    notice: PaymentNotice | None = None
    try:
        notice = method.parse_notification(body, headers)
        return _notification_apply(method=method, notice=notice)
    except NotificationRefused as refusal:
        if notice is not None or _refused_record_kept(sender):
            _notification_log_refused(
                method=method, notice=notice, body=body, reason=refusal.message
            )
        else:
            logger.warning(
                "Refused a %s notification (not recorded: over the bound): %s",
                method.identifier,
                refusal.message,
            )
        raise


def _refused_record_kept(sender: str) -> bool:
    """Whether a notification refused before it was authenticated is recorded.

    Anyone can send those, so their rows are bounded: at most
    `WEBHOOK_REFUSED_RECORDS_PER_ADDRESS` per client address and `WEBHOOK_REFUSED_RECORDS`
    in all, per window. Authenticated notices (the provider's own) are always recorded.
    """
    per_address = parse_rate(orderly_setting("WEBHOOK_REFUSED_RECORDS_PER_ADDRESS"))
    if not rate_limit_hit(f"webhook-refused:{sender}", per_address).allowed:
        return False
    overall = parse_rate(orderly_setting("WEBHOOK_REFUSED_RECORDS"))
    return rate_limit_hit("webhook-refused", overall).allowed


def _payload_excerpt(payload: dict[str, Any]) -> dict[str, Any]:
    """A refused notification's payload as stored: whole up to `_MAX_UNPARSED` characters
    of JSON, else the start of it, so no refused row is larger than that."""
    text = json.dumps(payload)
    if len(text) <= _MAX_UNPARSED:
        return payload
    return {"excerpt": text[:_MAX_UNPARSED], "truncated_from": len(text)}


@transaction.atomic(durable=True)
def _notification_log_refused(
    *, method: PaymentMethod, notice: PaymentNotice | None, body: bytes, reason: str
) -> PaymentNotification:
    logger.warning("Refused a %s notification: %s", method.identifier, reason)
    return PaymentNotification.objects.create(
        provider=method.identifier,
        event_id=notice.event_id[:255] if notice else "",
        event_type=notice.event_type[:64] if notice else "",
        order_ref=notice.order_ref[:32] if notice else "",
        transaction_id=notice.transaction_id[:255] if notice else "",
        verdict=NotificationVerdict.REFUSED,
        reason=reason[:255],
        payload=_payload_for_log(body),
    )


@transaction.atomic(durable=True)
def _notification_apply(*, method: PaymentMethod, notice: PaymentNotice) -> PaymentNotification:
    if notice.outcome == NoticeOutcome.IGNORED:
        result = f"Nothing to do for {notice.event_type}."
    else:
        order_id = _notice_order_id(method=method, notice=notice)
        if order_id is None:
            raise NotificationRefused(f"Unknown order {notice.order_ref!r}.")
        order = order_lock(order_id)
        if notice.outcome == NoticeOutcome.PAID:
            result = _notice_paid(order, method=method, notice=notice)
        elif notice.outcome == NoticeOutcome.FAILED:
            result = _notice_failed(order, notice=notice)
        else:
            result = _notice_refunded(order, method=method, notice=notice)
    return PaymentNotification.objects.create(
        provider=method.identifier,
        event_id=notice.event_id[:255],
        event_type=notice.event_type[:64],
        order_ref=notice.order_ref[:32],
        transaction_id=notice.transaction_id[:255],
        verdict=NotificationVerdict.ACCEPTED,
        reason=result[:255],
        payload=notification_payload_redacted(notice.payload),
    )


def _notice_order_id(*, method: PaymentMethod, notice: PaymentNotice) -> int | None:
    """The order a notice is about: by its ref, or by the payment it names (a provider's
    refund event may carry only the payment's id)."""
    if notice.order_ref:
        return Order.objects.filter(ref=notice.order_ref).values_list("pk", flat=True).first()
    if notice.outcome == NoticeOutcome.REFUNDED and notice.transaction_id:
        return (
            OrderPayment.objects.filter(
                payment_method=method.identifier, transaction_id=notice.transaction_id
            )
            .values_list("order_id", flat=True)
            .first()
        )
    return None


def _notice_paid(order: Order, *, method: PaymentMethod, notice: PaymentNotice) -> str:
    """Record the payment once; the order is locked."""
    if not notice.transaction_id:
        raise NotificationRefused("The notification names no transaction.")
    existing = OrderPayment.objects.filter(
        payment_method=method.identifier, transaction_id=notice.transaction_id
    ).first()
    if existing is not None:
        if existing.order_id != order.pk:
            raise NotificationRefused("The transaction was recorded for another order.")
        return "Already recorded."
    currency = orderly_setting("CURRENCY")
    if notice.currency.upper() != currency.upper():
        raise NotificationRefused(f"Wrong currency {notice.currency!r}: the shop takes {currency}.")
    if notice.amount is None or notice.amount <= ZERO:
        raise NotificationRefused(f"Wrong amount {notice.amount}.")
    # The provider has taken this money: it goes on the ledger even when the order
    # wasn't owed it (already paid, cancelled, or paid twice from two open pages), and
    # shows as the order's overpaid amount for staff to refund. Read again under the
    # lock we hold: the locking query's `amount_paid` can predate a payment it waited for.
    order = order_lock(order.pk)
    error = order_payable_error(order)
    outstanding = order.amount_outstanding
    payment_record(
        order=order,
        amount=notice.amount,
        transaction_id=notice.transaction_id,
        payment_method=method.identifier,
        actor=None,
        source="callback",
    )
    amount = quantize_money(notice.amount)
    if error is None and amount <= outstanding:
        return f"Recorded a payment of {amount}."
    why = error or f"only {outstanding} was outstanding."
    logger.warning("Overpayment of %s on order %s: %s", amount, order.ref, why)
    return f"Recorded an overpayment of {amount} for staff to refund: {why}"


def _notice_failed(order: Order, *, notice: PaymentNotice) -> str:
    """Mark the order FAILED if the machine allows it from where it is; else leave it."""
    if order.is_paid or not order_transition_if_allowed(
        order, OrderStatus.FAILED, actor=None, source="callback"
    ):
        return f"Order left as {order.get_status_display()}."
    return "Order marked Failed."


def _notice_refunded(order: Order, *, method: PaymentMethod, notice: PaymentNotice) -> str:
    """Record refunds made at the provider (its dashboard), once per refund id."""
    payment = order.payments.filter(
        payment_method=method.identifier, transaction_id=notice.transaction_id
    ).first()
    if payment is None:
        raise NotificationRefused("The refunded payment is not recorded for this order.")
    recorded = 0
    refunds = list(notice.refunds)
    if not refunds and notice.refunded_total is not None:
        # The provider gave only its running total: record what we don't have yet.
        already = sum((r.amount for r in payment.refunds.all()), ZERO)
        missing = quantize_money(notice.refunded_total) - already
        if missing > ZERO:
            refunds = [RefundNotice(f"{payment.transaction_id}:{notice.refunded_total}", missing)]
    for refund in refunds:
        if OrderRefund.objects.filter(transaction_id=refund.transaction_id).exists():
            continue
        try:
            payment_refund_record(
                payment=payment,
                amount=refund.amount,
                transaction_id=refund.transaction_id,
                actor=None,
                source="callback",
            )
        except RefundNotAllowed as exc:
            raise NotificationRefused(f"Wrong refund amount: {exc.message}") from exc
        recorded += 1
    order_settle_if_refunded(order.pk, actor=None, source="callback")
    return f"Recorded {recorded} refund(s)." if recorded else "Refunds already recorded."

"""Use cases where money and orders meet: checkout, paying an order, refunding it."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from integration.ratelimit import parse_rate, rate_limit_hit
from kernel.api.parsers import json_loads_storable, text_storable
from kernel.conf import orderly_setting
from kernel.money import ZERO, quantize_money
from kernel.types import Caller
from orders.events import event_refund_failed
from orders.exceptions import RefundNotAllowed
from orders.models import Order, OrderPayment, OrderRefund, OrderStatus
from orders.selectors import order_payable_error
from orders.services import (
    order_lock,
    order_place,
    order_settle_if_refunded,
    order_transition_if_allowed,
    payment_record,
    payment_refund_record,
    payment_refundable_amount,
)
from payments.exceptions import (
    NotificationProviderNotFound,
    NotificationRefused,
    PaymentMethodNotAvailable,
    RefundDeclined,
)
from payments.methods import (
    NoticeOutcome,
    PaymentContext,
    PaymentMethod,
    PaymentNotice,
    ProviderCall,
    RefundNotice,
    order_return_url,
    payment_method_get,
    provider_calls,
)
from payments.models import NotificationVerdict, PaymentNotification, PaymentProviderCall
from payments.selectors import (
    basket_checkout_error,
    invalid_choice_message,
    payment_method_offered,
)
from shop.exceptions import EmptyBasket
from shop.models import Basket
from shop.selectors import basket_priced, pricing_lines_unavailable
from shop.services import basket_clear, basket_lock, merge_extra_bounded

P = ParamSpec("P")
R = TypeVar("R")


@transaction.atomic
def provider_calls_save(calls: list[ProviderCall]) -> None:
    PaymentProviderCall.objects.bulk_create(
        PaymentProviderCall(
            provider=call.provider,
            action=call.action,
            order_ref=call.order_ref[:32],
            amount=call.amount,
            is_success=call.is_success,
            reference=call.reference[:255],
            error=call.error[:255],
            duration_ms=call.duration_ms,
        )
        for call in calls
    )


def _provider_ledger(func: Callable[P, R]) -> Callable[P, R]:
    """Save the provider calls a use case made once its transaction has ended, committed
    or rolled back: a call that happened stays on the ledger even if the use case failed."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = provider_calls.set([])
        try:
            return func(*args, **kwargs)
        finally:
            calls = provider_calls.get() or []
            provider_calls.reset(token)
            if calls:
                provider_calls_save(calls)

    return wrapper


def _method_for(identifier: str, *, actor: Caller, paying: str) -> PaymentMethod:
    """The method named, if it exists and is offered to this caller for this purpose."""
    method = payment_method_offered(identifier, actor=actor, paying=paying)
    if method is None:
        raise PaymentMethodNotAvailable(invalid_choice_message(identifier))
    return method


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    url: str


@_provider_ledger
@transaction.atomic(durable=True)
def checkout_basket(
    *,
    basket: Basket,
    actor: Caller,
    email: str,
    shipping_address: str,
    billing_address: str,
    payment_method: str,
    extra: dict[str, Any],
    base_url: str,
) -> CheckoutResult:
    """Turn the basket into an order and start its payment, all or nothing.

    `extra` is merged into the basket's `extra` (a null value removes that key), as
    salesman does, and the order keeps the result: modifiers price with it, and what the
    frontend stored on the basket is never lost. If anything refuses (an empty basket,
    an unusable method, the method declining), no order is created and the basket stays
    as it was.
    """
    context = PaymentContext(actor=actor, base_url=base_url)
    method = _method_for(payment_method, actor=actor, paying="baskets")
    basket = basket_lock(basket)
    basket.extra = merge_extra_bounded(basket.extra, extra)
    user = actor if actor.is_authenticated else None
    priced = basket_priced(basket, user=user)
    error = basket_checkout_error(priced, method, context=context)
    if error is not None:
        raise PaymentMethodNotAvailable(error)
    unavailable = pricing_lines_unavailable(line.line for line in priced.lines)
    if unavailable:
        raise EmptyBasket(
            f"These items are no longer available: {', '.join(line.ref for line in unavailable)}.",
            field="non_field_errors",
        )
    order = order_place(
        priced=priced,
        email=email,
        shipping_address=shipping_address,
        billing_address=billing_address,
        payment_method=method.identifier,
        extra=basket.extra,
        user=user,
        actor=actor,
        source=context.source,
    )
    locked = order_lock(order.pk)
    # Nothing to pay (a zero total): the order is already paid and on its way.
    url = (
        order_return_url(locked, context)
        if locked.is_paid
        else method.start_checkout_payment(locked, context=context)
    )
    basket_clear(basket=basket, with_extra=True)
    return CheckoutResult(order=order, url=url)


@_provider_ledger
@transaction.atomic(durable=True)
def order_pay(
    *,
    order: Order,
    actor: Caller,
    payment_method: str,
    base_url: str,
    return_url: str | None = None,
    source: str = "api",
) -> str:
    """Start paying an existing order with a method; return the buyer's next URL.

    `return_url` is where the buyer comes back to after paying, when the caller has a
    page for that (the hosted pay page); otherwise the method picks one.
    """
    context = PaymentContext(actor=actor, base_url=base_url, source=source, return_url=return_url)
    method = _method_for(payment_method, actor=actor, paying="orders")
    locked = order_lock(order.pk)
    error = method.order_error(locked, context=context)
    if error is not None:
        raise PaymentMethodNotAvailable(error)
    return method.start_order_payment(locked, context=context)


@dataclass
class RefundOutcome:
    refunded: list[OrderPayment] = field(default_factory=list)
    failed: list[OrderPayment] = field(default_factory=list)


@_provider_ledger
@transaction.atomic(durable=True)
def order_refund(
    *, order: Order, actor: Caller, base_url: str, amount: Decimal | None = None
) -> RefundOutcome:
    """Refund what is left of every payment through its method, or only `amount` of it.

    Without `amount`, every payment is refunded in full; with it, that much is refunded
    across the payments, oldest first, and never more than was paid net of refunds.
    Payments a method refuses are reported as failed and stay as they were. The order
    moves to REFUNDED, if the machine allows it, only when nothing failed and nothing
    paid is left. The order stays locked throughout, so two refund requests never both
    pay out.
    """
    context = PaymentContext(actor=actor, base_url=base_url)
    locked = order_lock(order.pk)
    payments = list(locked.payments.prefetch_related("refunds"))
    refundable = {payment.pk: payment_refundable_amount(payment) for payment in payments}
    # A refunded order may still hold money that arrived later (an overpayment). Summed
    # from the rows read under the lock: the lock query's own `amount_paid` can predate
    # a refund it waited for.
    if locked.status == OrderStatus.REFUNDED and sum(refundable.values(), ZERO) <= ZERO:
        raise RefundNotAllowed("Order is already marked as Refunded.", field="non_field_errors")
    remaining: Decimal | None = None
    if amount is not None:
        remaining = quantize_money(amount)
        available = sum(refundable.values(), ZERO)
        if remaining <= ZERO or remaining > available:
            raise RefundNotAllowed(
                f"A refund must be more than 0.00 and at most {available} for this order.",
                field="amount",
            )
    outcome = RefundOutcome()
    for payment in payments:
        portion = (
            refundable[payment.pk] if remaining is None else min(remaining, refundable[payment.pk])
        )
        if portion <= ZERO:
            continue
        method = payment_method_get(payment.payment_method)
        try:
            if method is None:
                raise RefundDeclined(f"Payment method {payment.payment_method!r} is not enabled.")
            transaction_id = method.refund(payment, amount=portion, context=context)
        except RefundDeclined as exc:
            event_refund_failed(locked, payment=payment, amount=portion, reason=exc.message)
            outcome.failed.append(payment)
            continue
        payment_refund_record(
            payment=payment,
            amount=portion,
            transaction_id=transaction_id,
            actor=actor,
            source=context.source,
        )
        outcome.refunded.append(payment)
        if remaining is not None:
            remaining -= portion
            if remaining <= ZERO:
                break
    if not outcome.failed:
        order_settle_if_refunded(order.pk, actor=actor, source=context.source)
    return outcome


# --- provider notifications (webhooks) ----------------------------------------------------

logger = logging.getLogger(__name__)

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

"""Refunding an order through the methods that took its payments."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from kernel.money import ZERO, quantize_money
from kernel.types import Caller
from orders.events import event_refund_failed
from orders.exceptions import RefundNotAllowed
from orders.models import Order, OrderPayment, OrderStatus
from orders.services import (
    order_lock,
    order_settle_if_refunded,
    payment_refund_record,
    payment_refundable_amount,
)
from payments.exceptions import RefundDeclined
from payments.methods import (
    PaymentContext,
    payment_method_get,
)
from payments.services.ledger import provider_ledger


@dataclass
class RefundOutcome:
    refunded: list[OrderPayment] = field(default_factory=list)
    failed: list[OrderPayment] = field(default_factory=list)


@provider_ledger
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

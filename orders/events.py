"""One small creator per event type, so every writer records history the same way.

Each creator writes the staff-facing history row (`OrderEvent`, the audit trail) and
announces the change on `order_changed`, in the caller's transaction. The `events` app
listens and appends the outbox row (`events.models.Event`) that buyer e-mails, webhooks
and the `/v1/events` feed read; so history feeds the outbox and nothing is written twice
by hand. `order.paid` and `refund.failed` have no history row of their own (the order's
`date_paid` records the one; the refund's answer, and for providers their call ledger,
the other); their creators only announce.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.dispatch import Signal

from kernel.money import format_money
from orders.models import Order, OrderEvent, OrderEventType, OrderNote, OrderPayment, OrderStatus

# Who an event records as having acted: a user, or None for a visitor or the system.
RecordedUser = User | None

# Sent with `order`, `type` (an outbox event type, "order.created"...) and `data` (what
# the event adds to the order document: from/to, the payment, the note...; Decimal money).
order_changed = Signal()


def _announce(order: Order, type_: str, **data: Any) -> None:
    order_changed.send(sender=Order, order=order, type=type_, data=data)


def _event(
    order: Order, type_: OrderEventType, *, actor: RecordedUser, source: str, **fields: Any
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        type=type_,
        actor=actor if actor is not None and actor.is_authenticated else None,
        source=source,
        **fields,
    )


def event_order_placed(order: Order, *, actor: RecordedUser, source: str) -> OrderEvent:
    return _event(
        order,
        OrderEventType.PLACED,
        actor=actor,
        source=source,
        data={"total": format_money(order.total), "payment_method": order.payment_method},
    )


def event_status_changed(
    order: Order, *, actor: RecordedUser, source: str, from_status: str, to_status: str
) -> OrderEvent:
    if from_status == OrderStatus.NEW:
        # Checkout's last step, in its transaction: the order exists for the outside world
        # from here on (no one ever sees it NEW), with its items and CREATED status.
        _announce(order, "order.created")
    else:
        _announce(order, "order.status_changed", **{"from": from_status, "to": to_status})
    return _event(
        order,
        OrderEventType.STATUS_CHANGED,
        actor=actor,
        source=source,
        from_status=from_status,
        to_status=to_status,
    )


def event_payment_recorded(
    order: Order,
    *,
    actor: RecordedUser,
    source: str,
    amount: Decimal,
    payment_method: str,
    transaction_id: str,
) -> OrderEvent:
    payment = {"amount": amount, "payment_method": payment_method, "transaction_id": transaction_id}
    _announce(order, "payment.recorded", payment=payment)
    return _event(
        order,
        OrderEventType.PAYMENT_RECORDED,
        actor=actor,
        source=source,
        data={
            "amount": format_money(amount),
            "payment_method": payment_method,
            "transaction_id": transaction_id,
        },
    )


def event_payment_refunded(
    order: Order, *, actor: RecordedUser, source: str, amount: Decimal, transaction_id: str
) -> OrderEvent:
    _announce(order, "refund.recorded", refund={"amount": amount, "transaction_id": transaction_id})
    return _event(
        order,
        OrderEventType.PAYMENT_REFUNDED,
        actor=actor,
        source=source,
        data={"amount": format_money(amount), "transaction_id": transaction_id},
    )


def event_note_added(
    order: Order, *, actor: RecordedUser, source: str, note: OrderNote
) -> OrderEvent:
    if note.is_public:  # private notes are staff-only: history, never the outbox
        _announce(order, "note.added", note={"message": note.message})
    return _event(
        order,
        OrderEventType.NOTE_ADDED,
        actor=actor,
        source=source,
        data={"public": note.is_public},
    )


def event_order_paid(order: Order) -> None:
    """The order has just become fully paid (its `date_paid` is set)."""
    _announce(order, "order.paid")


def event_refund_failed(
    order: Order, *, payment: OrderPayment, amount: Decimal, reason: str
) -> None:
    """A provider (or method) refused to refund `amount` of `payment`; nothing changed."""
    refund = {
        "amount": amount,
        "payment_method": payment.payment_method,
        "transaction_id": payment.transaction_id,
        "reason": reason,
    }
    _announce(order, "refund.failed", refund=refund)


def event_guest_link_reissued(order: Order, *, actor: RecordedUser, source: str) -> OrderEvent:
    return _event(order, OrderEventType.GUEST_LINK_REISSUED, actor=actor, source=source)

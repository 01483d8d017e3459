"""One small creator per event type, so every writer records history the same way."""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from orders.models import Order, OrderEvent, OrderEventType
from shop.money import format_money

Actor = User | None


def _event(
    order: Order, type_: OrderEventType, *, actor: Actor, source: str, **fields: Any
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        type=type_,
        actor=actor if actor is not None and actor.is_authenticated else None,
        source=source,
        **fields,
    )


def event_order_placed(order: Order, *, actor: Actor, source: str) -> OrderEvent:
    return _event(
        order,
        OrderEventType.PLACED,
        actor=actor,
        source=source,
        data={"total": format_money(order.total), "payment_method": order.payment_method},
    )


def event_status_changed(
    order: Order, *, actor: Actor, source: str, from_status: str, to_status: str
) -> OrderEvent:
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
    actor: Actor,
    source: str,
    amount: Decimal,
    payment_method: str,
    transaction_id: str,
) -> OrderEvent:
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
    order: Order, *, actor: Actor, source: str, amount: Decimal, transaction_id: str
) -> OrderEvent:
    return _event(
        order,
        OrderEventType.PAYMENT_REFUNDED,
        actor=actor,
        source=source,
        data={"amount": format_money(amount), "transaction_id": transaction_id},
    )


def event_note_added(order: Order, *, actor: Actor, source: str, is_public: bool) -> OrderEvent:
    return _event(
        order, OrderEventType.NOTE_ADDED, actor=actor, source=source, data={"public": is_public}
    )


def event_guest_link_reissued(order: Order, *, actor: Actor, source: str) -> OrderEvent:
    return _event(order, OrderEventType.GUEST_LINK_REISSUED, actor=actor, source=source)

"""Use cases where money and orders meet: checkout, paying an order, refunding it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from orders.exceptions import RefundNotAllowed
from orders.models import Order, OrderPayment, OrderStatus
from orders.selectors import status_change_error
from orders.services import (
    order_lock,
    order_place,
    order_transition_locked,
    payment_refund_record,
    payment_refundable_amount,
)
from payments.exceptions import PaymentMethodNotAvailable, RefundDeclined
from payments.methods import PaymentContext, PaymentMethod, payment_method_get
from shop.exceptions import EmptyBasket
from shop.models import Basket
from shop.selectors import basket_priced
from shop.services import basket_lock
from shop.types import Caller as Actor


def _method_for(identifier: str, *, actor: Actor, paying: str) -> PaymentMethod:
    """The method named, if it exists and is offered to this caller for this purpose."""
    method = payment_method_get(identifier)
    offered = method is not None and method.is_offered_to(actor)
    if method is None or not offered or not getattr(method, f"pays_{paying}"):
        raise PaymentMethodNotAvailable(f'"{identifier}" is not a valid choice.')
    return method


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    url: str


@transaction.atomic(durable=True)
def checkout_basket(
    *,
    basket: Basket,
    actor: Actor,
    email: str,
    shipping_address: str,
    billing_address: str,
    payment_method: str,
    extra: dict[str, Any],
    base_url: str,
) -> CheckoutResult:
    """Turn the basket into an order and start its payment, all or nothing.

    If anything refuses (an empty basket, an unusable method, the method declining), no
    order is created and the basket stays as it was.
    """
    context = PaymentContext(actor=actor, base_url=base_url)
    method = _method_for(payment_method, actor=actor, paying="baskets")
    basket = basket_lock(basket)
    user = actor if actor.is_authenticated else None
    priced = basket_priced(basket, user=user)
    if not priced.lines:
        raise EmptyBasket("Your basket is empty.", field="non_field_errors")
    unavailable = [line.line.ref for line in priced.lines if not line.line.product.is_purchasable]
    if unavailable:
        raise EmptyBasket(
            f"These items are no longer available: {', '.join(unavailable)}.",
            field="non_field_errors",
        )
    error = method.basket_error(priced, context=context)
    if error is not None:
        raise PaymentMethodNotAvailable(error)
    order = order_place(
        priced=priced,
        email=email,
        shipping_address=shipping_address,
        billing_address=billing_address,
        payment_method=method.identifier,
        extra=extra,
        user=user,
        actor=actor,
        source=context.source,
    )
    url = method.start_checkout_payment(order_lock(order.pk), context=context)
    basket.items.all().delete()
    basket.extra = {}
    basket.save(update_fields=["extra", "updated_at"])
    return CheckoutResult(order=order, url=url)


@transaction.atomic(durable=True)
def order_pay(*, order: Order, actor: Actor, payment_method: str, base_url: str) -> str:
    """Start paying an existing order with a method; return the buyer's next URL."""
    context = PaymentContext(actor=actor, base_url=base_url)
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


@transaction.atomic(durable=True)
def order_refund(*, order: Order, actor: Actor, base_url: str) -> RefundOutcome:
    """Refund what is left of every payment through its method.

    Payments a method refuses are reported as failed and stay as they were. When nothing
    failed, the order moves to REFUNDED if the machine allows it from where it is.
    The order stays locked throughout, so two refund requests never both pay out.
    """
    context = PaymentContext(actor=actor, base_url=base_url)
    locked = order_lock(order.pk)
    if locked.status == OrderStatus.REFUNDED:
        raise RefundNotAllowed("Order is already marked as Refunded.", field="non_field_errors")
    outcome = RefundOutcome()
    for payment in locked.payments.prefetch_related("refunds"):
        amount = payment_refundable_amount(payment)
        if amount <= 0:
            continue
        method = payment_method_get(payment.payment_method)
        try:
            if method is None:
                raise RefundDeclined(f"Payment method {payment.payment_method!r} is not enabled.")
            transaction_id = method.refund(payment, amount=amount, context=context)
        except RefundDeclined:
            outcome.failed.append(payment)
            continue
        payment_refund_record(
            payment=payment,
            amount=amount,
            transaction_id=transaction_id,
            actor=actor,
            source=context.source,
        )
        outcome.refunded.append(payment)
    if not outcome.failed and status_change_error(locked, OrderStatus.REFUNDED) is None:
        order_transition_locked(locked, OrderStatus.REFUNDED, actor=actor, source=context.source)
    return outcome

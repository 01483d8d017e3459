"""Checkout and paying: a basket becomes an order and its payment starts, or an existing
order is paid with a method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from kernel.types import Caller
from orders.models import Order
from orders.services import (
    order_lock,
    order_place,
)
from payments.exceptions import PaymentMethodNotAvailable
from payments.methods import (
    PaymentContext,
    PaymentMethod,
    order_return_url,
)
from payments.selectors import (
    basket_checkout_error,
    invalid_choice_message,
    payment_method_offered,
)
from payments.services.ledger import provider_ledger
from shop.exceptions import EmptyBasket
from shop.models import Basket
from shop.selectors import basket_priced, pricing_lines_unavailable
from shop.services import basket_clear_locked, basket_lock, merge_extra_bounded


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


@provider_ledger
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

    The basket is priced once, here, under its lock: what the buyer is charged is what
    the checks saw.
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
    order_extra = basket.extra
    # Emptied before the order is placed: placing takes the year's ref counter lock,
    # which every other checkout waits on until this one commits, so as little as
    # possible happens after it. A refusal from here on still rolls all of it back.
    basket_clear_locked(basket, with_extra=True)
    order = order_place(
        priced=priced,
        email=email,
        shipping_address=shipping_address,
        billing_address=billing_address,
        payment_method=method.identifier,
        extra=order_extra,
        user=user,
        actor=actor,
        source=context.source,
    )
    # Nothing to pay (a zero total): the order is already paid and on its way.
    url = (
        order_return_url(order, context)
        if order.is_paid
        else method.start_checkout_payment(order, context=context)
    )
    return CheckoutResult(order=order, url=url)


@provider_ledger
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

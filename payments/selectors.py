from kernel.types import Caller
from orders.models import Order
from payments.methods import PaymentContext, PaymentMethod, payment_method_get, payment_methods
from shop.pricing import PricedBasket

EMPTY_BASKET = "Your basket is empty."


def payment_method_offered(identifier: str, *, actor: Caller, paying: str) -> PaymentMethod | None:
    """The method named, if it exists and is offered to this caller for paying `baskets`
    or `orders`; else None."""
    method = payment_method_get(identifier)
    if method is None or not method.is_offered_to(actor) or not getattr(method, f"pays_{paying}"):
        return None
    return method


def invalid_choice_message(identifier: str) -> str:
    return f'"{identifier}" is not a valid choice.'


def basket_checkout_error(
    basket: PricedBasket, method: PaymentMethod, *, context: PaymentContext
) -> str | None:
    """Why this basket can't be checked out with this method now, or None.

    An empty basket is one of those reasons: salesman reports it under `payment_method`,
    at checkout and in the list of methods alike.
    """
    if not basket.lines:
        return EMPTY_BASKET
    return method.basket_error(basket, context=context)


def checkout_payment_method_error(
    identifier: str, *, basket: PricedBasket, context: PaymentContext
) -> str | None:
    """Why `identifier` can't pay this basket now (unknown, not offered, unusable), or None."""
    method = payment_method_offered(identifier, actor=context.actor, paying="baskets")
    if method is None:
        return invalid_choice_message(identifier)
    return basket_checkout_error(basket, method, context=context)


def payment_method_choices_for_basket(
    basket: PricedBasket, *, actor: Caller, base_url: str
) -> list[dict[str, str | None]]:
    """Methods offered at checkout, each with the reason it can't be used now (or None)."""
    context = PaymentContext(actor=actor, base_url=base_url)
    return [
        {
            "identifier": method.identifier,
            "label": method.label,
            "error": basket_checkout_error(basket, method, context=context),
        }
        for method in payment_methods()
        if method.pays_baskets and method.is_offered_to(actor)
    ]


def payment_method_choices_for_order(
    order: Order, *, actor: Caller, base_url: str
) -> list[dict[str, str | None]]:
    """Methods offered for paying an order; `order` must come from `order_queryset`."""
    context = PaymentContext(actor=actor, base_url=base_url)
    return [
        {
            "identifier": method.identifier,
            "label": method.label,
            "error": method.order_error(order, context=context),
        }
        for method in payment_methods()
        if method.pays_orders and method.is_offered_to(actor)
    ]

from orders.models import Order
from payments.methods import PaymentContext, payment_methods
from shop.pricing import PricedBasket
from shop.types import Caller as Actor


def payment_method_choices_for_basket(
    basket: PricedBasket, *, actor: Actor, base_url: str
) -> list[dict[str, str | None]]:
    """Methods offered at checkout, each with the reason it can't be used now (or None)."""
    context = PaymentContext(actor=actor, base_url=base_url)
    return [
        {
            "identifier": method.identifier,
            "label": method.label,
            "error": method.basket_error(basket, context=context),
        }
        for method in payment_methods()
        if method.pays_baskets and method.is_offered_to(actor)
    ]


def payment_method_choices_for_order(
    order: Order, *, actor: Actor, base_url: str
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

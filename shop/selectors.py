"""Reads of the catalogue and baskets."""

from django.db.models import Q, QuerySet

from shop.exceptions import BasketItemNotFound, ProductNotFound
from shop.models import Basket, BasketItem, Product
from shop.pricing import PricedBasket, PricingContext, PricingLine, price_lines
from shop.products import products_in_bulk
from shop.types import Actor


def product_list(*, search: str = "") -> QuerySet[Product]:
    products = Product.objects.filter(is_active=True)
    if search:
        products = products.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return products.order_by("name", "id")


def product_get(*, product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id, is_active=True).first()
    if product is None:
        raise ProductNotFound("Not found.")
    return product


def basket_pricing_lines(basket: Basket) -> list[PricingLine]:
    """The basket's lines with their products loaded: one query for items, one per type.

    A line whose product has since been deleted is left out: it can't be shown or bought.
    """
    items = list(basket.items.all())
    products = products_in_bulk((item.product_type, item.product_id) for item in items)
    lines = []
    for item in items:
        product = products.get((item.product_type, item.product_id))
        if product is None:
            continue
        lines.append(
            PricingLine(
                ref=item.ref,
                product_type=item.product_type,
                product_id=item.product_id,
                product=product,
                quantity=item.quantity,
                extra=item.extra,
            )
        )
    return lines


def basket_pricing_context(basket: Basket, *, user: Actor) -> PricingContext:
    return PricingContext(user=user, extra=dict(basket.extra), channel="storefront")


def basket_priced(basket: Basket, *, user: Actor) -> PricedBasket:
    return price_lines(
        basket_pricing_lines(basket), context=basket_pricing_context(basket, user=user)
    )


def basket_item_get(*, basket: Basket, ref: str) -> BasketItem:
    item = basket.items.filter(ref=ref).first()
    if item is None:
        raise BasketItemNotFound("Not found.")
    return item


def basket_count(basket: Basket) -> int:
    """Distinct lines, counted like `GET /basket/` shows them (deleted products left out)."""
    return len(basket_pricing_lines(basket))


def basket_quantity(basket: Basket) -> int:
    return sum(line.quantity for line in basket_pricing_lines(basket))

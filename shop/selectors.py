"""Reads of the catalogue and baskets."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from kernel.types import Actor
from shop.exceptions import BasketItemNotFound, ProductNotFound
from shop.models import Basket, BasketItem, Product
from shop.pricing import PricedBasket, PricingContext, PricingLine, price_lines
from shop.products import products_in_bulk


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


@dataclass(frozen=True)
class WantedLine:
    """A line someone wants priced: a basket item, or a line of a `/v1/` checkout."""

    ref: str
    product_type: str
    product_id: int
    quantity: int
    extra: dict[str, Any] = field(default_factory=dict)


def pricing_lines(wanted: Iterable[WantedLine]) -> list[PricingLine]:
    """The lines with their products loaded through the registry, one query per type.

    A line whose product doesn't exist (deleted, or of a type no longer configured) is
    left out: it can't be shown or bought. Whether the rest can be bought now is
    `product.is_purchasable`, for checkout to decide.
    """
    wanted = list(wanted)
    products = products_in_bulk((line.product_type, line.product_id) for line in wanted)
    lines = []
    for line in wanted:
        product = products.get((line.product_type, line.product_id))
        if product is None:
            continue
        lines.append(
            PricingLine(
                ref=line.ref,
                product_type=line.product_type,
                product_id=line.product_id,
                product=product,
                quantity=line.quantity,
                extra=line.extra,
            )
        )
    return lines


def pricing_lines_unavailable(lines: Iterable[PricingLine]) -> list[PricingLine]:
    """The lines checkout must refuse: their product exists but can't be bought now."""
    return [line for line in lines if not line.product.is_purchasable]


def basket_pricing_lines(basket: Basket) -> list[PricingLine]:
    """The basket's lines with their products loaded: one query for items, one per type."""
    return pricing_lines(
        WantedLine(
            ref=item.ref,
            product_type=item.product_type,
            product_id=item.product_id,
            quantity=item.quantity,
            extra=item.extra,
        )
        for item in basket.items.all()
    )


def basket_pricing_context(basket: Basket, *, user: Actor) -> PricingContext:
    return PricingContext(user=user, extra=dict(basket.extra))


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

"""Pricing a basket: unit prices, line subtotals and the rows price modifiers add.

Pricing works on plain data (`PricingLine`) and a typed `PricingContext`, never on a
request, so the storefront basket, storefront checkout and `/v1/` checkout all price
the same way. The result (`PricedBasket`) is what the basket API shows and what
checkout freezes onto the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kernel.money import ZERO, format_money, quantize_money
from kernel.types import Actor

if TYPE_CHECKING:
    from shop.products import Purchasable


@dataclass(frozen=True)
class PricingContext:
    """What a modifier may look at besides the lines: who buys, and the basket's extra."""

    user: Actor = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtraRow:
    modifier: str
    label: str
    amount: Decimal
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The wire shape, also the shape frozen onto orders."""
        return {
            "modifier": self.modifier,
            "label": self.label,
            "amount": format_money(self.amount),
            "extra": self.extra,
        }


@dataclass(frozen=True)
class PricingLine:
    ref: str
    product_type: str
    product_id: int
    product: Purchasable
    quantity: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PricedLine:
    line: PricingLine
    unit_price: Decimal
    subtotal: Decimal
    extra_rows: list[ExtraRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return quantize_money(self.subtotal + sum((r.amount for r in self.extra_rows), ZERO))


@dataclass
class PricedBasket:
    lines: list[PricedLine]
    extra: dict[str, Any]
    extra_rows: list[ExtraRow] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return quantize_money(sum((line.total for line in self.lines), ZERO))

    @property
    def total(self) -> Decimal:
        return quantize_money(self.subtotal + sum((r.amount for r in self.extra_rows), ZERO))

    @property
    def quantity(self) -> int:
        return sum(line.line.quantity for line in self.lines)


def price_lines(lines: Sequence[PricingLine], *, context: PricingContext) -> PricedBasket:
    """Price lines with the configured modifiers: first every line, then the basket."""
    from shop.modifiers import price_modifiers

    modifiers = price_modifiers()
    priced_lines = []
    for line in lines:
        unit_price = quantize_money(line.product.get_price(context))
        priced = PricedLine(
            line=line,
            unit_price=unit_price,
            subtotal=quantize_money(unit_price * line.quantity),
        )
        for modifier in modifiers:
            row = modifier.process_line(priced, context)
            if row is not None:
                priced.extra_rows.append(row)
        priced_lines.append(priced)

    basket = PricedBasket(lines=priced_lines, extra=dict(context.extra))
    for modifier in modifiers:
        row = modifier.process_basket(basket, context)
        if row is not None:
            basket.extra_rows.append(row)
    return basket

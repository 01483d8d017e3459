"""Price modifiers: small classes that add discount, tax or shipping rows.

A modifier looks at one priced line (`process_line`) or at the whole basket
(`process_basket`) and returns an `ExtraRow` or None. Rows are applied in the order of
`ORDERLY_PRICE_MODIFIERS`; each sees the totals left by the ones before it. To add one,
subclass `PriceModifier` and list it in the setting, with options as dict keys:

    ORDERLY_PRICE_MODIFIERS = [
        {"class": "myshop.modifiers.LoyaltyDiscount", "identifier": "loyalty", "percent": "-5"},
    ]
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from kernel.money import ZERO, quantize_money
from kernel.registry import configured_instances
from shop.pricing import ExtraRow, PricedBasket, PricedLine, PricingContext


class PriceModifier:
    """Base class. Options given in the setting arrive as keyword arguments."""

    identifier: str = ""
    label: str = ""

    def __init__(self, *, identifier: str | None = None, label: str | None = None) -> None:
        self.identifier = identifier or self.identifier or type(self).__name__.lower()
        self.label = label or self.label or self.identifier

    def process_line(self, line: PricedLine, context: PricingContext) -> ExtraRow | None:
        return None

    def process_basket(self, basket: PricedBasket, context: PricingContext) -> ExtraRow | None:
        return None

    def row(self, amount: Decimal, **extra: Any) -> ExtraRow:
        return ExtraRow(
            modifier=self.identifier, label=self.label, amount=quantize_money(amount), extra=extra
        )


def _decimal_option(name: str, value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"{name} must be a string or Decimal, not a float")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{name} must be a decimal number, not {value!r}") from exc


class PercentageModifier(PriceModifier):
    """A percentage of the line or basket: negative for a discount, positive for a tax.

    `applies_to` is "item" (each line) or "basket" (the basket subtotal); `min_quantity`
    only applies it to lines (or baskets) with at least that many units.
    """

    def __init__(
        self,
        *,
        percent: str | Decimal,
        applies_to: str = "item",
        min_quantity: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.percent = _decimal_option("percent", percent)
        if not Decimal(-100) <= self.percent <= Decimal(100):
            raise ValueError("percent must be between -100 and 100")
        if applies_to not in {"item", "basket"}:
            raise ValueError('applies_to must be "item" or "basket"')
        self.applies_to = applies_to
        self.min_quantity = int(min_quantity)

    def _amount(self, base: Decimal) -> Decimal:
        return quantize_money(base * self.percent / Decimal(100))

    def process_line(self, line: PricedLine, context: PricingContext) -> ExtraRow | None:
        if self.applies_to != "item" or line.line.quantity < self.min_quantity:
            return None
        return self.row(self._amount(line.total), percent=str(self.percent))

    def process_basket(self, basket: PricedBasket, context: PricingContext) -> ExtraRow | None:
        if self.applies_to != "basket" or basket.quantity < self.min_quantity or not basket.lines:
            return None
        return self.row(self._amount(basket.total), percent=str(self.percent))


class ShippingModifier(PriceModifier):
    """A flat shipping cost for the basket, free from a given subtotal on."""

    def __init__(
        self, *, amount: str | Decimal, free_from: str | Decimal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.amount = _decimal_option("amount", amount)
        self.free_from = _decimal_option("free_from", free_from) if free_from is not None else None

    def process_basket(self, basket: PricedBasket, context: PricingContext) -> ExtraRow | None:
        if not basket.lines:
            return None
        if self.free_from is not None and basket.subtotal >= self.free_from:
            return self.row(ZERO, free_from=str(self.free_from))
        return self.row(self.amount)


def price_modifiers() -> tuple[PriceModifier, ...]:
    """The configured modifiers, built once per configuration."""
    return configured_instances("PRICE_MODIFIERS")

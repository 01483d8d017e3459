"""Money is `Decimal` with two places everywhere; this module is the one place that rounds."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Half-up is what shoppers and accountants expect on a receipt (0.005 -> 0.01).
MONEY_ROUNDING = ROUND_HALF_UP


def quantize_money(value: Decimal | int | str) -> Decimal:
    """Round a computed amount to cents. Never pass a float: build Decimals from str."""
    if isinstance(value, float):
        raise TypeError("Money must not be built from a float; pass a str or Decimal.")
    return Decimal(value).quantize(CENT, rounding=MONEY_ROUNDING)


def format_money(value: Decimal) -> str:
    """The storefront wire format: a decimal string with two places ("33.00")."""
    return f"{quantize_money(value):.2f}"


def money_to_minor_units(amount: Decimal) -> int:
    """Decimal money (2 places) to integer minor units (cents): 12.34 -> 1234. For wire
    edges that count cents (Stripe, `/v1/` product prices), never through a float."""
    return int(quantize_money(amount) / CENT)


def minor_units_to_money(units: int) -> Decimal:
    """Integer minor units to Decimal money: 1234 -> 12.34."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise TypeError("Minor units must be an integer.")
    return quantize_money(Decimal(units) * CENT)

"""The only place `/v1/` money leaves Decimal: the Presscart wire wants floats and cents."""

from decimal import Decimal

from shop.money import quantize_money


def major_units(amount: Decimal) -> float:
    """Order money: a JSON number in major units (154.5 means 154.50)."""
    return float(quantize_money(amount))


def minor_units(amount: Decimal) -> int:
    """Product prices: an integer number of cents."""
    return int(quantize_money(amount) * 100)

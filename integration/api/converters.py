"""Where `/v1/` order money leaves Decimal: the Presscart wire wants floats. (Product
prices go out in cents through `kernel.money.money_to_minor_units`, as Stripe's do.)"""

from decimal import Decimal

from kernel.money import quantize_money


def major_units(amount: Decimal) -> float:
    """Order money: a JSON number in major units (154.5 means 154.50)."""
    return float(quantize_money(amount))

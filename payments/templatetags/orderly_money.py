"""`{{ amount|money }}`: money on pages as on the wire, two places ("24.90"), from Decimal."""

from decimal import Decimal

from django import template

from kernel.money import format_money

register = template.Library()


@register.filter
def money(value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return ""
    return format_money(Decimal(str(value)))

"""`/v1/` shapes, as the Presscart API (and its `pypresscart` client) has them.

Ids are strings; order money is a float in major units and product prices integer cents,
converted only here (`integration.api.converters`, `kernel.money`).

Each response shape is declared once, here: its fields (types, nullability) are what the
OpenAPI document shows (`integration.api.schema`). The lists render through a direct
`to_representation` for speed; a test checks that it renders exactly the declared fields.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from integration.api.converters import major_units
from integration.selectors import order_money
from kernel.api.fields import datetime_text
from kernel.conf import orderly_setting
from kernel.money import money_to_minor_units, quantize_money
from orders.models import Order, OrderItem
from orders.selectors import order_pay_path, order_payable_error
from shop.models import Product, Profile
from shop.services import line_count_over_limit, quantity_over_limit

# The largest amount an order's money columns hold (12 digits, 2 of them cents).
MAX_AMOUNT = Decimal("9999999999.99")


class Computed(serializers.Field):
    """A declared field whose value is computed from the whole object (`compute(obj, field)`)
    rather than read from one attribute; its wire type is that of the field class it is
    mixed into, first in the bases."""

    def __init__(self, compute: Callable[[Any, serializers.Field], Any], **kwargs: Any) -> None:
        self.compute = compute
        super().__init__(source="*", **kwargs)

    def to_representation(self, value: Any) -> Any:
        return self.compute(value, self)


class ComputedFloat(Computed, serializers.FloatField):
    pass


class ComputedChar(Computed, serializers.CharField):
    pass


class ComputedBoolean(Computed, serializers.BooleanField):
    pass


class ComputedURL(Computed, serializers.URLField):
    pass


class ComputedInteger(Computed, serializers.IntegerField):
    pass


class MajorUnitsOutField(serializers.FloatField):
    """Order money out: a JSON number in major units, through `major_units`."""

    def to_representation(self, value: Decimal) -> float:  # type: ignore[override]
        return major_units(value)


def _currency(obj: Any, field: serializers.Field) -> str:
    currency: str = orderly_setting("CURRENCY")
    return currency


def _money_part(part: str) -> Callable[[Order, serializers.Field], float]:
    return lambda order, field: major_units(getattr(order_money(order), part))


def _checkout_link(order: Order, field: serializers.Field) -> str | None:
    """Where anyone holding the link can see and pay the order, while it is payable."""
    if order_payable_error(order) is not None:
        return None
    path = order_pay_path(order)
    request = field.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def string_id(value: int | None) -> str | None:
    return None if value is None else str(value)


def parse_id(value: Any) -> int | None:
    """A wire id ("42") as a primary key, or None when it can't name any of our rows."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


class LineItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    order_id = serializers.CharField()
    product_id = serializers.CharField()
    name = serializers.CharField(source="product_data.name", allow_null=True)
    quantity = serializers.IntegerField()
    price = MajorUnitsOutField(source="unit_price", help_text="Unit price in major units.")
    is_add_on = serializers.BooleanField()
    linked_order_line_item_id = serializers.CharField(source="linked_item_id", allow_null=True)
    created_at = serializers.DateTimeField(source="order.created_at")
    updated_at = serializers.DateTimeField(source="order.updated_at")

    def to_representation(self, item: OrderItem) -> dict[str, Any]:
        order = item.order
        return {
            "id": str(item.pk),
            "order_id": str(item.order_id),
            "product_id": str(item.product_id),
            "name": item.product_data.get("name"),
            "quantity": item.quantity,
            "price": major_units(item.unit_price),
            "is_add_on": item.is_add_on,
            "linked_order_line_item_id": string_id(item.linked_item_id),
            "created_at": datetime_text(order.created_at),
            "updated_at": datetime_text(order.updated_at),
        }


# Expects `integration.selectors.team_orders` rows (annotated, items prefetched). (A
# comment, not a docstring: the OpenAPI document would show a docstring.)
class OrderSerializer(serializers.Serializer):
    id = serializers.CharField()
    reference_number = serializers.CharField(source="ref")
    status = serializers.CharField()
    profile_id = serializers.CharField(allow_null=True)
    team_id = serializers.CharField(allow_null=True)
    email = serializers.CharField()
    currency = ComputedChar(_currency)
    subtotal = ComputedFloat(
        _money_part("subtotal"), help_text="Sum of price x quantity, major units."
    )
    discount = ComputedFloat(_money_part("discount"))
    processing_fee = ComputedFloat(_money_part("processing_fee"))
    credits_applied = ComputedFloat(_money_part("credits_applied"))
    total = MajorUnitsOutField(help_text="subtotal - discount + processing_fee - credits_applied")
    amount_paid = MajorUnitsOutField()
    date_paid = serializers.DateTimeField(allow_null=True)
    is_guest_order = ComputedBoolean(
        lambda order, field: order.profile_id is None and order.user_id is None
    )
    checkout_link = ComputedURL(
        _checkout_link,
        allow_null=True,
        help_text="The hosted pay page, while the order is unpaid.",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    line_items = LineItemSerializer(source="prefetched_items", many=True)

    def to_representation(self, order: Order) -> dict[str, Any]:
        money = order_money(order)
        return {
            "id": str(order.pk),
            "reference_number": order.ref,
            "status": order.status,
            "profile_id": string_id(order.profile_id),
            "team_id": string_id(order.team_id),
            "email": order.email,
            "currency": orderly_setting("CURRENCY"),
            "subtotal": major_units(money.subtotal),
            "discount": major_units(money.discount),
            "processing_fee": major_units(money.processing_fee),
            "credits_applied": major_units(money.credits_applied),
            "total": major_units(order.total),
            "amount_paid": major_units(order.amount_paid),
            "date_paid": datetime_text(order.date_paid) if order.date_paid else None,
            "is_guest_order": order.profile_id is None and order.user_id is None,
            "checkout_link": _checkout_link(order, self),
            "created_at": datetime_text(order.created_at),
            "updated_at": datetime_text(order.updated_at),
            "line_items": LineItemSerializer(order.prefetched_items, many=True).data,
        }


# A line item as `GET /v1/order-items` lists it.
class OrderItemRecordSerializer(serializers.Serializer):
    id = serializers.CharField()
    order_id = serializers.CharField()
    product_id = serializers.CharField()
    product_name = serializers.CharField(source="product_data.name", allow_null=True)
    product_price = MajorUnitsOutField(source="unit_price")
    sale_price = MajorUnitsOutField(source="total")
    quantity = serializers.IntegerField()
    is_add_on = serializers.BooleanField()
    linked_order_line_item_id = serializers.CharField(source="linked_item_id", allow_null=True)
    date_paid = serializers.DateTimeField(source="order.date_paid", allow_null=True)
    created_at = serializers.DateTimeField(source="order.created_at")
    updated_at = serializers.DateTimeField(source="order.updated_at")

    def to_representation(self, item: OrderItem) -> dict[str, Any]:
        order = item.order
        return {
            "id": str(item.pk),
            "order_id": str(item.order_id),
            "product_id": str(item.product_id),
            "product_name": item.product_data.get("name"),
            "product_price": major_units(item.unit_price),
            "sale_price": major_units(item.total),
            "quantity": item.quantity,
            "is_add_on": item.is_add_on,
            "linked_order_line_item_id": string_id(item.linked_item_id),
            "date_paid": datetime_text(order.date_paid) if order.date_paid else None,
            "created_at": datetime_text(order.created_at),
            "updated_at": datetime_text(order.updated_at),
        }


class ProfileSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    legal_company_name = serializers.CharField()
    website_url = serializers.CharField()
    team_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, profile: Profile) -> dict[str, Any]:
        return {
            "id": str(profile.pk),
            "name": profile.name,
            "email": profile.email,
            "legal_company_name": profile.legal_company_name,
            "website_url": profile.website_url,
            "team_id": str(profile.team_id),
            "created_at": datetime_text(profile.created_at),
            "updated_at": datetime_text(profile.updated_at),
        }


class OneItemListSerializer(serializers.ListSerializer):
    """A list of one: the object itself (a product's single price)."""

    def to_representation(self, data: Any) -> list[Any]:
        return [self.child.to_representation(data)]  # type: ignore[union-attr]


class PriceSerializer(serializers.Serializer):
    unit_amount = ComputedInteger(
        lambda product, field: money_to_minor_units(product.price),
        help_text="Minor units (cents).",
    )
    currency = ComputedChar(_currency)

    class Meta:
        list_serializer_class = OneItemListSerializer


class ProductSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    code = serializers.CharField()
    active = serializers.BooleanField(source="is_active")
    prices = PriceSerializer(source="*", many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, product: Product) -> dict[str, Any]:
        return {
            "id": str(product.pk),
            "name": product.name,
            "description": product.description,
            "code": product.code,
            "active": product.is_active,
            "prices": [
                {
                    "unit_amount": money_to_minor_units(product.price),
                    "currency": orderly_setting("CURRENCY"),
                }
            ],
            "created_at": datetime_text(product.created_at),
            "updated_at": datetime_text(product.updated_at),
        }


# --- requests ------------------------------------------------------------------------


class MajorUnitsField(serializers.DecimalField):
    """An amount in major units as Presscart clients send it: a JSON number, often a
    float (`0.1 + 0.2` arrives as 0.30000000000000004). Read through its decimal text
    and rounded to cents here, at the edge, so the domain only ever sees exact cents."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=None, decimal_places=None, max_value=MAX_AMOUNT, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        value = super().to_internal_value(data)
        # Bounded before rounding: cents of 1e308 are more digits than a Decimal holds.
        if abs(value) > MAX_AMOUNT:
            self.fail("max_value", max_value=MAX_AMOUNT)
        return quantize_money(value)


class CheckoutLineSerializer(serializers.Serializer):
    product_id = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, default=1)
    is_add_on = serializers.BooleanField(default=False)
    linked_order_line_item_id = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )

    def validate_quantity(self, quantity: int) -> int:
        maximum = quantity_over_limit(quantity)
        if maximum is not None:
            raise serializers.ValidationError(f"Must be at most {maximum}.")
        return quantity


class CheckoutSerializer(serializers.Serializer):
    """Unknown fields (`apply_credits`, ...) are ignored, as the contract says."""

    profile_id = serializers.CharField(max_length=64)
    line_items = CheckoutLineSerializer(many=True, allow_empty=False)
    discount = MajorUnitsField(required=False, allow_null=True, min_value=Decimal(0))

    def validate_line_items(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        maximum = line_count_over_limit(len(lines))
        if maximum is not None:
            raise serializers.ValidationError(f"Must have at most {maximum} line items.")
        return lines


class ProfileOrdersQuerySerializer(serializers.Serializer):
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    paid_orders_only = serializers.BooleanField(required=False, default=False)

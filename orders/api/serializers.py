"""Storefront order shapes, as in salesman's order API."""

import functools
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.urls import get_script_prefix, reverse
from rest_framework import serializers

from kernel.api.fields import absolute_url, datetime_text
from orders.models import Order, OrderItem, OrderNote, OrderPayment, OrderStatus
from orders.selectors import ORDER_SORTS, order_guest_token
from shop.api.fields import MoneyField

_REF_PLACEHOLDER = "0000-ref-placeholder"

# The read shapes below declare every field: that is the documented shape (the OpenAPI
# documents are generated from it). Each also builds its dict directly in
# `to_representation`, with the declared fields' own formatting (`_MONEY`, `datetime_text`):
# DRF's per-field walk (copying every field for each response, then a source lookup and a
# call per field and row) was the largest cost we own in an order list, ~0.2 ms per order
# and ~0.7 ms per response. The OpenAPI conformance tests validate real responses against
# the declared shape, so the two can't drift apart unnoticed.
_MONEY = MoneyField()


class OrderItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product_type = serializers.CharField(read_only=True)
    product_id = serializers.IntegerField(read_only=True)
    product = serializers.JSONField(source="product_data", read_only=True)
    unit_price = MoneyField()
    quantity = serializers.IntegerField(read_only=True)
    subtotal = MoneyField()
    extra_rows = serializers.JSONField(read_only=True)
    total = MoneyField()
    extra = serializers.JSONField(read_only=True)

    def to_representation(self, item: OrderItem) -> dict[str, Any]:
        return {
            "id": item.pk,
            "product_type": item.product_type,
            "product_id": item.product_id,
            "product": item.product_data,
            "unit_price": _MONEY.to_representation(item.unit_price),
            "quantity": item.quantity,
            "subtotal": _MONEY.to_representation(item.subtotal),
            "extra_rows": item.extra_rows,
            "total": _MONEY.to_representation(item.total),
            "extra": item.extra,
        }


class OrderPaymentSerializer(serializers.Serializer):
    amount = MoneyField()
    transaction_id = serializers.CharField(read_only=True)
    payment_method = serializers.CharField(read_only=True)
    date_created = serializers.DateTimeField(source="created_at", read_only=True)

    def to_representation(self, payment: OrderPayment) -> dict[str, Any]:
        return {
            "amount": _MONEY.to_representation(payment.amount),
            "transaction_id": payment.transaction_id,
            "payment_method": payment.payment_method,
            "date_created": datetime_text(payment.created_at),
        }


class OrderNoteSerializer(serializers.Serializer):
    message = serializers.CharField(read_only=True)
    public = serializers.BooleanField(source="is_public", read_only=True)
    date_created = serializers.DateTimeField(source="created_at", read_only=True)

    def to_representation(self, note: OrderNote) -> dict[str, Any]:
        return {
            "message": note.message,
            "public": note.is_public,
            "date_created": datetime_text(note.created_at),
        }


class OrderSerializer(serializers.Serializer):
    """The full order. Expects `orders.selectors.order_detail_queryset` rows."""

    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    ref = serializers.CharField(read_only=True)
    token = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=OrderStatus.choices, read_only=True)
    status_display = serializers.SerializerMethodField()
    date_created = serializers.DateTimeField(source="created_at", read_only=True)
    date_updated = serializers.DateTimeField(source="updated_at", read_only=True)
    is_paid = serializers.BooleanField(read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True, allow_null=True)
    email = serializers.EmailField(read_only=True)
    billing_address = serializers.CharField(read_only=True)
    shipping_address = serializers.CharField(read_only=True)
    subtotal = MoneyField()
    extra_rows = serializers.JSONField(read_only=True)
    total = MoneyField()
    amount_paid = MoneyField()
    amount_outstanding = MoneyField()
    extra = serializers.JSONField(read_only=True)
    items = OrderItemSerializer(source="prefetched_items", many=True, read_only=True)
    payments = OrderPaymentSerializer(source="prefetched_payments", many=True, read_only=True)
    notes = OrderNoteSerializer(source="prefetched_notes", many=True, read_only=True)

    def to_representation(self, order: Order) -> dict[str, Any]:
        return order_representation(
            order,
            url=self.get_url(order),
            token=self.get_token(order),
            notes=[_NOTE.to_representation(note) for note in order.prefetched_notes],
        )

    def get_url(self, order: Order) -> str:
        return self._order_url(order.ref)

    def get_token(self, order: Order) -> str:
        return order_guest_token(order)

    def get_status_display(self, order: Order) -> str:
        return str(OrderStatus(order.status).label)

    @cached_property
    def _order_url(self) -> Callable[[str], str]:
        return order_url_maker(self.context.get("request"))


@functools.cache
def _order_path_template(script_prefix: str) -> str:
    """The order URL's path with a placeholder ref, resolved once per script prefix:
    `reverse()` (resolver, thread locals) cost ~0.1 ms for each order, more than the rest
    of reading a stored order."""
    return reverse("storefront:order-detail", kwargs={"ref": _REF_PLACEHOLDER})


def order_url_maker(request: Any) -> Callable[[str], str]:
    """ref -> the order's absolute URL on the request's host (the path alone without one)."""
    template = absolute_url(request, _order_path_template(get_script_prefix()))
    return lambda ref: template.replace(_REF_PLACEHOLDER, ref)


def order_representation(order: Order, *, url: Any, token: Any, notes: Any) -> dict[str, Any]:
    """The full order's fields, in the declared order, with the three that depend on who
    asks and where (the absolute `url`, the `token`, the `notes` the caller may see) given
    by the caller: `OrderSerializer` passes the values, `orders.api.documents` the slots
    a stored document leaves for them."""
    return {
        "id": order.pk,
        "url": url,
        "ref": order.ref,
        "token": token,
        "status": order.status,
        # Not `source="get_status_display"`: DRF inspects a callable source's signature
        # on every row, which cost more than the rest of the field.
        "status_display": str(OrderStatus(order.status).label),
        "date_created": datetime_text(order.created_at),
        "date_updated": datetime_text(order.updated_at),
        "is_paid": order.is_paid,
        "user": order.user_id,
        "email": order.email,
        "billing_address": order.billing_address,
        "shipping_address": order.shipping_address,
        "subtotal": _MONEY.to_representation(order.subtotal),
        "extra_rows": order.extra_rows,
        "total": _MONEY.to_representation(order.total),
        "amount_paid": _MONEY.to_representation(order.amount_paid),
        "amount_outstanding": _MONEY.to_representation(order.amount_outstanding),
        "extra": order.extra,
        "items": [_ITEM.to_representation(item) for item in order.prefetched_items],
        "payments": [_PAYMENT.to_representation(p) for p in order.prefetched_payments],
        "notes": notes,
    }


def note_representation(note: OrderNote) -> dict[str, Any]:
    return _NOTE.to_representation(note)


# Stateless, so one instance of each serves every order.
_ITEM = OrderItemSerializer()
_PAYMENT = OrderPaymentSerializer()
_NOTE = OrderNoteSerializer()


class StatusTransitionSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a wire name
    error = serializers.CharField(allow_null=True)


class OrderStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_display = serializers.CharField()
    status_transitions = StatusTransitionSerializer(many=True, required=False)


class OrderStatusUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)


class OrderListFilterSerializer(serializers.Serializer):
    """Query parameters of the staff order list (`/api/orders/all/`)."""

    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    is_paid = serializers.BooleanField(required=False, allow_null=True, default=None)
    date_from = serializers.DateField(required=False, source="created_from")
    date_to = serializers.DateField(required=False, source="created_to")
    email = serializers.CharField(max_length=254, required=False)
    search = serializers.CharField(max_length=100, required=False)
    ordering = serializers.ChoiceField(choices=list(ORDER_SORTS), default="-created_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("created_from"), attrs.get("created_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs

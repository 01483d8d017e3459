"""Storefront order shapes, as in salesman's order API."""

from functools import cached_property
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from orders.models import Order, OrderStatus
from orders.selectors import ORDER_SORTS
from shop.api.fields import MoneyField, absolute_url

_REF_PLACEHOLDER = "0000-ref-placeholder"

# The read shapes below are plain serializers with every field spelled out, not
# ModelSerializers: those introspect the model to build their fields again for every
# response (measured ~0.5 ms a request by the bench), and every field here is read-only.


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


class OrderPaymentSerializer(serializers.Serializer):
    amount = MoneyField()
    transaction_id = serializers.CharField(read_only=True)
    payment_method = serializers.CharField(read_only=True)
    date_created = serializers.DateTimeField(source="created_at", read_only=True)


class OrderNoteSerializer(serializers.Serializer):
    message = serializers.CharField(read_only=True)
    public = serializers.BooleanField(source="is_public", read_only=True)
    date_created = serializers.DateTimeField(source="created_at", read_only=True)


class OrderSerializer(serializers.Serializer):
    """The full order. Expects `orders.selectors.order_detail_queryset` rows."""

    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    ref = serializers.CharField(read_only=True)
    token = serializers.CharField(read_only=True)
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

    def get_url(self, order: Order) -> str:
        return self._url_template.replace(_REF_PLACEHOLDER, order.ref)

    def get_status_display(self, order: Order) -> str:
        # Not `source="get_status_display"`: DRF inspects a callable source's signature
        # on every row, which cost more than the rest of the field.
        return str(OrderStatus(order.status).label)

    @cached_property
    def _url_template(self) -> str:
        """The order URL with a placeholder ref, resolved once per response: `reverse()`
        (resolver, script prefix, thread locals) cost ~0.3 ms for each order of a list."""
        path = reverse("storefront:order-detail", kwargs={"ref": _REF_PLACEHOLDER})
        return absolute_url(self.context.get("request"), path)


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

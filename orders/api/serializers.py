"""Storefront order shapes, as in salesman's order API."""

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from orders.models import Order, OrderItem, OrderNote, OrderPayment, OrderStatus
from orders.selectors import ORDER_SORTS
from shop.api.fields import MoneyField, absolute_url


class OrderItemSerializer(serializers.ModelSerializer):
    product = serializers.JSONField(source="product_data", read_only=True)
    unit_price = MoneyField()
    subtotal = MoneyField()
    total = MoneyField()

    class Meta:
        model = OrderItem
        fields = [
            "id",
            "product_type",
            "product_id",
            "product",
            "unit_price",
            "quantity",
            "subtotal",
            "extra_rows",
            "total",
            "extra",
        ]
        read_only_fields = fields


class OrderPaymentSerializer(serializers.ModelSerializer):
    amount = MoneyField()
    date_created = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = OrderPayment
        fields = ["amount", "transaction_id", "payment_method", "date_created"]
        read_only_fields = fields


class OrderNoteSerializer(serializers.ModelSerializer):
    date_created = serializers.DateTimeField(source="created_at", read_only=True)
    public = serializers.BooleanField(source="is_public", read_only=True)

    class Meta:
        model = OrderNote
        fields = ["message", "public", "date_created"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    """The full order. Expects `orders.selectors.order_detail_queryset` rows."""

    url = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    date_created = serializers.DateTimeField(source="created_at", read_only=True)
    date_updated = serializers.DateTimeField(source="updated_at", read_only=True)
    is_paid = serializers.BooleanField(read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True, allow_null=True)
    subtotal = MoneyField()
    total = MoneyField()
    amount_paid = MoneyField()
    amount_outstanding = MoneyField()
    items = OrderItemSerializer(many=True, read_only=True)
    payments = OrderPaymentSerializer(many=True, read_only=True)
    notes = OrderNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "url",
            "ref",
            "token",
            "status",
            "status_display",
            "date_created",
            "date_updated",
            "is_paid",
            "user",
            "email",
            "billing_address",
            "shipping_address",
            "subtotal",
            "extra_rows",
            "total",
            "amount_paid",
            "amount_outstanding",
            "extra",
            "items",
            "payments",
            "notes",
        ]
        read_only_fields = fields

    def get_url(self, order: Order) -> str:
        path = reverse("storefront:order-detail", kwargs={"ref": order.ref})
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

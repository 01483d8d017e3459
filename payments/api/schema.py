"""OpenAPI description of checkout, paying and refunding."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from kernel.api.openapi import IDEMPOTENCY_KEY
from orders.api.serializers import OrderPaymentSerializer
from payments.api import storefront as views
from shop.api.openapi import (
    BAD_REQUEST,
    FORBIDDEN,
    GUEST_OR_SESSION,
    IDEMPOTENCY_CONFLICT,
    IDEMPOTENCY_REUSED,
    LOCATION,
    NOT_FOUND,
    PAYMENT_REFUSED,
    REDIRECT,
    TOKEN,
)

CHECKOUT, ORDERS = ["checkout"], ["orders"]


class PaymentMethodChoiceSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a wire name
    error = serializers.CharField(
        allow_null=True, help_text="Why it can't be used now; null when it can."
    )


class PaymentMethodsSerializer(serializers.Serializer):
    payment_methods = PaymentMethodChoiceSerializer(many=True)


class RefundOutcomeSerializer(serializers.Serializer):
    refunded = OrderPaymentSerializer(many=True)
    failed = OrderPaymentSerializer(many=True)


MONEY_ERRORS = {
    400: BAD_REQUEST,
    402: PAYMENT_REFUSED,
    409: IDEMPOTENCY_CONFLICT,
    422: IDEMPOTENCY_REUSED,
}

extend_schema_view(
    get=extend_schema(
        operation_id="checkout_payment_methods",
        tags=CHECKOUT,
        responses={200: PaymentMethodsSerializer},
        description="The payment methods offered for the caller's basket.",
    ),
    post=extend_schema(
        operation_id="checkout",
        tags=CHECKOUT,
        request=views.CheckoutSerializer,
        parameters=[IDEMPOTENCY_KEY, LOCATION],
        responses={201: REDIRECT, **MONEY_ERRORS},
        description="Turn the basket into an order and start its payment; answers where "
        "to send the buyer next. Nothing is created when anything refuses.",
    ),
)(views.CheckoutView)
extend_schema_view(
    get=extend_schema(
        operation_id="orders_payment_methods",
        tags=ORDERS,
        parameters=[TOKEN],
        responses={200: PaymentMethodsSerializer, 404: NOT_FOUND},
        auth=GUEST_OR_SESSION,
    ),
    post=extend_schema(
        operation_id="orders_pay",
        tags=ORDERS,
        request=views.OrderPaySerializer,
        parameters=[TOKEN, IDEMPOTENCY_KEY, LOCATION],
        responses={200: REDIRECT, 404: NOT_FOUND, **MONEY_ERRORS},
        auth=GUEST_OR_SESSION,
    ),
)(views.OrderPayView)
extend_schema_view(
    post=extend_schema(
        operation_id="orders_refund",
        tags=ORDERS,
        request=views.OrderRefundSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: RefundOutcomeSerializer,
            206: RefundOutcomeSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
            **MONEY_ERRORS,
        },
        description="Refund every payment (or `amount` of them); 206 when some failed.",
    ),
)(views.OrderRefundView)

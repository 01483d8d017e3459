"""Storefront views where money moves: checkout, paying an order, refunding it."""

from decimal import Decimal
from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.serializers import OrderPaymentSerializer
from orders.api.storefront import order_for_request
from payments import selectors, services
from payments.methods import PaymentContext
from shop.api.fields import ExtraField, StrictCharField
from shop.api.storefront import request_basket
from shop.selectors import basket_priced


class CheckoutSerializer(serializers.Serializer):
    """Every invalid field is reported in one 400, as salesman does; an unknown or
    unusable payment method, or an empty basket, under `payment_method`. `extra` is
    merged into the basket's `extra` (a null value removes that key) and the order keeps
    the result."""

    email = serializers.EmailField(max_length=254)
    shipping_address = StrictCharField(max_length=2000)
    billing_address = StrictCharField(max_length=2000)
    payment_method = StrictCharField(max_length=64)
    extra = ExtraField(required=False, default=dict)

    def validate_payment_method(self, value: str) -> str:
        request = self.context["request"]
        if selectors.payment_method_offered(value, actor=request.user, paying="baskets") is None:
            raise serializers.ValidationError(selectors.invalid_choice_message(value))
        return value

    def to_internal_value(self, data: Any) -> Any:
        # Whether the method can pay this basket (an empty basket, a method's own rule)
        # is checked by the checkout itself, with the basket locked and priced once. Only
        # when another field is wrong, and no checkout follows, is the basket priced here,
        # so that its answer comes in the same 400 as the others.
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = exc.detail
            if not isinstance(errors, dict) or "payment_method" in errors:
                raise
            method_error = self._basket_error(data)
            if method_error is None:
                raise
            reported: dict[str, Any] = {**errors, "payment_method": [method_error]}
            in_field_order = {
                name: reported[name] for name, _ in self.fields.items() if name in reported
            }
            raise serializers.ValidationError({**in_field_order, **reported}) from exc

    def _basket_error(self, data: Any) -> str | None:
        identifier = data.get("payment_method") if isinstance(data, dict) else None
        if not isinstance(identifier, str):
            return None
        request = self.context["request"]
        return selectors.checkout_payment_method_error(
            identifier,
            basket=basket_priced(self.context["basket"], user=request.user),
            context=PaymentContext(actor=request.user, base_url=base_url(request)),
        )


class OrderPaySerializer(serializers.Serializer):
    payment_method = StrictCharField(max_length=64)


class OrderRefundSerializer(serializers.Serializer):
    """Beyond salesman: an optional `amount` refunds only that much (default: everything)."""

    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
    )


def base_url(request: Request) -> str:
    return request.build_absolute_uri("/")


def redirect_response(url: str, status_code: int) -> Response:
    """`{"url": ...}` plus a Location header: where the frontend sends the buyer next."""
    return Response({"url": url}, status=status_code, headers={"Location": url})


@method_decorator(never_cache, name="dispatch")
class CheckoutView(APIView):
    def get(self, request: Request) -> Response:
        priced = basket_priced(request_basket(request), user=request.user)
        methods = selectors.payment_method_choices_for_basket(
            priced, actor=request.user, base_url=base_url(request)
        )
        return Response({"payment_methods": methods})

    def post(self, request: Request) -> Response:
        basket = request_basket(request)
        serializer = CheckoutSerializer(
            data=request.data, context={"request": request, "basket": basket}
        )
        serializer.is_valid(raise_exception=True)
        result = services.checkout_basket(
            basket=basket,
            actor=request.user,
            base_url=base_url(request),
            **serializer.validated_data,
        )
        return redirect_response(result.url, status.HTTP_201_CREATED)


@method_decorator(never_cache, name="dispatch")
class OrderPayView(APIView):
    def get(self, request: Request, ref: str) -> Response:
        # Without items, payments and notes: a method that needs a figure of them asks.
        order = order_for_request(request, ref)
        methods = selectors.payment_method_choices_for_order(
            order, actor=request.user, base_url=base_url(request)
        )
        return Response({"payment_methods": methods})

    def post(self, request: Request, ref: str) -> Response:
        order = order_for_request(request, ref)
        serializer = OrderPaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        url = services.order_pay(
            order=order,
            actor=request.user,
            payment_method=serializer.validated_data["payment_method"],
            base_url=base_url(request),
        )
        return redirect_response(url, status.HTTP_200_OK)


class OrderRefundView(APIView):
    permission_classes = [IsAdminUser]

    def post(self, request: Request, ref: str) -> Response:
        order = order_for_request(request, ref)
        serializer = OrderRefundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.order_refund(
            order=order,
            actor=request.user,
            base_url=base_url(request),
            amount=serializer.validated_data.get("amount"),
        )
        data = {
            "refunded": OrderPaymentSerializer(outcome.refunded, many=True).data,
            "failed": OrderPaymentSerializer(outcome.failed, many=True).data,
        }
        code = status.HTTP_206_PARTIAL_CONTENT if outcome.failed else status.HTTP_200_OK
        return Response(data, status=code)

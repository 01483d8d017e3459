"""OpenAPI description of the storefront's order views."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from kernel.api.openapi import IDEMPOTENCY_KEY
from orders.api import storefront as views
from orders.api.serializers import (
    OrderListFilterSerializer,
    OrderSerializer,
    OrderStatusSerializer,
    OrderStatusUpdateSerializer,
)
from shop.api.openapi import (
    BAD_REQUEST,
    FORBIDDEN,
    GUEST_OR_SESSION,
    IDEMPOTENCY_CONFLICT,
    IDEMPOTENCY_REUSED,
    INVALID_PAGE,
    NOT_FOUND,
    PAGE_HEADERS,
    PAGE_PARAMETERS,
    TOKEN,
)

ORDERS = ["orders"]


class StatusChangedSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_display = serializers.CharField()


extend_schema_view(
    get=extend_schema(
        operation_id="orders_list",
        tags=ORDERS,
        parameters=[*PAGE_PARAMETERS, TOKEN, *PAGE_HEADERS],
        responses={200: OrderSerializer(many=True), 404: INVALID_PAGE},
        auth=GUEST_OR_SESSION,
        description="The logged-in customer's orders (and their teams'), newest first; "
        "a visitor's order by ?token=.",
    )
)(views.OrderListView)
extend_schema_view(
    get=extend_schema(
        operation_id="orders_all",
        tags=ORDERS,
        parameters=[OrderListFilterSerializer, *PAGE_PARAMETERS, *PAGE_HEADERS],
        responses={
            200: OrderSerializer(many=True),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: INVALID_PAGE,
        },
        description="Every order, for staff: filter, search and sort.",
    )
)(views.OrderAllView)
extend_schema_view(
    get=extend_schema(
        operation_id="orders_last",
        tags=ORDERS,
        parameters=[TOKEN],
        responses={200: OrderSerializer, 404: NOT_FOUND},
        auth=GUEST_OR_SESSION,
    )
)(views.OrderLastView)
extend_schema_view(
    get=extend_schema(
        operation_id="orders_get",
        tags=ORDERS,
        parameters=[TOKEN],
        responses={200: OrderSerializer, 404: NOT_FOUND},
        auth=GUEST_OR_SESSION,
    )
)(views.OrderDetailView)
extend_schema_view(
    get=extend_schema(
        operation_id="orders_status_get",
        tags=ORDERS,
        responses={200: OrderStatusSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        description="The status and, for every status, whether the machine allows the move.",
    ),
    put=extend_schema(
        operation_id="orders_status_update",
        tags=ORDERS,
        request=OrderStatusUpdateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: StatusChangedSerializer,
            400: OpenApiResponse(BAD_REQUEST.response, description="The machine refuses."),
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: IDEMPOTENCY_CONFLICT,
            422: IDEMPOTENCY_REUSED,
        },
    ),
)(views.OrderStatusView)

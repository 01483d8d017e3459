"""OpenAPI description of `/v1/`.

The response shapes are declared once, in `integration.api.serializers` (their fields are
what this document shows); this module adds the operations, errors and pages around them.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers

from integration.api import v1 as views
from integration.api.pagination import MAX_PAGE
from integration.api.serializers import (
    MAX_AMOUNT,
    CheckoutSerializer,
    MajorUnitsField,
    OrderItemRecordSerializer,
    OrderSerializer,
    ProductSerializer,
    ProfileOrdersQuerySerializer,
    ProfileSerializer,
)
from integration.selectors import (
    LISTING_SORTS,
    ORDER_ITEM_SORTS,
    ORDER_SORTS,
    PROFILE_SORTS,
)
from kernel.api.openapi import IDEMPOTENCY_KEY


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integration.api.auth.ApiTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A team's API token (oly_…), from `manage.py apitoken create`.",
        }


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class PathSegmentField(serializers.Field):
    pass


# What Presscart clients send: a JSON number in major units (a decimal string works too).
extend_schema_field({"type": "number", "minimum": 0, "maximum": float(MAX_AMOUNT)})(MajorUnitsField)


class IssueSerializer(serializers.Serializer):
    path = serializers.ListField(child=PathSegmentField())
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="ValidationError, UnauthorizedError, …")
    message = serializers.CharField()
    issues = IssueSerializer(many=True, required=False)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    401: _error("Missing, malformed, expired or revoked token."),
    403: _error("The token lacks the scope (named in the message)."),
    429: _error("Over the token's rate limit; see Retry-After."),
}
NOT_FOUND = {404: _error("Not found, or another team's (indistinguishable).")}
INVALID = {400: _error("Invalid parameters or body: see issues.")}


class WhoAmISerializer(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]  # a wire name
    team_id = serializers.CharField()
    token_type = serializers.ChoiceField(choices=["full_access", "custom", "read_only"])
    scopes = serializers.ListField(child=serializers.CharField())
    name = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


_PAGES: dict[str, type[serializers.Serializer]] = {}


def _page_of(record: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """Presscart's envelope around `record`; one class per name, as components need."""
    if name in _PAGES:
        return _PAGES[name]
    _PAGES[name] = type(
        name,
        (serializers.Serializer,),
        {
            "records": record(many=True),
            "total_records": serializers.IntegerField(),
            "total_pages": serializers.IntegerField(),
            "current_page": serializers.IntegerField(),
            "next_page": serializers.IntegerField(allow_null=True),
            "previous_page": serializers.IntegerField(allow_null=True),
        },
    )
    return _PAGES[name]


def _page_parameters(sorts: dict[str, str]) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1},
            description="Default 25; above 100 is capped.",
        ),
        OpenApiParameter(
            "page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, description="1-based."
        ),
        OpenApiParameter("sort_by", OpenApiTypes.STR, enum=sorted(sorts)),
        OpenApiParameter("order_by", OpenApiTypes.STR, enum=["asc", "desc"]),
    ]


def _list(operation_id: str, record: type, name: str, sorts: dict[str, str], **more: Any) -> Any:
    return extend_schema(
        operation_id=operation_id,
        parameters=[*_page_parameters(sorts), *more.pop("parameters", [])],
        responses={200: _page_of(record, name), **INVALID, **ERRORS, **more.pop("errors", {})},
        **more,
    )


extend_schema_view(
    get=extend_schema(operation_id="auth_token", responses={200: WhoAmISerializer, **ERRORS})
)(views.WhoAmIView)
extend_schema_view(get=_list("orders_list", OrderSerializer, "OrderPage", ORDER_SORTS))(
    views.OrderListView
)
extend_schema_view(
    get=extend_schema(
        operation_id="orders_get", responses={200: OrderSerializer, **ERRORS, **NOT_FOUND}
    )
)(views.OrderDetailView)
extend_schema_view(
    post=extend_schema(
        operation_id="orders_checkout",
        request=CheckoutSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OrderSerializer,
            **INVALID,
            **ERRORS,
            **NOT_FOUND,
            409: _error("A request with this Idempotency-Key is still running."),
            422: _error("This Idempotency-Key was used for a different request."),
        },
        description="Create an order for one of the team's profiles, priced from the "
        "catalogue; unpaid orders carry a checkout_link.",
    )
)(views.CheckoutView)
extend_schema_view(
    get=_list("order_items_list", OrderItemRecordSerializer, "OrderItemPage", ORDER_ITEM_SORTS)
)(views.OrderItemListView)
extend_schema_view(
    get=_list(
        "teams_profiles_list", ProfileSerializer, "ProfilePage", PROFILE_SORTS, errors=NOT_FOUND
    )
)(views.TeamProfileListView)
extend_schema_view(
    get=_list(
        "profiles_orders_list",
        OrderSerializer,
        "OrderPage",
        ORDER_SORTS,
        parameters=[ProfileOrdersQuerySerializer],
        errors=NOT_FOUND,
    )
)(views.ProfileOrderListView)
extend_schema_view(
    get=extend_schema(
        operation_id="products_get", responses={200: ProductSerializer, **ERRORS, **NOT_FOUND}
    )
)(views.ProductDetailView)
extend_schema_view(get=_list("products_listings", ProductSerializer, "ProductPage", LISTING_SORTS))(
    views.ProductListingView
)

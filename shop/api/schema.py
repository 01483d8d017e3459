"""OpenAPI description of the catalogue, basket and account views."""

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

from shop.api import storefront as views
from shop.api.openapi import (
    BAD_REQUEST,
    BASKET_FLAG,
    DETAIL_ERROR,
    FORBIDDEN,
    INVALID_PAGE,
    LOCATION,
    NOT_FOUND,
    PAGE_HEADERS,
    PAGE_PARAMETERS,
    TOO_MANY_ATTEMPTS,
)
from shop.api.serializers import (
    BasketExtraSerializer,
    BasketItemCreateSerializer,
    BasketItemSerializer,
    BasketItemUpdateSerializer,
    BasketSerializer,
    LoginSerializer,
    ProductSerializer,
    RegisterSerializer,
    UserSerializer,
)

ACCOUNTS, CATALOGUE, BASKET = ["accounts"], ["catalogue"], ["basket"]
EXTRA = inline_serializer("BasketExtra", {"extra": serializers.DictField()})
BASKET_OR_ITEM = {200: BasketSerializer, 404: NOT_FOUND, 400: BAD_REQUEST}


def _or_basket(component: str, what: str) -> OpenApiResponse:
    """A write's 200 under `?basket`: the whole basket instead of `what`."""
    schema = {
        "anyOf": [
            {"$ref": f"#/components/schemas/{component}"},
            {"$ref": "#/components/schemas/Basket"},
        ]
    }
    return OpenApiResponse(schema, description=f"{what}, or with ?basket the whole basket.")


ITEM_OR_BASKET = _or_basket("BasketItem", "The item")
EXTRA_OR_BASKET = _or_basket("BasketExtra", "The basket's extra")

extend_schema_view(
    post=extend_schema(
        operation_id="auth_register",
        tags=ACCOUNTS,
        request=RegisterSerializer,
        responses={201: UserSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 429: TOO_MANY_ATTEMPTS},
        description="Create a customer account and log in (needs the CSRF token).",
    )
)(views.RegisterView)
extend_schema_view(
    post=extend_schema(
        operation_id="auth_login",
        tags=ACCOUNTS,
        request=LoginSerializer,
        responses={200: UserSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 429: TOO_MANY_ATTEMPTS},
        description="Log in with email and password; sets the session cookie.",
    )
)(views.LoginView)
extend_schema_view(
    post=extend_schema(
        operation_id="auth_logout", tags=ACCOUNTS, request=None, responses={204: None}
    )
)(views.LogoutView)
extend_schema_view(
    get=extend_schema(
        operation_id="auth_me",
        tags=ACCOUNTS,
        responses={200: UserSerializer, 401: DETAIL_ERROR},
        description="The logged-in user, or 401 for a visitor.",
    )
)(views.MeView)

extend_schema_view(
    get=extend_schema(
        operation_id="products_list",
        tags=CATALOGUE,
        responses={200: ProductSerializer(many=True), 404: INVALID_PAGE},
        parameters=[*PAGE_PARAMETERS, *PAGE_HEADERS],
    )
)(views.ProductListView)
extend_schema_view(
    get=extend_schema(
        operation_id="products_get",
        tags=CATALOGUE,
        responses={200: ProductSerializer, 404: NOT_FOUND},
    )
)(views.ProductDetailView)

extend_schema_view(
    get=extend_schema(operation_id="basket_get", tags=BASKET, responses={200: BasketSerializer}),
    post=extend_schema(
        operation_id="basket_add_item",
        tags=BASKET,
        request=BasketItemCreateSerializer,
        parameters=[BASKET_FLAG, LOCATION],
        responses={201: BasketItemSerializer, 200: BasketSerializer, 400: BAD_REQUEST},
        description="Add a product; the same product (same ref) raises the quantity.",
    ),
    delete=extend_schema(
        operation_id="basket_delete",
        tags=BASKET,
        parameters=[BASKET_FLAG],
        responses={204: None, 200: BasketSerializer},
    ),
)(views.BasketView)
extend_schema_view(
    get=extend_schema(
        operation_id="basket_count",
        tags=BASKET,
        responses={200: inline_serializer("BasketCount", {"count": serializers.IntegerField()})},
    )
)(views.BasketCountView)
extend_schema_view(
    get=extend_schema(
        operation_id="basket_quantity",
        tags=BASKET,
        responses={
            200: inline_serializer("BasketQuantity", {"quantity": serializers.IntegerField()})
        },
    )
)(views.BasketQuantityView)
extend_schema_view(
    post=extend_schema(
        operation_id="basket_clear", tags=BASKET, request=None, responses={200: BasketSerializer}
    )
)(views.BasketClearView)
extend_schema_view(
    get=extend_schema(operation_id="basket_extra_get", tags=BASKET, responses={200: EXTRA}),
    put=extend_schema(
        operation_id="basket_extra_update",
        tags=BASKET,
        request=BasketExtraSerializer,
        parameters=[BASKET_FLAG],
        responses={200: EXTRA_OR_BASKET, 400: BAD_REQUEST},
        description="Merge keys into the basket's extra; a null value removes that key.",
    ),
    patch=extend_schema(
        operation_id="basket_extra_patch",
        tags=BASKET,
        request=BasketExtraSerializer,
        parameters=[BASKET_FLAG],
        responses={200: EXTRA_OR_BASKET, 400: BAD_REQUEST},
    ),
)(views.BasketExtraView)
extend_schema_view(
    get=extend_schema(
        operation_id="basket_item_get",
        tags=BASKET,
        responses={200: BasketItemSerializer, 404: NOT_FOUND},
    ),
    put=extend_schema(
        operation_id="basket_item_update",
        tags=BASKET,
        request=BasketItemUpdateSerializer,
        parameters=[BASKET_FLAG],
        responses={**BASKET_OR_ITEM, 200: ITEM_OR_BASKET},
    ),
    patch=extend_schema(
        operation_id="basket_item_patch",
        tags=BASKET,
        request=BasketItemUpdateSerializer,
        parameters=[BASKET_FLAG],
        responses={**BASKET_OR_ITEM, 200: ITEM_OR_BASKET},
    ),
    delete=extend_schema(
        operation_id="basket_item_remove",
        tags=BASKET,
        parameters=[BASKET_FLAG],
        responses={204: None, 200: BasketSerializer, 404: NOT_FOUND},
    ),
)(views.BasketItemView)

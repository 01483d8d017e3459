"""The integration API (`/v1/`): a team's software places and reads its orders.

Every view authenticates a bearer API token, checks the scope it needs, and reads only
the token's team's objects; another team's object is a 404, never a 403.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from integration import selectors, services
from integration.api import documents as order_documents
from integration.api.auth import ApiTokenAuthentication, HasScope, request_token
from integration.api.errors import error_body, integration_exception_handler
from integration.api.pagination import page_request, paginate
from integration.api.serializers import (
    CheckoutSerializer,
    OrderItemRecordSerializer,
    ProductSerializer,
    ProfileOrdersQuerySerializer,
    ProfileSerializer,
    parse_id,
)
from integration.models import Scope
from kernel.api.parsers import CheckedJSONParser
from kernel.api.renderers import JSONRenderer, RenderedJSON
from kernel.exceptions import ObjectNotFound
from orders.documents import order_documents_in_order
from orders.exceptions import OrderNotFound
from orders.models import Order
from shop.exceptions import ProductNotFound
from shop.selectors import product_get, product_list


class IntegrationView(APIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasScope]
    parser_classes = [CheckedJSONParser]
    renderer_classes = [JSONRenderer]
    required_scope: str = ""

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return integration_exception_handler


def id_or_404(value: str, not_found: Callable[[], Exception]) -> int:
    pk = parse_id(value)
    if pk is None:
        raise not_found()
    return pk


def paginated(
    request: Request,
    queryset: QuerySet,
    serializer: type[BaseSerializer],
    *,
    sorts: dict[str, str],
    default_sort: str = "created_at",
    total: int | None = None,
) -> Response:
    """A page of `queryset` in Presscart's envelope; `total`, when known, saves counting."""
    page_query = page_request(
        request.query_params.dict(), sort_fields=sorts, default_sort=default_sort
    )
    page = paginate(queryset, page_query, total=total)
    data = serializer(page.records, many=True, context={"request": request}).data
    return Response(page.envelope(page_query, data))


def paginated_orders(
    request: Request, orders: QuerySet[Order], *, total: int | None = None
) -> Response:
    """A page of orders in Presscart's envelope, from their stored documents
    (`integration.api.documents`)."""
    page_query = page_request(
        request.query_params.dict(), sort_fields=selectors.ORDER_SORTS, default_sort="created_at"
    )
    page = paginate(
        orders,
        page_query,
        total=total,
        load=lambda _, ids: order_documents_in_order(ids, order_documents.COLUMNS),
    )
    return Response(order_documents.integration_page_json(page, page_query, request))


def order_response(request: Request, order_id: int, **kwargs: Any) -> Response:
    """The team's order from its stored document (`integration.api.documents`), or 404."""
    stored = selectors.team_order_document(
        team=request_token(request).team, order_id=order_id, columns=order_documents.COLUMNS
    )
    body = order_documents.integration_order_json(stored, request)
    return Response(RenderedJSON(body), **kwargs)


class WhoAmIView(IntegrationView):
    def get_permissions(self) -> list[Any]:
        return []  # any valid token may ask who it is

    def get(self, request: Request) -> Response:
        if request.auth is None:
            self.permission_denied(request)
        token = request_token(request)
        return Response(
            {
                "source": "api_token",
                "team_id": str(token.team_id),
                "token_type": token.token_type,
                "scopes": token.granted_scopes,
                "name": token.name,
                "expires_at": token.expires_at,
            }
        )


class OrderListView(IntegrationView):
    required_scope = Scope.ORDERS_LISTS

    def get(self, request: Request) -> Response:
        team = request_token(request).team
        orders = selectors.team_order_rows(team)
        total = selectors.team_order_count(team)
        return paginated_orders(request, orders, total=total)


class OrderDetailView(IntegrationView):
    required_scope = Scope.ORDERS_READ

    def get(self, request: Request, order_id: str) -> Response:
        return order_response(request, id_or_404(order_id, OrderNotFound))


def _profile_not_found() -> Exception:
    return ObjectNotFound("Profile not found.")


def _product_not_found() -> Exception:
    return ProductNotFound("Product not found.")


class CheckoutView(IntegrationView):
    required_scope = Scope.ORDERS_CREATE

    def post(self, request: Request) -> Response:
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = request_token(request).team
        lines = [
            services.CheckoutLine(
                product_id=id_or_404(line["product_id"], _product_not_found),
                quantity=line["quantity"],
                is_add_on=line["is_add_on"],
                linked_order_line_item_id=(
                    id_or_404(line["linked_order_line_item_id"], OrderNotFound)
                    if line.get("linked_order_line_item_id")
                    else None
                ),
            )
            for line in data["line_items"]
        ]
        order = services.integration_checkout(
            team=team,
            profile_id=id_or_404(data["profile_id"], _profile_not_found),
            lines=lines,
            discount=data.get("discount") or Decimal(0),
        )
        return order_response(request, order.pk, status=status.HTTP_201_CREATED)


class OrderItemListView(IntegrationView):
    required_scope = Scope.ORDERS_LISTS

    def get(self, request: Request) -> Response:
        items = selectors.team_order_items(request_token(request).team)
        return paginated(
            request, items, OrderItemRecordSerializer, sorts=selectors.ORDER_ITEM_SORTS
        )


class TeamProfileListView(IntegrationView):
    required_scope = Scope.PROFILES_LISTS

    def get(self, request: Request, team_id: str) -> Response:
        team = request_token(request).team
        if parse_id(team_id) != team.pk:
            raise ObjectNotFound("Team not found.")
        profiles = selectors.team_profiles(team)
        return paginated(request, profiles, ProfileSerializer, sorts=selectors.PROFILE_SORTS)


class ProfileOrderListView(IntegrationView):
    required_scope = Scope.ORDERS_LISTS

    def get(self, request: Request, profile_id: str) -> Response:
        query = ProfileOrdersQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        orders = selectors.profile_orders(
            team=request_token(request).team,
            profile_id=id_or_404(profile_id, _profile_not_found),
            start_date=query.validated_data.get("start_date"),
            end_date=query.validated_data.get("end_date"),
            paid_only=query.validated_data["paid_orders_only"],
        )
        return paginated_orders(request, orders)


class ProductDetailView(IntegrationView):
    required_scope = Scope.PRODUCTS_READ

    def get(self, request: Request, product_id: str) -> Response:
        try:
            product = product_get(product_id=id_or_404(product_id, _product_not_found))
        except ProductNotFound:
            raise _product_not_found() from None
        return Response(ProductSerializer(product).data)


class ProductListingView(IntegrationView):
    required_scope = Scope.PRODUCTS_READ

    def get(self, request: Request) -> Response:
        return paginated(request, product_list(), ProductSerializer, sorts=selectors.LISTING_SORTS)


@csrf_exempt
def unknown_path(request: HttpRequest, path: str) -> JsonResponse:
    """Presscart paths we don't serve (outlets, campaigns, ...) answer in the error
    envelope too, not with Django's HTML page, so clients read a `NotFoundError`."""
    return JsonResponse(error_body(404, "Not found."), status=404)

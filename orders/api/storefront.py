"""Storefront order views: a customer's orders, a guest's order by token, staff lists and
the status machine (`/api/orders/...`). Paying and refunding live in `payments.api`."""

import functools

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework import status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.renderers import RenderedJSON, json_text
from orders import documents, selectors, services
from orders.api.documents import COLUMNS, storefront_order_json, storefront_orders_json
from orders.api.serializers import (
    OrderListFilterSerializer,
    OrderStatusSerializer,
    OrderStatusUpdateSerializer,
    order_url_maker,
)
from orders.exceptions import OrderNotFound
from orders.models import Order
from shop.api.pagination import LinkHeaderPagination


def request_token(request: Request) -> str | None:
    """The guest order token from `?token=`, if any (bounded: tokens are 43 characters)."""
    token = request.query_params.get("token")
    return token[:128] if token else None


def order_for_request(request: Request, ref: str) -> Order:
    """The order `ref` if this caller may see it; otherwise `OrderNotFound` (404)."""
    return selectors.order_get(
        ref=ref[:32],
        caller=request.user,
        token=request_token(request),
    )


def order_response(
    request: Request, stored: documents.StoredOrder | None, token: str | None = None
) -> Response:
    """The order from its stored document (`orders.api.documents`), or 404. `token`: the
    order's own token, when the order was found by it."""
    if stored is None:
        raise OrderNotFound()
    body = storefront_order_json(
        stored, order_url=order_url_maker(request), staff=request.user.is_staff, token=token
    )
    return Response(RenderedJSON(body))


@functools.cache
def status_document(status_: str) -> str:
    """The status view's body for an order in `status_`, rendered once per status: the
    machine's transitions have no conditions, so its verdicts depend on the status alone."""
    transitions = Order._meta.get_field("status").get_all_transitions(Order)
    if any(transition.conditions for transition in transitions):
        raise ImproperlyConfigured("A conditional status transition needs a status view per order.")
    order = Order(status=status_)
    data = {
        "status": order.status,
        "status_display": order.get_status_display(),
        "status_transitions": selectors.order_status_transitions(order),
    }
    return json_text(OrderStatusSerializer(data).data)


@method_decorator(never_cache, name="dispatch")
class OrderAPIView(APIView):
    """Order views are personal: never cached by a browser or proxy."""


class OrderListView(OrderAPIView):
    def get(self, request: Request) -> Response:
        orders = selectors.order_list_for_caller(caller=request.user, token=request_token(request))
        return paginated_orders(request, self, orders)


class OrderAllView(OrderAPIView):
    permission_classes = [IsAdminUser]

    def get(self, request: Request) -> Response:
        filters = OrderListFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        order_filters = selectors.OrderFilters(**filters.validated_data)
        orders = selectors.order_list_all(filters=order_filters)
        count = selectors.order_count_all(filters=order_filters)
        return paginated_orders(request, self, orders, count=count)


def paginated_orders(
    request: Request, view: APIView, orders: QuerySet[Order], *, count: int | None = None
) -> Response:
    """A page of full orders, from their stored documents; `count`, when known, saves
    counting the rows."""
    paginator = LinkHeaderPagination()
    page = paginator.paginate_queryset(
        orders,
        request,
        view=view,
        count=count,
        load=lambda _, ids: documents.order_documents_in_order(ids, COLUMNS),
    )
    body = storefront_orders_json(
        page or [], order_url=order_url_maker(request), staff=request.user.is_staff
    )
    return paginator.get_paginated_response(body)


class OrderLastView(OrderAPIView):
    def get(self, request: Request) -> Response:
        order_id = selectors.order_last_id(caller=request.user, token=request_token(request))
        (stored,) = documents.order_documents_in_order([order_id], COLUMNS)
        return order_response(request, stored)


class OrderDetailView(OrderAPIView):
    def get(self, request: Request, ref: str) -> Response:
        token = request_token(request)
        stored = documents.order_document_visible(
            ref=ref[:32], caller=request.user, token=token, columns=COLUMNS
        )
        # A visitor's order is found by its token alone: the token is the order's.
        return order_response(
            request, stored, token=None if request.user.is_authenticated else token
        )


class OrderStatusView(OrderAPIView):
    permission_classes = [IsAdminUser]

    def get(self, request: Request, ref: str) -> Response:
        status_ = selectors.order_status_of(
            ref=ref[:32], caller=request.user, token=request_token(request)
        )
        return Response(RenderedJSON(status_document(status_)))

    def put(self, request: Request, ref: str) -> Response:
        order = order_for_request(request, ref)
        serializer = OrderStatusUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = serializer.validated_data.get("status", order.status)
        order = services.order_transition(
            order=order, status=target, actor=request.user, source="api"
        )
        return Response(
            {"status": order.status, "status_display": order.get_status_display()},
            status=status.HTTP_200_OK,
        )

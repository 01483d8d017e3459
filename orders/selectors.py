"""Reads of orders.

Money received (`amount_paid`, net of refunds) is computed by the database as one
annotation, so a list of orders never loops over payments in Python; `Order.is_paid` and
`Order.amount_outstanding` derive from it.
Visibility is a queryset filter: an order the caller may not see is simply not found.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.db import connection
from django.db.models import DecimalField, F, Func, Prefetch, Q, QuerySet, Sum
from django.urls import reverse

from kernel.queries import PreparedQuery
from kernel.sealing import unseal
from kernel.types import Caller
from orders.exceptions import OrderNotFound
from orders.models import (
    CLOSED_STATUSES,
    PAYABLE_STATUSES,
    Order,
    OrderNote,
    OrderStatus,
    OrderStatusCount,
    order_token_digest,
)
from shop.models import Team

_MONEY = DecimalField(max_digits=12, decimal_places=2)


class AmountPaid(Func):
    """What an order has received, net of refunds: its payments minus their refunds.

    One SQL template over the order's id rather than two composed `Subquery` objects:
    Django rebuilt and recompiled those on every request (~2 ms, measured with the bench),
    for SQL that PostgreSQL answers from the payment indexes in well under a millisecond.
    The id appears twice in the template; a column carries no parameters, so that is safe.
    """

    template = (
        "(COALESCE((SELECT SUM(p.amount) FROM orders_orderpayment p"
        " WHERE p.order_id = %(expressions)s), 0)"
        " - COALESCE((SELECT SUM(r.amount) FROM orders_orderrefund r"
        " INNER JOIN orders_orderpayment p ON p.id = r.payment_id"
        " WHERE p.order_id = %(expressions)s), 0))"
    )
    output_field = _MONEY

    def __init__(self) -> None:
        super().__init__(F("pk"))


def order_queryset() -> QuerySet[Order]:
    """Orders annotated with what has been paid (net of refunds)."""
    # The model declares this annotation for type checkers; the plugin sees a redefinition.
    return Order.objects.annotate(amount_paid=AmountPaid())  # type: ignore[no-redef]


def paid_condition(*, is_paid: bool) -> Q:
    """Filters `order_queryset()` rows on being fully paid (the `Order.is_paid` rule)."""
    condition = Q(amount_paid__gte=F("total"))
    return condition if is_paid else ~condition


def overpaid_condition() -> Q:
    """Filters `order_queryset()` rows holding more than they are owed (the
    `Order.amount_overpaid` rule): paid beyond the total, or anything on a closed order."""
    return Q(amount_paid__gt=F("total")) | Q(status__in=CLOSED_STATUSES, amount_paid__gt=0)


def order_detail_queryset(*, include_private_notes: bool) -> QuerySet[Order]:
    """Orders with everything the full order shape shows, in a constant number of queries.

    Items, payments and notes are prefetched into plain lists (`Order.prefetched_items`,
    `.prefetched_payments`, `.prefetched_notes`): the default prefetch builds a related
    manager and a filtered queryset per order and relation just to hold each cache, which
    cost more than the three queries on a page of 50 orders.
    """
    notes = OrderNote.objects.all()
    if not include_private_notes:
        notes = notes.filter(is_public=True)
    # The model declares the lists for type checkers; the plugin sees a redefinition.
    return order_queryset().prefetch_related(  # type: ignore[no-redef]
        Prefetch("items", to_attr="prefetched_items"),
        Prefetch("payments", to_attr="prefetched_payments"),
        Prefetch("notes", notes, to_attr="prefetched_notes"),
    )


def _own_or_team_orders(user_id: int) -> Q:
    """A customer's orders, and those of the teams they are a member of."""
    return Q(user=user_id) | Q(team__in=Team.objects.filter(members=user_id))


def _own_or_team_orders_for_listing(user: Caller) -> Q:
    """The same orders, as a filter the list's indexes can answer.

    The team ids are read first: most customers have none, and then the filter is the
    plain `user` one that the (user, -created_at) index answers; the OR with a subquery
    made PostgreSQL walk the whole table to find one customer's newest orders.
    """
    own = Q(user=user)
    team_ids = list(Team.objects.filter(members=user.pk).values_list("pk", flat=True))
    return own | Q(team_id__in=team_ids) if team_ids else own


def orders_visible_to(*, caller: Caller, token: str | None) -> QuerySet[Order]:
    """The orders a caller may open, with their money annotations: staff all, a customer
    theirs, a visitor the token's. (The full order shape is read from stored documents:
    `orders.documents`.)"""
    return visible_orders(order_queryset(), *order_visibility(caller=caller, token=token))


# Who may open which orders, as a kind and the values its filter needs (`visible_orders`).
Visibility = tuple[str, dict[str, Any]]


def order_visibility(*, caller: Caller, token: str | None) -> Visibility:
    if caller.is_staff:
        return "staff", {}
    if caller.is_authenticated:
        return "customer", {"user_id": caller.pk}
    if token:
        return "token", {"token_digest": order_token_digest(token)}
    return "nobody", {}


def visible_orders(orders: QuerySet[Order], kind: str, values: dict[str, Any]) -> QuerySet[Order]:
    """`orders` narrowed to those a caller of this `order_visibility` may open: staff
    all, a customer theirs and their teams', a visitor the order of the token."""
    if kind == "staff":
        return orders
    if kind == "customer":
        return orders.filter(_own_or_team_orders(values["user_id"]))
    if kind == "token":
        return orders.filter(token_digest=values["token_digest"])
    return orders.none()


def order_list_for_caller(*, caller: Caller, token: str | None) -> QuerySet[Order]:
    """`/orders/`: a customer's own orders (staff too), a visitor's token order, newest
    first. Plain rows: the list pages through their ids and reads stored documents."""
    orders = Order.objects.all()
    if caller.is_authenticated:
        return orders.filter(_own_or_team_orders_for_listing(caller))
    if token:
        return orders.filter(token_digest=order_token_digest(token))
    return orders.none()


class SealedToken(Protocol):
    """An order, or a stored document's row: anything holding the sealed token."""

    @property
    def token_sealed(self) -> str: ...


def order_guest_token(order: SealedToken) -> str:
    """The order's guest token (`?token=`, `/pay/<token>/`), opened from its sealed copy.

    The one way to get the raw token back: the order shape, pay links and e-mails all
    build their links with it. Raises `kernel.sealing.SealBroken` if the sealing key changed
    without keeping the old one as a fallback.
    """
    return unseal(order.token_sealed).decode()


def order_pay_path(order: SealedToken) -> str:
    """The order's pay page (`/pay/<token>/`), where anyone holding the link can see and
    pay it without an account. Callers make it absolute on their host."""
    return reverse("pay-page", kwargs={"token": order_guest_token(order)})


def order_get(*, ref: str, caller: Caller, token: str | None) -> Order:
    visible = orders_visible_to(caller=caller, token=token)
    order = visible.filter(ref=ref).first()
    if order is None:
        raise OrderNotFound()
    return order


# The status of the order `ref` if the caller may open it: staff's status view, prepared
# once per kind of caller (`kernel.queries`).
_STATUS_BY_REF = PreparedQuery(
    lambda kind, ref, **values: (
        visible_orders(Order.objects.all(), kind, values)
        .filter(ref=ref)
        .order_by()
        .values_list("status")
    )
)


def order_status_of(*, ref: str, caller: Caller, token: str | None) -> str:
    """The status of the order `ref`, if the caller may see it; else `OrderNotFound`."""
    kind, values = order_visibility(caller=caller, token=token)
    rows = [] if kind == "nobody" else _STATUS_BY_REF.rows(kind, ref=ref, **values)
    if not rows:
        raise OrderNotFound()
    status: str = rows[0][0]
    return status


def order_last_id(*, caller: Caller, token: str | None) -> int:
    order_id: int | None = (
        order_list_for_caller(caller=caller, token=token).values_list("pk", flat=True).first()
    )
    if order_id is None:
        raise OrderNotFound()
    return order_id


@dataclass(frozen=True)
class OrderFilters:
    status: str | None = None
    is_paid: bool | None = None
    created_from: date | None = None
    created_to: date | None = None
    email: str | None = None
    search: str | None = None
    ordering: str = "-created_at"


ORDER_SORTS = {
    "created_at": ["created_at", "id"],
    "-created_at": ["-created_at", "-id"],
    "total": ["total", "id"],
    "-total": ["-total", "-id"],
}


def order_list_all(*, filters: OrderFilters) -> QuerySet[Order]:
    """Every order, for staff, filtered and sorted (ties broken by id for stable pages).
    Annotated with `amount_paid` (the `is_paid` filter), nothing prefetched: the list
    pages through their ids and reads stored documents."""
    orders = order_queryset()
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.is_paid is not None:
        orders = orders.filter(paid_condition(is_paid=filters.is_paid))
    if filters.created_from:
        orders = orders.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        orders = orders.filter(created_at__date__lte=filters.created_to)
    if filters.email:
        orders = orders.filter(email__iexact=filters.email)
    if filters.search:
        orders = orders.filter(
            Q(ref__icontains=filters.search) | Q(email__icontains=filters.search)
        )
    return orders.order_by(*ORDER_SORTS[filters.ordering])


def _kept_order_count(counts: QuerySet[OrderStatusCount]) -> int | None:
    """The sum of the kept counts (`OrderStatusCount`) selected; None where they aren't
    kept (SQLite has no triggers): the caller counts the rows then."""
    if connection.vendor != "postgresql":
        return None
    total: int | None = counts.aggregate(total=Sum("count"))["total"]
    return total or 0


def order_count_all(*, filters: OrderFilters) -> int | None:
    """The number of orders `order_list_all` lists, from the counts the database keeps per
    team and status, when those can answer: with no filter other than the status. None
    otherwise: the caller counts the rows."""
    other_filters = (filters.is_paid, filters.created_from, filters.created_to)
    if any(value is not None for value in other_filters) or filters.email or filters.search:
        return None
    counts = OrderStatusCount.objects.all()
    if filters.status:
        counts = counts.filter(status=filters.status)
    return _kept_order_count(counts)


# A team's kept count, on every `/v1/orders` page: prepared once (`kernel.queries`).
_TEAM_COUNT = PreparedQuery(
    lambda key, team_id: (
        OrderStatusCount.objects.filter(team_key=team_id)
        .order_by()
        .values("team_key")
        .annotate(total=Sum("count"))
        .values_list("total")
    )
)


def order_count_for_team(*, team_id: int) -> int | None:
    """How many orders a team has, from the kept counts; None where they aren't kept."""
    if connection.vendor != "postgresql":
        return None
    rows = _TEAM_COUNT.rows(None, team_id=team_id)
    return int(rows[0][0]) if rows else 0


def order_payable_error(order: Order) -> str | None:
    """Why the order can't take a payment now, or None. Needs `order_queryset` annotations.

    "Already paid" comes first, as in salesman: a paid order has moved on to PROCESSING,
    and that, not its status, is why it takes no more money.
    """
    if order.is_paid:
        return "Order is already paid."
    if order.status not in PAYABLE_STATUSES:
        return f"Order with status '{order.get_status_display()}' can't be paid."
    return None


def status_change_error(order: Order, target: str) -> str | None:
    """Why the machine refuses moving `order` to `target`, or None if it may."""
    if target == order.status:
        return None
    allowed = {t.target for t in order.get_available_status_transitions()}
    if target in allowed:
        return None
    return (
        f"Can't change order with status '{OrderStatus(order.status).label}' "
        f"to '{OrderStatus(target).label}'."
    )


def order_status_transitions(order: Order) -> list[dict[str, str | None]]:
    """Every status with the machine's verdict on moving there from the current one."""
    return [
        {"value": status.value, "label": status.label, "error": status_change_error(order, status)}
        for status in OrderStatus
    ]

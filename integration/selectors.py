"""Reads of the integration API, always scoped to the token's team: another team's
objects are simply not found."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from integration.models import ApiToken
from kernel.exceptions import ObjectNotFound
from kernel.money import ZERO, quantize_money
from kernel.queries import PreparedQuery
from orders.documents import StoredOrder, document_fields, stored_orders
from orders.exceptions import OrderNotFound
from orders.models import Order, OrderItem
from orders.selectors import order_count_for_team, order_queryset, paid_condition
from shop.models import Profile, Team

ORDER_SORTS = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "total": "total",
    "reference_number": "ref",
}
ORDER_ITEM_SORTS = {"created_at": "order__created_at", "price": "unit_price"}
PROFILE_SORTS = {"created_at": "created_at", "name": "name"}
LISTING_SORTS = {"created_at": "created_at", "name": "name", "price": "price"}


_TOKEN_FIELDS = [field.attname for field in ApiToken._meta.concrete_fields]
_TEAM_FIELDS = [field.attname for field in Team._meta.concrete_fields]

# Every `/v1/` request looks its token up, with its team: prepared once (`kernel.queries`).
_TOKEN_BY_DIGEST = PreparedQuery(
    lambda key, digest: (
        ApiToken.objects.filter(digest=digest)
        .order_by()
        .values_list(*_TOKEN_FIELDS, *(f"team__{name}" for name in _TEAM_FIELDS))
    )
)


def api_token_by_digest(digest: str) -> ApiToken | None:
    """The token stored under `digest`, with its team, or None."""
    rows = _TOKEN_BY_DIGEST.rows(None, digest=digest)
    if not rows:
        return None
    values = rows[0]
    token = ApiToken.from_db("default", _TOKEN_FIELDS, values[: len(_TOKEN_FIELDS)])
    token.team = Team.from_db("default", _TEAM_FIELDS, values[len(_TOKEN_FIELDS) :])
    return token


def team_order_rows(team: Team | int) -> QuerySet[Order]:
    """The team's orders as plain rows: reads of stored documents and list pages take
    their ids and a few columns, nothing annotated or prefetched."""
    return Order.objects.filter(team=team)


# One of the team's orders with its documents: `GET /v1/orders/{id}`, the API's busiest
# read, so prepared once (`kernel.queries`).
_TEAM_ORDER_DOCUMENT = PreparedQuery(
    lambda columns, team_id, order_id: (
        team_order_rows(team_id)
        .filter(pk=order_id)
        .order_by()
        .values_list(*document_fields(columns))
    )
)


def team_order_document(*, team: Team, order_id: int, columns: Sequence[str]) -> StoredOrder:
    rows = _TEAM_ORDER_DOCUMENT.rows(tuple(columns), team_id=team.pk, order_id=order_id)
    found = stored_orders(rows, columns)
    if not found:
        raise OrderNotFound()
    return found[0]


def team_order_count(team: Team) -> int | None:
    """How many `team_order_rows(team)` there are, from the counts the database keeps per team
    and status; None where they aren't kept (SQLite): then the rows are counted."""
    return order_count_for_team(team_id=team.pk)


def team_order_items(team: Team) -> QuerySet[OrderItem]:
    return OrderItem.objects.filter(order__team=team).select_related("order")


def team_profiles(team: Team) -> QuerySet[Profile]:
    return Profile.objects.filter(team=team)


def team_profile_get(*, team: Team, profile_id: int) -> Profile:
    profile = team_profiles(team).filter(pk=profile_id).first()
    if profile is None:
        raise ObjectNotFound("Profile not found.")
    return profile


def profile_orders(
    *,
    team: Team,
    profile_id: int,
    start_date: date | None = None,
    end_date: date | None = None,
    paid_only: bool = False,
) -> QuerySet[Order]:
    profile = team_profile_get(team=team, profile_id=profile_id)
    orders = order_queryset().filter(team=team, profile=profile)
    if start_date:
        orders = orders.filter(created_at__date__gte=start_date)
    if end_date:
        orders = orders.filter(created_at__date__lte=end_date)
    if paid_only:
        orders = orders.filter(paid_condition(is_paid=True))
    return orders


@dataclass(frozen=True)
class OrderMoney:
    """An order's money as Presscart shows it, derived from the frozen lines and rows.

    subtotal is price x quantity; every negative price row (discounts) adds to discount
    and every positive one (shipping, tax, fees) to processing_fee, so that
    total = subtotal - discount + processing_fee - credits_applied holds exactly.
    """

    subtotal: Decimal
    discount: Decimal
    processing_fee: Decimal
    credits_applied: Decimal


def order_money(order: Order) -> OrderMoney:
    items = order.prefetched_items
    rows: list[dict[str, Any]] = list(order.extra_rows)
    for item in items:
        rows.extend(item.extra_rows)
    amounts = [Decimal(row["amount"]) for row in rows]
    return OrderMoney(
        subtotal=quantize_money(sum((i.unit_price * i.quantity for i in items), ZERO)),
        discount=quantize_money(-sum((a for a in amounts if a < 0), ZERO)),
        processing_fee=quantize_money(sum((a for a in amounts if a > 0), ZERO)),
        credits_applied=ZERO,
    )

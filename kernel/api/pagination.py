"""Paging through ids first, for both APIs' lists."""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet


def rows_in_order(queryset: QuerySet, ids: list[Any]) -> list[Any]:
    """The rows of `queryset` with these primary keys, in the order of `ids`: the second
    step of paging through bare ids (both APIs' lists), so OFFSET never skips full rows."""
    rows = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [rows[pk] for pk in ids]


# Loads the rows of a page from its ids, in that order (`rows_in_order`, or the stored
# documents of orders: `orders.documents.order_documents_in_order`).
PageLoader = Callable[[QuerySet, list[Any]], list[Any]]


def rows_by_id_page(
    queryset: QuerySet,
    page_of_ids: Callable[[QuerySet], Iterable[Any] | None],
    load: PageLoader = rows_in_order,
) -> list[Any] | None:
    """Page through primary keys, then load only that page's rows (both APIs' lists).

    With OFFSET, PostgreSQL computes every selected column of the rows it skips; the
    money annotations of orders made deep pages cost a subquery per skipped row.
    `page_of_ids` picks the page from the queryset's bare ids (None: no paging asked).
    """
    ids = page_of_ids(queryset.values_list("pk", flat=True))
    return None if ids is None else load(queryset, list(ids))

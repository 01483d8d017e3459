"""Presscart's pagination: `limit`, `page`, `sort_by`, `order_by` in; an envelope out.

Sorting always ends with the primary key in the same direction, so equal sort values
can't make a page walk skip or repeat a record.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from kernel.api.pagination import PageLoader, rows_by_id_page, rows_in_order

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_PAGE = 10_000_000


class PageQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, default=DEFAULT_LIMIT)
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    sort_by = serializers.CharField(required=False, max_length=50)
    order_by = serializers.ChoiceField(choices=["asc", "desc"], default="desc")

    def __init__(self, *args: Any, sort_fields: dict[str, str], default_sort: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sort_fields = sort_fields
        self.default_sort = default_sort

    def validate_sort_by(self, value: str) -> str:
        if value not in self.sort_fields:
            choices = ", ".join(sorted(self.sort_fields))
            raise serializers.ValidationError(
                f'"{value}" is not a sort key; use one of: {choices}.'
            )
        return value


@dataclass(frozen=True)
class PageRequest:
    limit: int
    page: int
    ordering: list[str]


def page_request(
    query: dict[str, Any], *, sort_fields: dict[str, str], default_sort: str
) -> PageRequest:
    """Validate the paging parameters (400 with issues when wrong; a large limit is capped)."""
    params = PageQuerySerializer(data=query, sort_fields=sort_fields, default_sort=default_sort)
    params.is_valid(raise_exception=True)
    data = params.validated_data
    field = sort_fields[data.get("sort_by") or default_sort]
    sign = "-" if data["order_by"] == "desc" else ""
    return PageRequest(
        limit=min(data["limit"], MAX_LIMIT),
        page=data["page"],
        ordering=[f"{sign}{field}", f"{sign}id"],
    )


@dataclass(frozen=True)
class Page:
    records: list[Any]
    total_records: int

    def envelope(self, request: PageRequest, serialized: list[Any]) -> dict[str, Any]:
        total_pages = -(-self.total_records // request.limit)
        return {
            "records": serialized,
            "total_records": self.total_records,
            "total_pages": total_pages,
            "current_page": request.page,
            "next_page": request.page + 1 if request.page < total_pages else None,
            "previous_page": request.page - 1 if request.page > 1 else None,
        }


def paginate(
    queryset: QuerySet,
    request: PageRequest,
    *,
    total: int | None = None,
    load: PageLoader = rows_in_order,
) -> Page:
    """A page of rows through `rows_by_id_page` (`load` reads them from their ids); `total`
    is the number of rows when the caller knows it without a COUNT(*)."""
    if total is None:
        total = queryset.count()
    offset = (request.page - 1) * request.limit
    ordered = queryset.order_by(*request.ordering)
    records = rows_by_id_page(ordered, lambda ids: ids[offset : offset + request.limit], load)
    return Page(records=records or [], total_records=total)

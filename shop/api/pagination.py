"""Storefront list pagination: salesman's plain JSON array body, pages in headers.

A salesman frontend reads the array as before; a tool that wants more follows the
`Link` header (`rel="next"`, `rel="prev"`) and reads the total in `X-Total-Count`.
"""

from functools import cached_property, partial
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.api.pagination import PageLoader, rows_by_id_page, rows_in_order
from kernel.conf import orderly_setting


class KnownCountPaginator(Paginator):
    """Django's paginator, told the number of rows instead of counting them when known."""

    def __init__(self, *args: Any, known_count: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        return super().count


class LinkHeaderPagination(PageNumberPagination):
    page_query_param = "page"
    page_size_query_param = "page_size"

    @property
    def page_size(self) -> int:  # type: ignore[override]
        return orderly_setting("PAGE_SIZE")

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return orderly_setting("MAX_PAGE_SIZE")

    def paginate_queryset(  # type: ignore[override]  # takes querysets only
        self,
        queryset: QuerySet,
        request: Request,
        view: Any = None,
        count: int | None = None,
        load: PageLoader = rows_in_order,
    ) -> list[Any] | None:
        """A page of rows through `rows_by_id_page` (`load` reads them from their ids).
        `count` is the number of rows when the caller knows it without a COUNT(*)."""
        # DRF builds its paginator from this class attribute; a partial carries the count.
        self.django_paginator_class = partial(  # type: ignore[assignment]
            KnownCountPaginator, known_count=count
        )
        return rows_by_id_page(
            queryset,
            lambda ids: super(LinkHeaderPagination, self).paginate_queryset(ids, request, view),
            load,
        )

    def get_paginated_response(self, data: Any) -> Response:
        links = []
        next_url = self.get_next_link()
        previous_url = self.get_previous_link()
        if next_url:
            links.append(f'<{next_url}>; rel="next"')
        if previous_url:
            links.append(f'<{previous_url}>; rel="prev"')
        assert self.page is not None  # set by paginate_queryset before this is called
        headers = {"X-Total-Count": str(self.page.paginator.count)}
        if links:
            headers["Link"] = ", ".join(links)
        return Response(data, headers=headers)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return schema  # the body stays a plain array; pages travel in headers

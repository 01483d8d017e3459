"""Requests refused before any view runs: bodies over the size limit and NUL characters.

A body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` (by its Content-Length) is a 413 without
being read. A NUL character (`%00`) in the path, the query string or a header can't be
stored or even looked up in PostgreSQL (its text types refuse it), so it is a 400 here
rather than an error deep in a query (`/v1/` validates its paths and queries itself).
Both answer in the API's error shape (`config.errors`), or Django's plain page outside
the APIs.
"""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from config.errors import body_too_large, json_error

# `/v1/` checks every path and query parameter itself before any query (ids, dates,
# sort keys), answering a NUL there with its precise 404 or 400-with-issues.
_SELF_VALIDATING = "/v1/"


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _has_nul(request: HttpRequest) -> bool:
    for key, value in request.META.items():
        if key[:5] == "HTTP_" and isinstance(value, str) and "\x00" in value:
            return True
    if request.path.startswith(_SELF_VALIDATING):
        return False
    return "\x00" in request.path or b"\x00" in unquote_to_bytes(
        request.META.get("QUERY_STRING", "")
    )


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _declared_length(request) > limit:
            too_large = body_too_large(request)
            if too_large is not None:
                return too_large
        if _has_nul(request):
            message = "NUL characters are not allowed in the path, query or headers."
            return json_error(request, 400, message) or HttpResponseBadRequest(message)
        return self.get_response(request)

"""Django's own 404 and 500 pages, in each API's error shape under `/api/` and `/v1/`.

A 500 shows no internals: its traceback goes to the log with the request id, and the
caller gets the id to quote.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def _request_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", "-")


def _json_error(request: HttpRequest, status: int, message: str) -> JsonResponse | None:
    if request.path.startswith("/v1/"):
        name = "NotFoundError" if status == 404 else "InternalServerError"
        body: dict[str, Any] = {"name": name, "message": message}
    elif request.path.startswith("/api/"):
        body = {"detail": message}
    else:
        return None
    if status >= 500:
        body["request_id"] = _request_id(request)
    return JsonResponse(body, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json_error(request, 404, "Not found.") or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    message = f"Internal server error; quote request id {_request_id(request)} when reporting it."
    return _json_error(request, 500, message) or defaults.server_error(request)

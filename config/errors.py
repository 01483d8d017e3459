"""Django's own error answers (400, 404, 413, 500), in each API's error shape under
`/api/` and `/v1/`, and for the payment providers' notification URLs (`/webhooks/`).

A 500 shows no internals: its traceback goes to the log with the request id, and the
caller gets the id to quote.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from integration.api.errors import error_body as integration_error_body
from shop.api.errors import error_body as storefront_error_body

# Paths whose callers read JSON errors; the storefront's shape serves the webhooks too.
_STOREFRONT_PREFIXES = ("/api/", "/webhooks/")
_INTEGRATION_PREFIX = "/v1/"


def _request_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", "-")


def json_error(request: HttpRequest, status: int, message: str) -> JsonResponse | None:
    """The error in the shape of the API `request` went to, or None outside the APIs."""
    if request.path.startswith(_INTEGRATION_PREFIX):
        body: dict[str, Any] = integration_error_body(status, message)
    elif request.path.startswith(_STOREFRONT_PREFIXES):
        body = storefront_error_body(message)
    else:
        return None
    if status >= 500:
        body["request_id"] = _request_id(request)
    return JsonResponse(body, status=status)


def body_too_large(request: HttpRequest) -> HttpResponse | None:
    return json_error(request, 413, "Request body too large.")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's answer to a suspicious request (a body over the size limit, too many
    fields): 413 or 400 in the API's shape, never its HTML page."""
    if isinstance(exception, RequestDataTooBig):
        response = body_too_large(request)
    else:
        response = json_error(request, 400, "Bad request.")
    return response or defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return json_error(request, 404, "Not found.") or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    message = f"Internal server error; quote request id {_request_id(request)} when reporting it."
    return json_error(request, 500, message) or defaults.server_error(request)


class JsonNotFoundMiddleware:
    """Keeps the APIs' JSON 404 when `DEBUG` is on (the demo): Django then answers an
    unknown path with its HTML debug page instead of `handler404`. Placed before
    CommonMiddleware, so a missing trailing slash is still redirected first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and response.get("Content-Type", "").startswith("text/html"):
            return json_error(request, 404, "Not found.") or response
        return response

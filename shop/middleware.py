from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token


class CsrfCookieOnReadMiddleware:
    """Hand out the `csrftoken` cookie on every GET of the API, so a frontend can send
    `X-CSRFToken` on its first write without a dedicated call."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only when the browser lacks one: get_token() makes Django send the cookie again,
        # and re-sending it on every read is a header per response for nothing.
        if (
            request.method == "GET"
            and request.path.startswith("/api/")
            and settings.CSRF_COOKIE_NAME not in request.COOKIES
        ):
            get_token(request)
        return self.get_response(request)

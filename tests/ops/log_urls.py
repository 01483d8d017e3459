"""The real URL table plus views that fail with secrets in hand, for the log tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500, urlpatterns  # noqa: F401


def explode_quoting_the_request(request: HttpRequest) -> HttpResponse:
    # A careless error message: the whole request, headers and cookies included.
    headers = {key: value for key, value in request.META.items() if key.startswith("HTTP_")}
    raise RuntimeError(f"could not handle {request.get_full_path()} with {headers}")


def unavailable(request: HttpRequest) -> HttpResponse:
    return HttpResponse("down", status=503)


urlpatterns = [
    path("api/explode-quoting/", explode_quoting_the_request),
    path("unavailable/", unavailable),
    *urlpatterns,
]

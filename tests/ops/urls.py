"""The real URL table plus one view that fails, to see what a 500 looks like."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500, urlpatterns  # noqa: F401


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("database password is hunter2")  # must never reach the caller


urlpatterns = [
    path("api/explode/", explode),
    path("v1/explode/", explode),
    *urlpatterns,
]

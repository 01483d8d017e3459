"""The production URLs plus `/bench/ceiling/`, which exists only under bench settings.

The ceiling is the cheapest thing Django + DRF can serve on this server: a bare APIView,
through the same middleware, authentication and throttle classes as every real endpoint,
with no database query. Every other case is reported as a share of it.
"""

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler404, handler500
from config.urls import urlpatterns as production_patterns

__all__ = ["handler404", "handler500", "urlpatterns"]


class CeilingView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("bench/ceiling/", CeilingView.as_view(), name="bench-ceiling"),
    *production_patterns,
]

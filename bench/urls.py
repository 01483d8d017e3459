"""The production URLs plus `/bench/ceiling/`, which exists only under bench settings.

The ceiling is the cheapest thing Django + DRF can serve on this server: a bare APIView,
through the same middleware, authentication and throttle classes as every real endpoint,
with no database query. It and every other case are reported as shares of the stock
ceiling (`bench/urls_stock.py`), the same view behind a new project's middleware.
"""

from django.urls import path

from bench.ceiling import CeilingView
from config.urls import handler404, handler500
from config.urls import urlpatterns as production_patterns

__all__ = ["handler404", "handler500", "urlpatterns"]


urlpatterns = [
    path("bench/ceiling/", CeilingView.as_view(), name="bench-ceiling"),
    *production_patterns,
]

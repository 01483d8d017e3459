"""The stock ceiling's one URL (`bench/settings_stock.py`): the same bare view as our
ceiling, at the same path."""

from django.urls import path

from bench.ceiling import CeilingView

urlpatterns = [path("bench/ceiling/", CeilingView.as_view(), name="bench-ceiling")]

"""The ceiling view: the cheapest thing Django + DRF can serve, a bare `APIView` with no
database query. Routed at `/bench/ceiling/` under both bench settings: ours
(`bench/urls.py`) and the stock project's (`bench/urls_stock.py`)."""

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class CeilingView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})

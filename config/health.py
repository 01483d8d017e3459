"""Liveness and readiness for load balancers and orchestrators: cheap, unauthenticated,
never cached, and answered whatever the Host header.

Probes call the container by its address (`Host: 127.0.0.1:8000`), which is not one of the
`ALLOWED_HOSTS` a deployment serves. So these two paths are answered by a middleware that
sits before anything that validates the host (`SecurityMiddleware`, `CommonMiddleware`,
CSRF): every other path still gets Django's 400 for a host it doesn't serve.
"""

from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def live(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is checked, so a busy database can't kill it."""
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """The process can serve: the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


PROBES: dict[str, Callable[[HttpRequest], JsonResponse]] = {
    "/health/live/": live,
    "/health/ready/": ready,
}


class HealthCheckMiddleware:
    """Answers the probe paths itself, before any host validation; passes the rest on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in {"GET", "HEAD"}:
            return probe(request)
        return self.get_response(request)

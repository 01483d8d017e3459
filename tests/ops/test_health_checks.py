"""Health checks answer the probes of Docker and compose, which call the container by its
address, while every other path keeps refusing hosts the deployment doesn't serve."""

import pytest
from django.test import Client

PRODUCTION_HOST = "shop-api.example.com"


@pytest.fixture
def production_hosts(settings):
    """The README's production example: a real host name, HTTPS redirects on."""
    settings.ALLOWED_HOSTS = [PRODUCTION_HOST]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "10.0.3.7:8000", "nonsense..!"])
def test_probes_are_answered_whatever_the_host(db, production_hosts, host):
    probe = Client(HTTP_HOST=host)

    live, ready = probe.get("/health/live/"), probe.get("/health/ready/")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})
    assert live["X-Request-ID"]  # still logged and tagged like any request
    assert probe.head("/health/live/").status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/products/"),
        ("get", "/admin/login/"),
        ("get", "/v1/auth/token"),
        ("get", "/health/live"),  # only the exact probe paths are exempt
        ("get", "/health/ready/extra/"),
        ("post", "/health/live/"),
    ],
)
def test_every_other_request_with_a_bad_host_is_still_refused(db, production_hosts, method, path):
    response = getattr(Client(HTTP_HOST="127.0.0.1:8000"), method)(path)

    assert response.status_code == 400


def test_the_real_host_is_served_as_before(db, production_hosts):
    client = Client(HTTP_HOST=PRODUCTION_HOST, HTTP_X_FORWARDED_PROTO="https")

    assert client.get("/api/products/", secure=True).status_code == 200
    # Plain HTTP on the real host is redirected, the probe paths are not.
    assert Client(HTTP_HOST=PRODUCTION_HOST).get("/api/products/").status_code == 301
    assert Client(HTTP_HOST=PRODUCTION_HOST).get("/health/live/").status_code == 200

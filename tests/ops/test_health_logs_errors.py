"""Health checks, the JSON access log (request ids, redaction) and JSON errors."""

import io
import json
import logging

import pytest
from django.test import Client

from config.observability import JsonFormatter, RequestIdFilter
from integration.services import api_token_create
from tests.factories import TeamFactory


@pytest.fixture
def log_lines():
    """What the service writes to its log, parsed line by line, as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()], stream
    root.removeHandler(handler)
    root.setLevel(previous)


def test_liveness_and_readiness_answer_without_authentication(db):
    client = Client()

    live, ready = client.get("/health/live/"), client.get("/health/ready/")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})
    assert "no-cache" in ready["Cache-Control"]


def test_every_request_gets_an_id_that_is_returned_and_logged(db, log_lines):
    read, _ = log_lines

    response = Client().get("/api/products/")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    access = [e for e in read() if e["logger"] == "orderly.request"]
    assert access[-1]["message"] == f"GET /api/products/ 200 {access[-1]['duration_ms']}ms"
    assert access[-1] == {
        **access[-1],
        "method": "GET",
        "path": "/api/products/",
        "status": 200,
        "request_id": request_id,
    }
    assert access[-1]["duration_ms"] >= 0


def test_a_sane_incoming_request_id_is_kept_and_a_strange_one_replaced(db):
    client = Client()

    kept = client.get("/health/live/", HTTP_X_REQUEST_ID="lb-7f3a.42")
    replaced = client.get("/health/live/", HTTP_X_REQUEST_ID="a b\nc")

    assert kept["X-Request-ID"] == "lb-7f3a.42"
    assert replaced["X-Request-ID"] not in {"a b\nc", ""}


def test_secrets_never_reach_the_log(visitor_client, place_order, log_lines):
    read, stream = log_lines
    order = place_order(visitor_client)
    raw_token = api_token_create(team=TeamFactory(), token_type="full_access").raw

    visitor_client.get(f"/api/orders/{order['ref']}/?token={order['token']}&page=1")
    Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}").get("/v1/orders")
    visitor_client.get(f"/pay/{order['token']}/")

    text = stream.getvalue()
    for secret in [order["token"], raw_token, visitor_client.cookies["sessionid"].value]:
        assert secret not in text
    paths = [e["path"] for e in read() if e["logger"] == "orderly.request"]
    assert f"/api/orders/{order['ref']}/?token=[redacted]&page=1" in paths
    assert "/pay/[redacted]/" in paths
    detail = next(e for e in read() if e.get("path", "").startswith(f"/api/orders/{order['ref']}"))
    assert detail["order_ref"] == order["ref"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/no-such-thing/", {"detail": "Not found."}),
        ("/v1/no-such-thing/nested", {"name": "NotFoundError", "message": "Not found."}),
    ],
)
def test_django_404s_under_the_apis_are_json_in_each_apis_shape(db, path, body):
    response = Client().get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


def test_a_404_elsewhere_is_django_html(db):
    assert Client().get("/no-such-page/")["Content-Type"].startswith("text/html")


@pytest.mark.urls("tests.ops.urls")
@pytest.mark.parametrize("prefix", ["/api", "/v1"])
def test_a_500_is_json_without_internals_and_logs_its_traceback(db, log_lines, prefix):
    read, _ = log_lines
    client = Client(raise_request_exception=False)

    response = client.get(f"{prefix}/explode/")

    assert response.status_code == 500
    body = response.json()
    request_id = response["X-Request-ID"]
    assert body["request_id"] == request_id
    assert "hunter2" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    errors = [e for e in read() if e["level"] == "ERROR"]
    assert any(
        "hunter2" in e.get("traceback", "") and e["request_id"] == request_id for e in errors
    )

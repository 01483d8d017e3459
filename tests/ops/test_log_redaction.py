"""No secret in any log line, whatever logger writes it; one line per request.

Everything is captured through the handler the service configures (settings.LOGGING),
with every logger at DEBUG (but SQL's, which the settings hold at INFO: its parameters
are secrets) and SQL logging forced on, in both formats.
"""

import io
import json
import logging
import random
import re
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.db import connection
from django.test import Client

from config.observability import _MAY_HOLD_SECRET, _PATTERNS, JsonFormatter, TextFormatter, redact
from integration.services import api_token_create
from tests.api.payments.conftest import sign
from tests.conftest import logged_in_client
from tests.factories import TeamFactory, UserFactory
from tests.ops.test_production_server import HOST as SERVED_HOST
from tests.ops.test_production_server import production_server  # noqa: F401  (a fixture)

WEBHOOK_SECRET = "whsec_log_test_0123456789abcdef"
STRIPE = "payments.gateways.stripe_checkout.StripeCheckout"


def _console_handler() -> logging.StreamHandler:  # type: ignore[type-arg]
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(handler, logging.StreamHandler)
    return handler


@pytest.fixture(params=[JsonFormatter, TextFormatter], ids=["json", "text"])
def captured(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """Everything the service logs, through its own console handler, at DEBUG."""
    handler, root = _console_handler(), logging.getLogger()
    stream = io.StringIO()
    previous = handler.setStream(stream), handler.formatter
    handler.setFormatter(request.param())
    # Every logger at DEBUG but the SQL one, which the settings keep at INFO on purpose.
    loggers = [root, *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        if logger.name != "django.db.backends":
            logger.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True  # as with DEBUG on: SQL would reach the logger
    try:
        yield stream
    finally:
        connection.force_debug_cursor = False
        handler.setStream(previous[0])  # type: ignore[arg-type]
        handler.setFormatter(previous[1])
        for logger, level in levels.items():
            logger.setLevel(level)


@pytest.fixture
def stripe_on(settings: Any) -> None:
    from kernel.conf import DEFAULTS

    settings.ORDERLY_PAYMENT_METHODS = [*DEFAULTS["PAYMENT_METHODS"], STRIPE]
    settings.ORDERLY_STRIPE_SECRET_KEY = "sk_test_log0123456789"
    settings.ORDERLY_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.mark.urls("tests.ops.log_urls")
def test_no_secret_reaches_any_log_line(captured, stripe_on, place_order):
    buyer = Client(enforce_csrf_checks=True, raise_request_exception=False)
    order = place_order(buyer)
    customer = logged_in_client(UserFactory())
    api_token = api_token_create(team=TeamFactory(), token_type="full_access").raw
    bogus_api_token = "oly_" + "N0tARealT0ken" * 3
    guessed_order_token = "gu3ssedOrderT0ken-" + "x" * 20
    bogus_csrf = "f" * 64
    basic = "dXNlcjpodW50ZXIy"  # user:hunter2
    secrets = {
        "order token": order["token"],
        "guessed order token": guessed_order_token,
        "API token": api_token,
        "bogus API token": bogus_api_token,
        "session id": customer.cookies["sessionid"].value,
        "CSRF token": customer.cookies["csrftoken"].value,
        "bogus CSRF token": bogus_csrf,
        "basic credentials": basic,
        "webhook secret": WEBHOOK_SECRET,
        "Stripe key": "sk_test_log0123456789",
    }
    body = b'{"id": "evt_1", "type": "checkout.session.completed"}'
    forged_signature = sign(body, "whsec_forged_by_someone")
    secrets["forged signature"] = forged_signature.split("v1=")[1]
    good_signature = sign(body, WEBHOOK_SECRET)
    secrets["valid signature"] = good_signature.split("v1=")[1]

    statuses = [
        # The pay page posted without CSRF: Django's CSRF warning quotes the path.
        buyer.post(f"/pay/{order['token']}/", {"payment_method": "pay-in-advance"}).status_code,
        buyer.get(f"/pay/{guessed_order_token}/").status_code,
        buyer.post(f"/pay/{guessed_order_token}/", {}).status_code,
        buyer.get(f"/api/orders/{order['ref']}/?token={guessed_order_token}").status_code,
        buyer.get(f"/api/no-such-thing/?token={order['token']}&key={api_token}").status_code,
        buyer.get(f"/no-such-page/?token={order['token']}").status_code,
        # A logged-in customer with a wrong CSRF token.
        customer.post(
            "/api/basket/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=bogus_csrf
        ).status_code,
        customer.get(f"/api/orders/?token={order['token']}").status_code,
        Client().get("/v1/orders", HTTP_AUTHORIZATION=f"Bearer {bogus_api_token}").status_code,
        Client().get("/v1/orders", HTTP_AUTHORIZATION=f"Bearer {api_token}").status_code,
        Client().get("/v1/orders", HTTP_AUTHORIZATION=f"Basic {basic}").status_code,
        Client().get(f"/v1/orders?token={api_token}").status_code,
        Client()
        .post(
            "/webhooks/stripe/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=forged_signature,
        )
        .status_code,
        Client()
        .post(
            "/webhooks/stripe/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=good_signature,
        )
        .status_code,
        # An exception whose message quotes the request's headers and cookies.
        Client(raise_request_exception=False)
        .get(
            f"/api/explode-quoting/?token={order['token']}",
            HTTP_AUTHORIZATION=f"Bearer {api_token}",
            HTTP_COOKIE=f"sessionid={customer.cookies['sessionid'].value}",
            HTTP_STRIPE_SIGNATURE=good_signature,
        )
        .status_code,
    ]

    assert statuses == [403, 404, 403, 404, 404, 404, 403, 200, 401, 200, 401, 401, 400, 400, 500]
    text = captured.getvalue()
    leaked = {name for name, value in secrets.items() if value in text}
    assert not leaked, text
    assert "django.db.backends" not in text  # SQL (its parameters) is never logged
    # The lines that used to carry them are there, redacted.
    assert "Forbidden (CSRF token missing.): /pay/[redacted]/" in text
    assert "Refused a stripe notification" in text
    assert "could not handle /api/explode-quoting/?token=[redacted]" in text
    assert "Traceback" in text
    assert "'HTTP_AUTHORIZATION': '[redacted]'" in text


def _records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    handler = _console_handler()
    stream = io.StringIO()
    previous, formatter = handler.setStream(stream), handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield stream
    finally:
        handler.setStream(previous)  # type: ignore[arg-type]
        handler.setFormatter(formatter)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/no-such-thing/", 404), ("/pay/not-a-token/", 404), ("/v1/orders", 401)],
)
def test_a_client_error_is_one_line_the_access_line(db, json_lines, path, status):
    response = Client().get(path)

    assert response.status_code == status
    request_id = response["X-Request-ID"]
    records = _records(json_lines)
    assert [r["logger"] for r in records] == ["orderly.request"]
    assert records[0]["request_id"] == request_id
    assert records[0]["status"] == status


@pytest.mark.urls("tests.ops.log_urls")
def test_a_server_error_keeps_its_line_with_the_requests_id(db, json_lines):
    response = Client().get("/unavailable/")

    assert response.status_code == 503
    records = _records(json_lines)
    assert {r["logger"] for r in records} == {"orderly.request", "django.request"}
    assert {r["request_id"] for r in records} == {response["X-Request-ID"]}


def test_the_development_format_shows_method_path_status_and_duration(db, place_order):
    handler = _console_handler()
    stream = io.StringIO()
    previous, formatter = handler.setStream(stream), handler.formatter
    handler.setFormatter(TextFormatter())
    try:
        client = Client()
        order = place_order(client)
        response = client.get(f"/api/orders/{order['ref']}/?token={order['token']}&page=1")
    finally:
        handler.setStream(previous)  # type: ignore[arg-type]
        handler.setFormatter(formatter)

    last = stream.getvalue().splitlines()[-1]
    request_id = response["X-Request-ID"]
    assert re.fullmatch(
        rf"\S+ \S+ INFO orderly\.request \[{request_id}\] "
        rf"GET /api/orders/{order['ref']}/\?token=\[redacted\]&page=1 200 [0-9.]+ms",
        last,
    ), last


# --- the production server, as a process ----------------------------------------------


@pytest.fixture
def debug_log_level(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")


@pytest.mark.django_db(transaction=True)
def test_no_secret_in_what_gunicorn_writes(debug_log_level, request):
    base, log = request.getfixturevalue("production_server")
    host, port = base.removeprefix("http://").split(":")
    api_token = api_token_create(team=TeamFactory(), token_type="full_access").raw
    order_token = "n0tAnOrderT0ken-" + "q" * 24
    with httpx.Client(base_url=base, timeout=10, headers={"Host": SERVED_HOST}) as client:
        statuses = [
            client.post(f"/pay/{order_token}/", data={"payment_method": "x"}).status_code,
            client.get(f"/api/orders/2026-00001/?token={order_token}").status_code,
            client.get(f"/nothing/?token={order_token}").status_code,
            client.get("/v1/orders", headers={"Authorization": f"Bearer {api_token}x"}).status_code,
            client.get(
                "/webhooks/stripe/", headers={"Stripe-Signature": f"t=1,v1={order_token}"}
            ).status_code,
        ]
    # A request line gunicorn itself refuses, quoting its target in its log.
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        target = f"/pay/{order_token}/?token={order_token}\x7f"
        raw.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        answer = raw.recv(1024)

    assert statuses == [403, 404, 404, 401, 405]
    assert answer.startswith(b"HTTP/1.1 400")
    text = log.read_text()
    assert '"logger": "orderly.request"' in text
    assert "Invalid HTTP request line: 'GET /pay/[redacted]/?token=[redacted]" in text
    assert '"logger": "gunicorn.access"' not in text  # Orderly's access line is the one
    assert order_token not in text and api_token not in text, text


# --- the fast paths (issue 15) ----------------------------------------------------------

# Quoted forms of every secret the patterns know, each a text the slow path rewrites.
SECRET_SHAPES = [
    "/pay/abc123/",
    "Authorization: Bearer abc.def",
    "BASIC dXNlcjpwYXNz",
    "oly_ABCdef123",
    "whsec_abc",
    "sk_live_abc",
    "rk_test_abc",
    "?token=abc&page=1",
    "t=1,v1=deadbeef",
    "{'password': 'hunter2'}",
    '{"api_key" : "k"}',
    "X-Api-Key:\tabc",
    "Cookie: sessionid=abc",
]


def test_the_quick_check_lets_no_secret_shape_through():
    """`redact` returns a text untouched when `_MAY_HOLD_SECRET` finds nothing in it, so
    that check must find something wherever any pattern would: on every known shape, and
    on many random texts built from the characters the patterns look for."""
    for shape in SECRET_SHAPES:
        assert redact(shape) != shape, shape
    rng = random.Random(15)  # fixed: the same texts on every run
    pieces = [*"abkvy01_-./?&=:;'\" \t\n", "pay", "/pay/", "oly_", "sk_live_", "whsec_"]
    pieces += ["bearer ", "Basic ", "token", "secret", "key", "code", "v1", "session"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        if not _MAY_HOLD_SECRET.search(text):
            assert not any(pattern.search(text) for pattern, _ in _PATTERNS), repr(text)


def test_a_json_line_carries_the_second_it_was_made():
    """The JSON formatter formats the time once a second; a line of the next second gets
    its own (records made with the times they claim, no waiting)."""
    formatter = JsonFormatter()

    def line(created: float) -> dict[str, Any]:
        record = logging.makeLogRecord({"msg": "m", "created": created, "levelname": "INFO"})
        return json.loads(formatter.format(record))

    first, same_second, next_second = line(1000.1), line(1000.9), line(1001.0)
    assert first["time"] == same_second["time"]
    assert next_second["time"] != first["time"]
    assert next_second["time"] == formatter.formatTime(
        logging.makeLogRecord({"created": 1001.0}), "%Y-%m-%dT%H:%M:%S%z"
    )

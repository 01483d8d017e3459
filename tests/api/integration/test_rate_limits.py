"""Rate limits: per API token on /v1/, per IP for anonymous storefront lookups by token."""

import pytest
from django.test import Client
from pypresscart.exceptions import RateLimitError


def test_a_token_over_its_rate_gets_429_with_retry_after(presscart, make_token, team):
    # An hour-long window, so the test can't straddle a window boundary in practice.
    client = presscart(make_token(team, rate_limit="3/hour"))
    for _ in range(3):
        client.orders.list()

    with pytest.raises(RateLimitError) as refused:
        client.orders.list()

    assert refused.value.payload["name"] == "RateLimitError"
    assert 0 < refused.value.retry_after <= 3600


def test_tokens_are_counted_separately(make_token, team, settings):
    settings.ORDERLY_API_RATE_LIMIT = "2/hour"
    first = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(team)}")
    second = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(team)}")

    statuses = [first.get("/v1/orders").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert second.get("/v1/orders").status_code == 200


def test_a_tokens_own_rate_overrides_the_default(make_token, team, settings):
    settings.ORDERLY_API_RATE_LIMIT = "1/hour"
    client = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(team, rate_limit='5/hour')}")

    assert [client.get("/v1/orders").status_code for _ in range(5)] == [200] * 5


def test_anonymous_lookups_by_token_are_limited_per_ip(visitor_client, place_order, settings):
    order = place_order(visitor_client)
    settings.ORDERLY_ORDER_TOKEN_LOOKUP_RATE_LIMIT = "3/hour"
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    url = f"/api/orders/{order['ref']}/?token=wrong-guess"

    statuses = [guesser.get(url).status_code for _ in range(4)]

    assert statuses == [404, 404, 404, 429]
    refused = guesser.get(url)
    assert int(refused["Retry-After"]) > 0
    assert "detail" in refused.json()
    other_ip = Client(REMOTE_ADDR="203.0.113.10")
    assert other_ip.get(f"/api/orders/{order['ref']}/?token={order['token']}").status_code == 200


def test_a_forged_forwarded_for_header_does_not_pick_a_new_bucket(settings, db):
    settings.ORDERLY_ORDER_TOKEN_LOOKUP_RATE_LIMIT = "2/hour"
    client = Client(REMOTE_ADDR="203.0.113.20")

    statuses = [
        client.get("/api/orders/last/?token=x", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]

    assert statuses == [404, 404, 429]


def test_logged_in_customers_are_not_counted_as_anonymous_lookups(customer_client, settings):
    settings.ORDERLY_ORDER_TOKEN_LOOKUP_RATE_LIMIT = "1/hour"

    statuses = [customer_client.get("/api/orders/?token=x").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]

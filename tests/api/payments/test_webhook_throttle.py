"""Provider notification URLs under a flood of forged posts: each client address is
throttled before any work, and what refused notifications leave behind is bounded."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments.models import NotificationVerdict, PaymentNotification
from tests.api.payments.conftest import (
    GATEWAY_SECRET,
    checkout,
    gateway_event,
    latest_order,
    notifications,
    post_webhook,
    read,
    sign,
)

pytestmark = pytest.mark.usefixtures("test_card")

FORGER, OTHER_FORGER, PROVIDER = "203.0.113.66", "203.0.113.67", "198.51.100.7"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 12, 0, 30, tzinfo=UTC)  # 30 s into a minute

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The rate-limit windows run on this clock, so no test straddles a window by chance."""
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def limits(settings: Any) -> None:
    settings.ORDERLY_WEBHOOK_RATE_LIMIT = "10/minute"
    settings.ORDERLY_WEBHOOK_REFUSED_RECORDS_PER_ADDRESS = "3/hour"
    settings.ORDERLY_WEBHOOK_REFUSED_RECORDS = "5/hour"


def forged(client: Client, body: bytes = b"") -> Any:
    body = body or b'{"id": "evt_forged", "type": "payment.succeeded", "data": {}}'
    return post_webhook(client, "test-card", body, sign(body, "not-the-secret"))


def refused_rows() -> int:
    return PaymentNotification.objects.filter(verdict=NotificationVerdict.REFUSED).count()


def test_a_burst_of_forged_posts_is_throttled_and_leaves_a_bounded_record(
    clock, limits, visitor_client
):
    response = checkout(visitor_client, "test-card")
    assert response.status_code == 201, response.content
    order = latest_order()
    forger = Client(REMOTE_ADDR=FORGER)

    burst = [forged(forger) for _ in range(40)]

    assert [r.status_code for r in burst] == [400] * 10 + [429] * 30
    assert {r["Retry-After"] for r in burst[10:]} == {"30"}  # the minute's window ends
    assert burst[-1].json() == {"detail": "Too many notifications; retry later."}
    assert refused_rows() == 3  # the per-address bound, not 10, not 40

    # The provider's retries come from its own address and go through meanwhile.
    body = gateway_event(order, amount="25.00")
    provider = Client(REMOTE_ADDR=PROVIDER)
    delivered = post_webhook(provider, "test-card", body, sign(body, GATEWAY_SECRET))
    assert delivered.status_code == 200, delivered.content
    assert read(visitor_client, order)["is_paid"] is True

    # A minute later the forger is heard again, and still refused, but no longer recorded.
    clock.advance(60)
    assert [forged(forger).status_code for _ in range(12)] == [400] * 10 + [429] * 2
    assert refused_rows() == 3


def test_refused_records_are_bounded_in_all_whatever_the_addresses(clock, limits, db):
    for n in range(10):
        for _ in range(3):
            assert forged(Client(REMOTE_ADDR=f"203.0.113.{100 + n}")).status_code == 400

    assert refused_rows() == 5
    clock.advance(3600)  # the next hour's window records again
    assert forged(Client(REMOTE_ADDR=FORGER)).status_code == 400
    assert refused_rows() == 6


def test_a_throttled_post_costs_one_counter_update_and_its_body_is_never_read(clock, settings, db):
    settings.ORDERLY_WEBHOOK_RATE_LIMIT = "1/minute"
    forger = Client(REMOTE_ADDR=FORGER)
    assert forged(forger).status_code == 400
    rows = refused_rows()
    # A forged body the view would refuse and record if it read it: a 429 after a single
    # counter query, and no new row, show it was never read.
    huge = json.dumps({"padding": "x" * 1_000_000}).encode()

    with CaptureQueriesContext(connection) as queries:
        response = forged(forger, huge)

    assert response.status_code == 429
    assert len(queries) == 1 and "integration_ratelimitcounter" in queries[0]["sql"]
    assert refused_rows() == rows


def test_a_refused_payload_is_kept_as_a_bounded_excerpt(clock, db):
    body = json.dumps({"id": "evt_big", "padding": "x" * 200_000}).encode()

    response = forged(Client(REMOTE_ADDR=FORGER), body)

    assert response.status_code == 400
    [row] = notifications(verdict=NotificationVerdict.REFUSED)
    assert set(row.payload) == {"excerpt", "truncated_from"}
    assert len(row.payload["excerpt"]) == 2000
    assert row.payload["excerpt"].startswith('{"id": "evt_big", "padding": "xxx')
    assert row.payload["truncated_from"] > 200_000


def test_authenticated_refusals_are_always_recorded(clock, limits, settings, visitor_client):
    settings.ORDERLY_WEBHOOK_REFUSED_RECORDS_PER_ADDRESS = "1/hour"
    provider = Client(REMOTE_ADDR=PROVIDER)
    unknown = {"ref": "2026-99999"}
    assert forged(provider).status_code == 400

    for _ in range(3):
        body = gateway_event(unknown, amount="25.00")
        assert (
            post_webhook(provider, "test-card", body, sign(body, GATEWAY_SECRET)).status_code == 400
        )

    reasons = [row.reason for row in notifications(verdict=NotificationVerdict.REFUSED)]
    assert reasons == ["Bad signature."] + ["Unknown order '2026-99999'."] * 3

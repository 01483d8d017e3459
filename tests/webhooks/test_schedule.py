"""Retries, rotation and disabling over hours and days, on a clock the test controls: the
worker command runs in this process (`run_worker`), so it reads the same clock."""

import itertools
from datetime import timedelta

import pytest
from standardwebhooks import Webhook

from tests.webhooks.conftest import (
    admin_client,
    admin_send_again,
    api,
    endpoint_create,
    order_place,
    run_worker,
)
from tests.webhooks.receiver import always
from tests.webhooks.test_delivery import readme_verify
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.schedule import JITTER

pytestmark = pytest.mark.django_db(transaction=True)

# The README's verifier refuses timestamps older than its tolerance; on a moved clock the
# signatures are checked without it.
ANY_AGE = 10**9


def test_a_500_is_retried_on_schedule_and_a_200_ends_it(shop, make_receiver, clock):
    answers = iter([(500, b"database down"), (200, b"ok")])
    receiver = make_receiver(answer=lambda delivery: next(answers))
    endpoint_create(shop, receiver.url, event_types=["order.created"])
    order_place(shop)
    failed_at = clock()

    run_worker()

    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get()
    (attempt,) = WebhookAttempt.objects.all()
    assert (attempt.status_code, attempt.response_excerpt) == (500, "database down")
    assert attempt.started_at == failed_at
    # The first retry is due 15 s (±20 %) after the failure: within 30 s.
    low = failed_at + timedelta(seconds=15 * (1 - JITTER))
    high = failed_at + timedelta(seconds=15 * (1 + JITTER))
    assert low <= delivery.next_attempt_at <= high
    assert delivery.status == "pending"

    clock.set(delivery.next_attempt_at - timedelta(seconds=1))
    run_worker()
    assert len(receiver.received) == 1  # not due yet

    clock.set(delivery.next_attempt_at)
    run_worker()

    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert int(second.headers["webhook-timestamp"]) == int(clock().timestamp())
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert delivery.attempts_made == 2
    assert [a.status_code for a in WebhookAttempt.objects.order_by("started_at")] == [500, 200]


def test_retries_back_off_for_more_than_three_days_then_stop(shop, make_receiver, clock):
    receiver = make_receiver(answer=always(503))
    endpoint_create(shop, receiver.url, event_types=["order.created"])
    order_place(shop)
    created_at = clock()

    run_worker()
    delays = []
    while (delivery := WebhookDelivery.objects.get()).status == "pending":
        delays.append(delivery.next_attempt_at - clock())
        clock.set(delivery.next_attempt_at)
        run_worker()

    assert delivery.status == "failed"
    assert len(receiver.received) == 11  # the first attempt and ten retries
    assert delays[0] <= timedelta(seconds=30)
    assert all(later > earlier for earlier, later in itertools.pairwise(delays[:7]))
    assert clock() - created_at >= timedelta(days=3)
    assert WebhookAttempt.objects.count() == 11


def test_rotation_signs_with_both_secrets_for_24_hours_then_the_new_one(shop, make_receiver, clock):
    receiver = make_receiver()
    rotated_at = clock.advance(hours=-1)  # so the delivery below is signed about now
    endpoint = endpoint_create(shop, receiver.url, event_types=["order.created"])
    old = endpoint["secret"]
    new = api(shop).post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret").json()["secret"]
    clock.advance(hours=1)
    order_place(shop)

    run_worker()

    (delivery,) = receiver.wait_for(1)
    assert len(delivery.headers["webhook-signature"].split(" ")) == 2
    verify = readme_verify()
    for secret in (old, new):
        Webhook(secret).verify(delivery.body, delivery.headers)
        assert verify(secret, delivery.headers, delivery.body)

    clock.set(rotated_at + timedelta(hours=24, seconds=1))
    order_place(shop)
    run_worker()

    _, later = receiver.wait_for(2)
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    assert verify(new, later.headers, later.body, ANY_AGE)
    assert not verify(old, later.headers, later.body, ANY_AGE)


def test_an_endpoint_failing_for_five_days_is_disabled_and_staff_see_why(
    shop, make_receiver, clock
):
    receiver = make_receiver(answer=always(500))
    endpoint = endpoint_create(shop, receiver.url, event_types=["order.created"])
    order_place(shop)
    run_worker()
    clock.advance(days=4, hours=23)
    order_place(shop)
    run_worker()
    assert api(shop).get(f"/v1/webhook-endpoints/{endpoint['id']}").json()["status"] == "active"

    clock.advance(hours=1)
    order_place(shop)
    run_worker()

    shown = api(shop).get(f"/v1/webhook-endpoints/{endpoint['id']}").json()
    assert shown["status"] == "disabled"
    page = admin_client().get(f"/admin/webhooks/webhookendpoint/{endpoint['id']}/change/")
    assert "Every delivery failed since" in page.content.decode()
    assert "HTTP 500" in page.content.decode()
    received = len(receiver.received)
    order_place(shop)
    run_worker()
    assert len(receiver.received) == received  # nothing more goes to a disabled endpoint


def test_a_success_ends_the_failure_streak(shop, make_receiver, clock):
    answers = iter([500, 200, 500])
    receiver = make_receiver(answer=lambda delivery: (next(answers), b""))
    endpoint = endpoint_create(shop, receiver.url, event_types=["order.created"])
    order_place(shop)
    run_worker()
    clock.advance(days=1)
    run_worker()  # the retry succeeds
    clock.advance(days=4, hours=1)
    order_place(shop)
    run_worker()

    assert len(receiver.received) == 3
    assert api(shop).get(f"/v1/webhook-endpoints/{endpoint['id']}").json()["status"] == "active"


def test_a_host_turned_private_is_refused_at_delivery(shop, make_receiver, clock, settings):
    receiver = make_receiver()
    endpoint_create(shop, receiver.url, event_types=["order.created"])
    order_place(shop)
    settings.ORDERLY_WEBHOOK_ALLOW_PRIVATE_HOSTS = False  # as if the DNS answer had changed

    run_worker()

    assert receiver.received == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error.startswith("refused:")
    assert "127.0.0.1" in attempt.error
    assert WebhookDelivery.objects.get().status == "pending"  # retried later


def test_send_again_from_the_admin(shop, make_receiver, clock):
    receiver = make_receiver(answer=always(200))
    endpoint_create(shop, receiver.url, event_types=["order.created"])
    order_place(shop)
    run_worker()
    delivery = WebhookDelivery.objects.get()

    page = admin_client().get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert "200" in page.content.decode()
    admin_send_again(delivery)
    run_worker()

    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 2


def test_send_again_makes_the_next_attempt_once_and_restarts_the_back_off(
    shop, make_receiver, clock
):
    receiver = make_receiver(answer=always(500))
    endpoint_create(shop, receiver.url, event_types=["order.created"])
    order_place(shop)
    run_worker()
    first_retry_at = WebhookDelivery.objects.get().next_attempt_at
    clock.advance(hours=1)
    run_worker()  # the first retry fails too; the next waits ~1 min
    clock.advance(seconds=10)

    admin_send_again(WebhookDelivery.objects.get())
    run_worker()

    delivery = WebhookDelivery.objects.get()
    assert len(receiver.received) == 3
    assert delivery.attempts_made == 3
    # The back-off starts over: the retry after a "send again" is due ~15 s later.
    low = clock() + timedelta(seconds=15 * (1 - JITTER))
    assert low <= delivery.next_attempt_at <= clock() + timedelta(seconds=15 * (1 + JITTER))
    assert first_retry_at < delivery.next_attempt_at
    clock.advance(minutes=2)  # past the retry queued before "send again" too
    run_worker()
    assert len(receiver.received) == 4  # the new retry, once; the task from before is spent
    assert WebhookAttempt.objects.count() == 4

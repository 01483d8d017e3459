"""Deliveries end to end: orders moved through the APIs, the worker as a real process, and
receivers that are real HTTP servers verifying every signature."""

import json
import re
import threading
from collections import Counter

import pytest
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from tests.webhooks.conftest import (
    ROOT,
    admin_send_again,
    api,
    endpoint_create,
    order_pay_ship_refund,
    order_place,
    run_dispatch_only,
    wait_until,
)
from tests.webhooks.receiver import Delivery, Receiver, always
from webhooks.models import WebhookAttempt, WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)

LIFECYCLE_TYPES = {
    "order.created",
    "order.status_changed",
    "order.paid",
    "payment.recorded",
    "refund.recorded",
}


def readme_verify():
    """The verification snippet of README.md ("Verifying a delivery"), run as printed."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Verifying a delivery", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    return namespace["verify"]


def team_events(shop) -> list[dict]:
    """Every event of the team, oldest first, from the `/v1/events` feed."""
    events, query = [], {"limit": 100}
    while records := (page := api(shop).get("/v1/events", query).json())["records"]:
        events += records
        query["after"] = page["next_after"]
    return events


def test_a_paid_shipped_refunded_order_reaches_the_receiver_once_per_event_signed(
    shop, receiver, start_worker
):
    endpoint = endpoint_create(shop, receiver.url)
    order = order_place(shop)
    order_pay_ship_refund(shop, order["reference_number"])
    expected = team_events(shop)
    assert {event["type"] for event in expected} >= LIFECYCLE_TYPES

    start_worker()
    received = receiver.wait_for(len(expected))

    ids = [delivery.headers["webhook-id"] for delivery in received]
    assert Counter(ids) == Counter(event["id"] for event in expected)  # each exactly once
    verify = readme_verify()
    for delivery in received:
        body = Webhook(endpoint["secret"]).verify(delivery.body, delivery.headers)
        assert verify(endpoint["secret"], delivery.headers, delivery.body)
        assert not verify(endpoint["secret"], delivery.headers, delivery.body + b" ")
        assert body["id"] == delivery.headers["webhook-id"]
        assert delivery.headers["content-type"] == "application/json"
    bodies = {delivery.headers["webhook-id"]: json.loads(delivery.body) for delivery in received}
    assert bodies == {event["id"]: event for event in expected}  # as the feed lists them
    wait_until(
        lambda: set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"},
        what="every delivery recorded as delivered",
    )


def test_event_types_filter_what_an_endpoint_receives(shop, make_receiver, start_worker):
    everything, paid_only = make_receiver(), make_receiver()
    endpoint_create(shop, everything.url)
    endpoint_create(shop, paid_only.url, event_types=["order.paid"])
    order = order_place(shop)
    order_pay_ship_refund(shop, order["reference_number"])

    start_worker()
    everything.wait_for(len(team_events(shop)))
    received = paid_only.wait_for(1)

    assert [json.loads(delivery.body)["type"] for delivery in received] == ["order.paid"]


def test_a_worker_killed_mid_delivery_delivers_everything_after_a_restart(shop, start_worker):
    """The receiver holds the first request until the worker is killed with SIGKILL; after
    a restart every event arrives, and an idempotent receiver acts on each id once."""
    first_request_held = threading.Event()
    worker_killed = threading.Event()
    acted_on: Counter = Counter()
    first_seen: dict[str, bytes] = {}
    lock = threading.Lock()

    def answer(delivery: Delivery) -> tuple[int, bytes]:
        if not first_request_held.is_set():
            first_request_held.set()
            worker_killed.wait(30)  # hangs until the worker is dead
            return 200, b"too late"
        event_id = delivery.headers["webhook-id"]
        with lock:  # idempotent: a repeat (same id, same body) is acknowledged, not acted on
            if event_id in first_seen:
                assert first_seen[event_id] == delivery.body
            else:
                first_seen[event_id] = delivery.body
                acted_on[event_id] += 1
        return 200, b"ok"

    receiver = Receiver(answer=answer).start()
    try:
        endpoint = endpoint_create(shop, receiver.url)
        order = order_place(shop)
        order_pay_ship_refund(shop, order["reference_number"])
        expected = {event["id"] for event in team_events(shop)}

        worker = start_worker()
        assert first_request_held.wait(30)
        worker.kill()
        worker_killed.set()
        # The new worker takes back the killed one's task once its lease (1 s here) is over.
        start_worker(ORDERLY_TASK_LEASE="1")

        wait_until(lambda: set(acted_on) == expected, what="every event after the restart")
        assert set(acted_on.values()) == {1}
        for delivery in receiver.received[1:]:
            Webhook(endpoint["secret"]).verify(delivery.body, delivery.headers)
        wait_until(
            lambda: WebhookDelivery.objects.filter(status="delivered").count() == len(expected),
            what="every delivery recorded",
        )
    finally:
        worker_killed.set()
        receiver.stop()


def test_410_disables_the_endpoint(shop, make_receiver, start_worker):
    gone = make_receiver(answer=always(410, b"gone"))
    endpoint = endpoint_create(shop, gone.url)
    order_place(shop)

    start_worker()
    gone.wait_for(1)
    shown = wait_until(
        lambda: (
            api(shop).get(f"/v1/webhook-endpoints/{endpoint['id']}").json()["status"] == "disabled"
        ),
        what="the endpoint disabled",
    )
    assert shown
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 410
    assert attempt.response_excerpt == "gone"
    assert WebhookDelivery.objects.get().status == "failed"


def test_a_hanging_receiver_does_not_hold_up_another_endpoint(shop, make_receiver, start_worker):
    release = threading.Event()
    hanging = make_receiver(answer=lambda delivery: (release.wait(30), (200, b""))[1])
    healthy = make_receiver()
    endpoint_create(shop, hanging.url)
    endpoint_create(shop, healthy.url)
    try:
        order_place(shop)
        expected = len(team_events(shop))

        start_worker()
        hanging.wait_for(1)
        # Everything reaches the healthy endpoint while the other one still hangs.
        healthy.wait_for(expected, timeout=8)
        assert not release.is_set()
    finally:
        release.set()


def test_two_workers_never_send_one_attempt_twice(shop, make_receiver, start_worker):
    """One attempt queued twice ("send again" in the admin while it is still queued) and two
    workers running: while one worker's request is in flight, the other takes the second
    task, finds the delivery locked and leaves it; the receiver sees one request."""
    release = threading.Event()
    receiver = make_receiver(answer=lambda delivery: (release.wait(20), (200, b""))[1])
    endpoint_create(shop, receiver.url, event_types=["order.created"])
    order_place(shop)
    run_dispatch_only()
    delivery = WebhookDelivery.objects.get()
    admin_send_again(delivery)
    attempt_tasks = DBTaskResult.objects.filter(task_path="webhooks.tasks.webhook_attempt")
    assert attempt_tasks.count() == 2

    try:
        start_worker(), start_worker()
        receiver.wait_for(1)
        wait_until(
            lambda: attempt_tasks.filter(status="SUCCESSFUL").count() == 1,
            what="the other worker done with the second task while the request is in flight",
        )
        release.set()
        wait_until(lambda: attempt_tasks.filter(status="SUCCESSFUL").count() == 2)
    finally:
        release.set()
    assert len(receiver.received) == 1
    assert WebhookAttempt.objects.count() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"

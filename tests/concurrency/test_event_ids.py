"""Event ids sort in commit order (events migration 0001), proven with transactions that
commit in the opposite order from the one they inserted their events in."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from events.models import Event
from events.services import event_record
from orders.models import Order
from tests.concurrency.test_checkout_and_status import add_to_basket
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def in_thread(action: Callable[[], Any]) -> threading.Thread:
    def run() -> None:
        try:
            action()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_an_event_inserted_first_but_committed_last_gets_the_larger_id(browsers: Any) -> None:
    product = ProductFactory(price="10.00")
    buyer = browsers()
    # Two orders: an event stores its order's document, and two transactions writing
    # one order's document would wait for each other (as changes to one order do).
    for _ in range(2):
        add_to_basket(buyer, product)
        placed = buyer.post(
            "/api/checkout/", {**CHECKOUT_BODY, "payment_method": "pay-on-delivery"}
        )
        assert placed.status_code == 201, placed.text
    order, other_order = Order.objects.order_by("id")
    seen_before = set(Event.objects.values_list("id", flat=True))
    first_inserted = threading.Event()
    second_committed = threading.Event()
    reader_done = threading.Event()
    keys: dict[str, str] = {}

    def slow() -> None:
        with transaction.atomic():
            keys["slow"] = str(event_record(order=order, type="note.added").key)
            first_inserted.set()
            # Committed only once the reader below has looked between the two commits.
            assert reader_done.wait(timeout=30)

    def quick() -> None:
        assert first_inserted.wait(timeout=30)
        with transaction.atomic():
            keys["quick"] = str(event_record(order=other_order, type="note.added").key)
        second_committed.set()

    threads = [in_thread(slow), in_thread(quick)]
    # A reader between the two commits sees the quick one only.
    assert second_committed.wait(timeout=30)
    walked_so_far = list(
        Event.objects.exclude(id__in=seen_before).order_by("id").values_list("key", flat=True)
    )
    reader_done.set()
    for thread in threads:
        thread.join(timeout=30)

    ids = {name: Event.objects.get(key=key).id for name, key in keys.items()}
    assert ids["quick"] < ids["slow"]
    assert [str(key) for key in walked_so_far] == [keys["quick"]]
    # Walking on from the last id the reader saw finds the late commit: nothing skipped.
    after = max(seen_before | {ids["quick"]})
    assert list(Event.objects.filter(id__gt=after).values_list("id", flat=True)) == [ids["slow"]]

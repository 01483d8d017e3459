"""1,000 events from concurrent checkouts and status changes: each change writes exactly one
event and one dispatch task, and a client walking `/v1/events` while they are written sees
every event exactly once."""

import threading
from collections import Counter
from typing import Any

import httpx
import pytest
from django_tasks_db.models import DBTaskResult

from events.models import Event
from integration.services import api_token_create
from tests.concurrency.conftest import run_together
from tests.factories import ProductFactory, ProfileFactory, StaffFactory, TeamFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

WRITERS = 10
ORDERS_PER_WRITER = 25
MOVES = ["PROCESSING", "SHIPPED", "COMPLETED"]  # with its creation, 4 events per order


def test_a_thousand_events_none_lost_none_twice_and_the_feed_walks_them_once(
    live_server: Any, browsers: Any
) -> None:
    team = TeamFactory()
    profile = ProfileFactory(team=team)
    product = ProductFactory(price="10.00")
    token = api_token_create(team=team, token_type="full_access", rate_limit="100000/minute").raw
    bearer = {"Authorization": f"Bearer {token}"}
    staff = StaffFactory()
    admins = [browsers().log_in(staff) for _ in range(WRITERS)]
    checkout = {"profile_id": str(profile.pk), "line_items": [{"product_id": str(product.pk)}]}
    writing = threading.Event()  # set while any writer still writes
    writing.set()

    def write(index: int) -> list[str]:
        refs = []
        with httpx.Client(base_url=live_server.url, headers=bearer, timeout=30) as api:
            for _ in range(ORDERS_PER_WRITER):
                placed = api.post("/v1/orders/checkout", json=checkout)
                assert placed.status_code == 201, placed.text
                ref = placed.json()["reference_number"]
                for status in MOVES:
                    moved = admins[index].put(f"/api/orders/{ref}/status/", {"status": status})
                    assert moved.status_code == 200, moved.text
                refs.append(ref)
        return refs

    def poll() -> list[str]:
        """Walk the feed from the start while the writers write, then to its end."""
        seen: list[str] = []
        after = ""
        pages_while_writing = 0
        with httpx.Client(base_url=live_server.url, headers=bearer, timeout=30) as api:
            while True:
                still_writing = writing.is_set()
                page = api.get(f"/v1/events?limit=100{after}").json()
                seen += [record["id"] for record in page["records"]]
                pages_while_writing += bool(still_writing and page["records"])
                if page["next_after"]:
                    after = f"&after={page['next_after']}"
                if not page["records"] and not still_writing:
                    assert pages_while_writing > 1, "the walk did not overlap the writes"
                    return seen

    remaining = Counter(writers=WRITERS)
    lock = threading.Lock()

    def act(index: int) -> Any:
        if index == WRITERS:
            return poll()
        try:
            return write(index)
        finally:
            with lock:
                remaining["writers"] -= 1
                if remaining["writers"] == 0:
                    writing.clear()

    results = run_together(WRITERS + 1, act)
    refs = [ref for refs in results[:WRITERS] for ref in refs]
    walked = results[WRITERS]

    events = list(Event.objects.filter(team=team).order_by("id"))
    assert len(refs) == WRITERS * ORDERS_PER_WRITER == 250
    assert len(events) == 4 * len(refs) == 1000
    # Exactly one event per change: a creation and each move, for every order.
    per_change = Counter((event.ref, event.type, event.data.get("to")) for event in events)
    expected = {(ref, "order.created", None) for ref in refs} | {
        (ref, "order.status_changed", status) for ref in refs for status in MOVES
    }
    assert set(per_change) == expected
    assert set(per_change.values()) == {1}
    # One dispatch task per event, none twice.
    tasks = DBTaskResult.objects.filter(task_path="events.tasks.event_dispatch")
    keys = Counter(task.args_kwargs["args"][0] for task in tasks)
    assert set(keys.values()) == {1}
    assert set(keys) == {str(event.key) for event in events}
    # The walk while writing saw every event once, in id order.
    assert walked == [event.id for event in events]

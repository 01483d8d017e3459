"""`/api/orders/<ref>/status/`: staff read and move an order through the status machine."""

from typing import Any

import pytest
from django.test import Client

from orders.models import Order, OrderEvent, OrderEventType
from tests.contract import ALLOWED, LABELS, PATH_FROM_CREATED, STATUSES


def status_url(ref: str) -> str:
    return f"/api/orders/{ref}/status/"


def put_status(client: Client, ref: str, body: Any) -> Any:
    return client.put(status_url(ref), body, content_type="application/json")


def refusal(source: str, target: str) -> str:
    return f"Can't change order with status '{LABELS[source]}' to '{LABELS[target]}'."


def status_events(ref: str) -> list[tuple[str, str, Any, str]]:
    return [
        (event.from_status, event.to_status, event.actor_id, event.source)
        for event in OrderEvent.objects.filter(
            order__ref=ref, type=OrderEventType.STATUS_CHANGED
        ).order_by("id")
    ]


def db_status(ref: str) -> str:
    return Order.objects.get(ref=ref).status


@pytest.fixture
def order_in(place_order, visitor_client, staff_client):
    """Place an order (through checkout) and walk it to `status` through the API."""

    def make(status: str) -> str:
        ref = place_order(visitor_client, payment_method="pay-on-delivery")["ref"]
        for step in PATH_FROM_CREATED[status]:
            response = put_status(staff_client, ref, {"status": step})
            assert response.status_code == 200, response.content
        assert db_status(ref) == status
        return ref

    return make


# --- GET -------------------------------------------------------------------------------


def test_status_shows_the_seeds_shape_for_a_held_order(place_order, visitor_client, staff_client):
    ref = place_order(visitor_client)["ref"]

    response = staff_client.get(status_url(ref))

    assert response.status_code == 200
    # The seed's own example, verbatim.
    assert response.json() == {
        "status": "HOLD",
        "status_display": "Hold",
        "status_transitions": [
            {"value": "NEW", "label": "New", "error": refusal("HOLD", "NEW")},
            {"value": "CREATED", "label": "Created", "error": refusal("HOLD", "CREATED")},
            {"value": "HOLD", "label": "Hold", "error": None},
            {"value": "FAILED", "label": "Failed", "error": None},
            {"value": "CANCELLED", "label": "Cancelled", "error": None},
            {"value": "PROCESSING", "label": "Processing", "error": None},
            {"value": "SHIPPED", "label": "Shipped", "error": refusal("HOLD", "SHIPPED")},
            {"value": "COMPLETED", "label": "Completed", "error": refusal("HOLD", "COMPLETED")},
            {"value": "REFUNDED", "label": "Refunded", "error": refusal("HOLD", "REFUNDED")},
        ],
    }
    assert refusal("HOLD", "NEW") == "Can't change order with status 'Hold' to 'New'."


@pytest.mark.parametrize("current", list(PATH_FROM_CREATED))
def test_status_transitions_follow_the_contract_table(order_in, staff_client, current):
    ref = order_in(current)

    body = staff_client.get(status_url(ref)).json()

    assert (body["status"], body["status_display"]) == (current, LABELS[current])
    assert [t["value"] for t in body["status_transitions"]] == STATUSES
    assert [t["label"] for t in body["status_transitions"]] == list(LABELS.values())
    for transition in body["status_transitions"]:
        target = transition["value"]
        if target == current or target in ALLOWED[current]:
            assert transition["error"] is None, target
        else:
            assert transition["error"] == refusal(current, target)


@pytest.mark.parametrize(
    ("caller", "message"),
    [
        ("visitor_client", "Authentication credentials were not provided."),
        ("customer_client", "You do not have permission to perform this action."),
    ],
)
def test_only_staff_may_read_or_change_the_status(request, place_order, caller, message):
    client = request.getfixturevalue(caller)
    order = place_order(client)  # even the order's own buyer
    url = f"{status_url(order['ref'])}?token={order['token']}"

    read = client.get(url)
    change = client.put(url, {"status": "CANCELLED"}, content_type="application/json")

    assert (read.status_code, read.json()) == (403, {"detail": message})
    assert (change.status_code, change.json()) == (403, {"detail": message})
    assert db_status(order["ref"]) == "HOLD"
    assert status_events(order["ref"]) == [
        ("NEW", "CREATED", order["user"], "api"),
        ("CREATED", "HOLD", order["user"], "api"),
    ]


def test_status_of_an_unknown_order_is_a_404(staff_client):
    assert staff_client.get(status_url("1999-99999")).status_code == 404
    assert put_status(staff_client, "1999-99999", {"status": "HOLD"}).status_code == 404


# --- PUT -------------------------------------------------------------------------------


def test_staff_move_an_order_and_the_change_is_recorded(
    place_order, visitor_client, staff_client, staff
):
    ref = place_order(visitor_client)["ref"]
    before = status_events(ref)

    response = put_status(staff_client, ref, {"status": "PROCESSING"})

    assert response.status_code == 200
    assert response.json() == {"status": "PROCESSING", "status_display": "Processing"}
    assert db_status(ref) == "PROCESSING"
    assert status_events(ref) == [*before, ("HOLD", "PROCESSING", staff.pk, "api")]
    assert staff_client.get(f"/api/orders/{ref}/").json()["status"] == "PROCESSING"


def test_a_walk_through_the_machine_records_one_event_per_change(order_in, staff_client, staff):
    ref = order_in("CREATED")
    before = status_events(ref)

    for target in ("HOLD", "FAILED", "PROCESSING", "SHIPPED", "COMPLETED", "REFUNDED"):
        response = put_status(staff_client, ref, {"status": target})
        assert response.status_code == 200, (target, response.content)

    assert status_events(ref)[len(before) :] == [
        ("CREATED", "HOLD", staff.pk, "api"),
        ("HOLD", "FAILED", staff.pk, "api"),
        ("FAILED", "PROCESSING", staff.pk, "api"),
        ("PROCESSING", "SHIPPED", staff.pk, "api"),
        ("SHIPPED", "COMPLETED", staff.pk, "api"),
        ("COMPLETED", "REFUNDED", staff.pk, "api"),
    ]


@pytest.mark.parametrize("body", [{"status": "HOLD"}, {}], ids=["same-status", "empty-body"])
def test_the_current_status_or_an_empty_body_is_a_no_op(
    place_order, visitor_client, staff_client, body
):
    ref = place_order(visitor_client)["ref"]
    before = status_events(ref)
    updated_at = Order.objects.get(ref=ref).updated_at

    response = put_status(staff_client, ref, body)

    assert response.status_code == 200
    assert response.json() == {"status": "HOLD", "status_display": "Hold"}
    assert status_events(ref) == before
    assert Order.objects.get(ref=ref).updated_at == updated_at


def test_a_put_with_no_body_at_all_is_a_no_op(place_order, visitor_client, staff_client):
    ref = place_order(visitor_client)["ref"]
    before = status_events(ref)

    response = staff_client.put(status_url(ref))

    assert response.status_code == 200
    assert response.json() == {"status": "HOLD", "status_display": "Hold"}
    assert status_events(ref) == before


def test_a_disallowed_move_is_a_400_with_the_seeds_message(
    place_order, visitor_client, staff_client
):
    ref = place_order(visitor_client)["ref"]
    before = status_events(ref)

    response = put_status(staff_client, ref, {"status": "NEW"})

    assert response.status_code == 400
    assert response.json() == {"status": ["Can't change order with status 'Hold' to 'New'."]}
    assert db_status(ref) == "HOLD"
    assert status_events(ref) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "LOST"}, '"LOST" is not a valid choice.'),
        ({"status": "hold"}, '"hold" is not a valid choice.'),
        ({"status": "Hold"}, '"Hold" is not a valid choice.'),
        ({"status": ""}, '"" is not a valid choice.'),
        ({"status": None}, "This field may not be null."),
    ],
)
def test_an_unknown_status_is_a_field_error(
    place_order, visitor_client, staff_client, body, message
):
    ref = place_order(visitor_client)["ref"]
    before = status_events(ref)

    response = put_status(staff_client, ref, body)

    assert response.status_code == 400
    assert response.json() == {"status": [message]}
    assert db_status(ref) == "HOLD"
    assert status_events(ref) == before


@pytest.mark.parametrize(
    ("current", "target"),
    [pytest.param(c, t, id=f"{c}-to-{t}") for c in PATH_FROM_CREATED for t in STATUSES],
)
def test_every_move_through_the_api_obeys_the_table(order_in, staff_client, staff, current, target):
    ref = order_in(current)
    before = status_events(ref)

    response = put_status(staff_client, ref, {"status": target})

    if target == current:
        assert response.status_code == 200
        assert status_events(ref) == before
    elif target in ALLOWED[current]:
        assert response.status_code == 200, response.content
        assert response.json() == {"status": target, "status_display": LABELS[target]}
        assert status_events(ref) == [*before, (current, target, staff.pk, "api")]
    else:
        assert response.status_code == 400
        assert response.json() == {"status": [refusal(current, target)]}
        assert status_events(ref) == before
    assert db_status(ref) == (target if target in ALLOWED[current] else current)

"""The order status machine, pair by pair, against the contract's table.

Every ordered pair (from, to) of the nine statuses is tried on a real order: placed
through the storefront checkout, walked to `from` with `orders.services.order_transition`
(the one service the API, the admin and callbacks use), then asked to move to `to`.
"""

from decimal import Decimal
from itertools import product as pairs_of

import pytest
from django.db import transaction
from django_fsm import TransitionNotAllowed

from orders.exceptions import StatusChangeNotAllowed
from orders.models import (
    Order,
    OrderEvent,
    OrderEventType,
    OrderStatus,
    new_order_token,
    order_token_digest,
    order_token_sealed,
)
from orders.services import order_ref_next, order_transition
from tests.contract import ALLOWED, LABELS, PATH_FROM_CREATED, STATUSES


def test_the_tables_cover_every_status():
    assert list(OrderStatus.values) == STATUSES
    assert [str(label) for label in OrderStatus.labels] == list(LABELS.values())
    assert set(PATH_FROM_CREATED) == set(STATUSES) - {"NEW"}


def order_still_new() -> Order:
    """An order in NEW, as `orders.services.order_place` holds it before its first move.

    No public path leaves an order in NEW: `order_place` creates the row and moves it to
    CREATED in the same transaction. To try moves out of NEW, this creates the row the way
    `order_place` does (a ref from the counter, a token sealed and stored with its digest) and stops
    there. The status is never assigned: NEW is the field's default.
    """
    token = new_order_token()
    with transaction.atomic():
        return Order.objects.create(
            ref=order_ref_next(),
            token_sealed=order_token_sealed(token),
            token_digest=order_token_digest(token),
            email="new@example.com",
            subtotal=Decimal("0.00"),
            total=Decimal("0.00"),
        )


@pytest.fixture
def order_in(place_order, visitor_client, staff):
    def make(status: str) -> Order:
        if status == "NEW":
            return order_still_new()
        ref = place_order(visitor_client, payment_method="pay-on-delivery")["ref"]
        order = Order.objects.get(ref=ref)
        for step in PATH_FROM_CREATED[status]:
            order = order_transition(order=order, status=step, actor=staff, source="test")
        order = Order.objects.get(ref=ref)
        assert order.status == status
        return order

    return make


def status_events(order: Order) -> list[tuple[str, str]]:
    events = OrderEvent.objects.filter(order=order, type=OrderEventType.STATUS_CHANGED)
    return list(events.order_by("id").values_list("from_status", "to_status"))


@pytest.mark.parametrize(
    ("source", "target"),
    [pytest.param(s, t, id=f"{s}-to-{t}") for s, t in pairs_of(STATUSES, STATUSES)],
)
def test_a_move_is_allowed_exactly_when_the_contract_allows_it(order_in, staff, source, target):
    order = order_in(source)
    before = status_events(order)

    if target == source or target in ALLOWED[source]:
        moved = order_transition(order=order, status=target, actor=staff, source="test")
        assert moved.status == target
    else:
        with pytest.raises(StatusChangeNotAllowed) as refused:
            order_transition(order=order, status=target, actor=staff, source="test")
        assert refused.value.field == "status"
        assert refused.value.message == (
            f"Can't change order with status '{LABELS[source]}' to '{LABELS[target]}'."
        )

    stored = Order.objects.get(pk=order.pk)
    if target in ALLOWED[source]:
        assert stored.status == target
        assert status_events(order) == [*before, (source, target)]
        event = OrderEvent.objects.filter(order=order).latest("id")
        assert (event.actor, event.source) == (staff, "test")
    else:  # a refusal or staying put changes and records nothing
        assert stored.status == source
        assert status_events(order) == before


@pytest.mark.parametrize("source", STATUSES)
def test_the_machine_offers_exactly_the_contract_moves(order_in, source):
    order = order_in(source)

    offered = {transition.target for transition in order.get_available_status_transitions()}

    assert offered == ALLOWED[source]


@pytest.mark.parametrize("source", STATUSES)
def test_assigning_the_status_directly_is_refused(order_in, source):
    order = order_in(source)
    other = "CANCELLED" if source != "CANCELLED" else "CREATED"

    with pytest.raises(AttributeError, match="Direct status modification is not allowed"):
        order.status = other

    assert order.status == source
    assert Order.objects.get(pk=order.pk).status == source


def test_a_transition_method_refuses_a_move_the_table_forbids(order_in):
    order = order_in("HOLD")

    with pytest.raises(TransitionNotAllowed):
        order.ship()

    assert order.status == "HOLD"


def test_an_unknown_status_is_refused(order_in, staff):
    order = order_in("CREATED")

    with pytest.raises(StatusChangeNotAllowed) as refused:
        order_transition(order=order, status="LOST", actor=staff, source="test")

    assert refused.value.message == '"LOST" is not a valid choice.'

    assert Order.objects.get(pk=order.pk).status == "CREATED"


def test_an_order_from_checkout_went_through_new(order_in):
    order = order_in("CREATED")

    assert status_events(order) == [("NEW", "CREATED")]

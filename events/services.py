"""Writing events: one outbox row per observable change, in the change's transaction."""

from typing import Any

from django.db import transaction

from events.documents import order_document, wire_values
from events.models import Event, EventType
from events.tasks import event_dispatch
from orders.events import order_changed
from orders.models import Order


def event_record(*, order: Order, type: str, data: dict[str, Any] | None = None) -> Event:
    """Append the event of a change to `order` and enqueue its dispatch, both in the
    caller's transaction: if it rolls back, neither the event nor the task exists.

    The event carries the order as its API shows it now, plus `data` (from/to, the
    payment...). Its `id` is final once the transaction commits.
    """
    if type not in EventType.values:
        raise ValueError(f"Unknown event type {type!r}")
    # No savepoint: it always runs inside the change's transaction, which fails with it.
    with transaction.atomic(savepoint=False):
        document, money = order_document(order)
        event = Event.objects.create(
            team_id=order.team_id,
            order=order,
            ref=order.ref,
            type=type,
            data={**wire_values(data or {}, money), "order": document},
        )
        event_dispatch.enqueue(str(event.key))
    return event


def _on_order_changed(
    sender: Any, *, order: Order, type: str, data: dict[str, Any], **_: Any
) -> None:
    event_record(order=order, type=type, data=data)


def connect() -> None:
    order_changed.connect(_on_order_changed, dispatch_uid="events.record")

"""Every observable change appends its event in the change's transaction (the outbox)."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from events.models import Event, ImmutableEvent
from events.selectors import event_body
from kernel.conf import DEFAULTS
from orders.models import Order
from orders.services import payment_record
from payments.exceptions import RefundDeclined
from payments.methods import PaymentMethod

pytestmark = pytest.mark.django_db


def _types(order_ref: str) -> list[str]:
    return list(Event.objects.filter(ref=order_ref).order_by("id").values_list("type", flat=True))


def test_checkout_appends_order_created_with_the_storefront_order(
    customer_client: Client, place_order: Any
) -> None:
    order = place_order(customer_client, payment_method="pay-on-delivery")

    assert _types(order["ref"]) == ["order.created"]
    event = Event.objects.get(ref=order["ref"])
    assert event.id.startswith("evt_") and len(event.id) == 20
    assert event.team_id is None
    document = event.data["order"]
    assert document["ref"] == order["ref"]
    assert document["status"] == "CREATED"
    assert document["total"] == order["total"]
    assert "token" not in document
    # One dispatch task per event, written with it.
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(event.key)]).count() == 1


@pytest.fixture
def admin_client(staff: Any) -> Client:
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    return client


def admin_change(client: Client, ref: str, **fields: Any) -> None:
    """Post the admin's order page (status move, note, manual payment) as staff do."""
    order = Order.objects.get(ref=ref)
    data: dict[str, Any] = {**fields}
    for prefix in ["items", "payments", "notes", "events"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(f"/admin/orders/order/{order.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_payment_status_changes_and_public_notes(
    customer_client: Client, admin_client: Client, place_order: Any
) -> None:
    order = place_order(customer_client)  # pay in advance: HOLD
    ref = order["ref"]

    admin_change(admin_client, ref, record_payment="on")
    admin_change(admin_client, ref, move_to="SHIPPED")
    admin_change(admin_client, ref, note="Leaves on Monday.", note_is_public="on")
    admin_change(admin_client, ref, note="Staff only.")

    assert _types(ref) == [
        "order.created",
        "order.status_changed",
        "payment.recorded",
        "order.paid",
        "order.status_changed",
        "order.status_changed",
        "note.added",
    ]
    events = list(Event.objects.filter(ref=ref).order_by("id"))
    assert (events[1].data["from"], events[1].data["to"]) == ("CREATED", "HOLD")
    payment = events[2].data["payment"]
    assert (payment["amount"], payment["payment_method"]) == (order["total"], "manual")
    assert events[3].data["order"]["is_paid"] is True
    assert (events[4].data["from"], events[4].data["to"]) == ("HOLD", "PROCESSING")
    assert (events[5].data["from"], events[5].data["to"]) == ("PROCESSING", "SHIPPED")
    assert events[5].data["order"]["status"] == "SHIPPED"
    assert events[6].data["note"] == {"message": "Leaves on Monday."}
    body = event_body(events[5])
    assert list(body) == ["id", "type", "created_at", "ref", "team_id", "data"]
    assert body["id"] == events[5].id and body["ref"] == ref


def test_events_are_immutable(customer_client: Client, place_order: Any) -> None:
    order = place_order(customer_client)
    event = Event.objects.filter(ref=order["ref"]).first()
    assert event is not None
    with pytest.raises(ImmutableEvent):
        event.save()
    with pytest.raises(ImmutableEvent):
        event.delete()


class RefusingRefunds(PaymentMethod):
    identifier = "refusing-refunds"
    label = "Refusing refunds"

    def refund(self, payment: Any, *, amount: Decimal, context: Any) -> str:
        raise RefundDeclined("The provider refuses refunds today.")


def test_a_refused_refund_appends_refund_failed_and_a_made_one_refund_recorded(
    settings: Any, customer_client: Client, staff_client: Client, place_order: Any
) -> None:
    settings.ORDERLY_PAYMENT_METHODS = [*DEFAULTS["PAYMENT_METHODS"], f"{__name__}.RefusingRefunds"]
    order = place_order(customer_client)  # 10.00, pay in advance
    payment_record(
        order=Order.objects.get(ref=order["ref"]),
        amount=Decimal("4.00"),
        transaction_id="prov-1",
        payment_method="refusing-refunds",
        actor=None,
        source="callback",
    )
    paid = staff_client.post(
        f"/api/orders/{order['ref']}/pay/",
        {"payment_method": "manual"},
        content_type="application/json",
    )
    assert paid.status_code == 200, paid.content

    response = staff_client.post(f"/api/orders/{order['ref']}/refund/")

    assert response.status_code == 206, response.content
    failed = Event.objects.get(ref=order["ref"], type="refund.failed")
    assert failed.data["refund"] == {
        "amount": "4.00",
        "payment_method": "refusing-refunds",
        "transaction_id": "prov-1",
        "reason": "The provider refuses refunds today.",
    }
    recorded = Event.objects.get(ref=order["ref"], type="refund.recorded")
    assert recorded.data["refund"]["amount"] == "6.00"
    assert Event.objects.filter(ref=order["ref"], type="order.paid").count() == 1

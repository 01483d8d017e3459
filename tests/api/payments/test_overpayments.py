"""Money a provider took is never left off the ledger: a payment confirmed for an order
that was already paid, cancelled or refunded is recorded as an overpayment, shown in
`amount_paid` on both APIs, flagged for staff in the admin, and refunded by staff."""

import logging
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from integration.services import api_token_create
from orders.models import OrderPayment
from orders.selectors import order_queryset
from payments.models import NotificationVerdict
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
from tests.factories import ProductFactory, ProfileFactory, TeamFactory

pytestmark = pytest.mark.usefixtures("test_card")


def placed(client: Client) -> dict[str, Any]:
    """An order of 25.00 paying with the test card, not paid yet."""
    assert checkout(client, "test-card").status_code == 201
    return latest_order()


def notify(client: Client, order: dict[str, Any], amount: str, payment_id: str) -> Any:
    body = gateway_event(order, amount=amount, payment_id=payment_id)
    return post_webhook(client, "test-card", body, sign(body, GATEWAY_SECRET))


def money(client: Client, order: dict[str, Any]) -> tuple[str, str, str]:
    """Status, amount paid and outstanding, as the storefront shows the order."""
    shown = read(client, order)
    return shown["status"], shown["amount_paid"], shown["amount_outstanding"]


def overpaid(order: dict[str, Any]) -> Decimal:
    return order_queryset().get(ref=order["ref"]).amount_overpaid


def move(staff_client: Client, order: dict[str, Any], status: str) -> None:
    response = staff_client.put(
        f"/api/orders/{order['ref']}/status/", {"status": status}, content_type="application/json"
    )
    assert response.status_code == 200, response.content


def refund(staff_client: Client, order: dict[str, Any], amount: str | None = None) -> Any:
    body = {"amount": amount} if amount else {}
    return staff_client.post(
        f"/api/orders/{order['ref']}/refund/", body, content_type="application/json"
    )


def test_a_second_payment_of_a_paid_order_is_recorded_and_flagged(
    visitor_client, staff_client, caplog
):
    order = placed(visitor_client)
    assert notify(visitor_client, order, "25.00", "tc_first").status_code == 200

    with caplog.at_level(logging.WARNING, logger="payments.services"):
        response = notify(visitor_client, order, "25.00", "tc_second")

    assert response.status_code == 200, response.content
    assert response.json()["result"] == (
        "Recorded an overpayment of 25.00 for staff to refund: Order is already paid."
    )
    assert money(visitor_client, order) == ("PROCESSING", "50.00", "0.00")
    shown = read(visitor_client, order)
    assert shown["is_paid"] is True
    assert [p["transaction_id"] for p in shown["payments"]] == ["tc_first", "tc_second"]
    assert overpaid(order) == Decimal("25.00")
    assert [n.verdict for n in notifications()] == [NotificationVerdict.ACCEPTED] * 2
    assert "Overpayment of 25.00" in caplog.text

    # Staff give back the overpaid amount; the order carries on as it was.
    assert refund(staff_client, order, "25.00").status_code == 200
    shown = read(visitor_client, order)
    assert (shown["status"], shown["amount_paid"]) == ("PROCESSING", "25.00")
    assert overpaid(order) == Decimal("0.00")


def test_a_repeated_late_notification_records_the_overpayment_once(visitor_client):
    order = placed(visitor_client)
    notify(visitor_client, order, "25.00", "tc_first")

    first = notify(visitor_client, order, "25.00", "tc_late")
    again = notify(visitor_client, order, "25.00", "tc_late")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["result"] == "Already recorded."
    assert OrderPayment.objects.filter(transaction_id="tc_late").count() == 1
    assert read(visitor_client, order)["amount_paid"] == "50.00"


def test_paying_more_than_is_outstanding_pays_the_order_and_flags_the_excess(
    visitor_client, staff_client
):
    order = placed(visitor_client)

    response = notify(visitor_client, order, "30.00", "tc_more")

    assert response.json()["result"] == (
        "Recorded an overpayment of 30.00 for staff to refund: only 25.00 was outstanding."
    )
    assert money(visitor_client, order) == ("PROCESSING", "30.00", "0.00")
    assert overpaid(order) == Decimal("5.00")
    too_much = refund(staff_client, order, "30.01")
    assert too_much.status_code == 400
    assert too_much.json() == {
        "amount": ["A refund must be more than 0.00 and at most 30.00 for this order."]
    }
    assert refund(staff_client, order, "5.00").status_code == 200
    assert overpaid(order) == Decimal("0.00")
    assert read(visitor_client, order)["status"] == "PROCESSING"


def test_a_payment_for_a_cancelled_order_is_recorded_and_stays_cancelled(
    visitor_client, staff_client
):
    order = placed(visitor_client)
    move(staff_client, order, "CANCELLED")

    response = notify(visitor_client, order, "25.00", "tc_after_cancel")

    assert response.status_code == 200
    assert response.json()["result"].endswith("Order with status 'Cancelled' can't be paid.")
    assert money(visitor_client, order) == ("CANCELLED", "25.00", "0.00")
    assert order_queryset().get(ref=order["ref"]).date_paid is None
    assert overpaid(order) == Decimal("25.00")
    page = Client().get(f"/pay/{order['token']}/").content.decode()
    assert "This order takes no payments." in page
    assert "<h2>Paid</h2>" not in page

    assert refund(staff_client, order).status_code == 200
    shown = read(visitor_client, order)
    assert (shown["status"], shown["amount_paid"]) == ("CANCELLED", "0.00")
    assert overpaid(order) == Decimal("0.00")


def test_a_payment_for_a_refunded_order_is_recorded_and_can_be_refunded(
    visitor_client, staff_client
):
    order = placed(visitor_client)
    notify(visitor_client, order, "25.00", "tc_first")
    assert refund(staff_client, order).status_code == 200
    assert read(visitor_client, order)["status"] == "REFUNDED"

    notify(visitor_client, order, "25.00", "tc_late")

    assert read(visitor_client, order)["amount_paid"] == "25.00"
    assert overpaid(order) == Decimal("25.00")
    assert refund(staff_client, order).status_code == 200
    assert (read(visitor_client, order)["status"], overpaid(order)) == ("REFUNDED", Decimal(0))
    again = refund(staff_client, order)
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Order is already marked as Refunded."]}


def test_staff_find_overpaid_orders_in_the_admin(visitor_client, staff):
    order = placed(visitor_client)
    notify(visitor_client, order, "25.00", "tc_first")
    notify(visitor_client, order, "25.00", "tc_second")
    placed(visitor_client)  # another order, not overpaid
    staff.is_superuser = True
    staff.save()
    admin = Client()
    admin.force_login(staff)

    listed = admin.get("/admin/orders/order/?overpaid=yes")
    page = admin.get(f"/admin/orders/order/{order_queryset().get(ref=order['ref']).pk}/change/")

    assert [o.ref for o in listed.context["cl"].result_list] == [order["ref"]]
    assert "Overpaid: to refund" in page.content.decode()
    assert "25.00" in page.content.decode()
    pk = order_queryset().get(ref=order["ref"]).pk
    form = admin.get(f"/admin/orders/order/{pk}/refund/").context["form"]
    assert form["amount"].value() == Decimal("25.00")

    done = admin.post(f"/admin/orders/order/{pk}/refund/", {"amount": "25.00"})

    assert done.status_code == 200
    assert overpaid(order) == Decimal("0.00")
    assert read(visitor_client, order)["status"] == "PROCESSING"


def test_the_integration_api_shows_the_overpayment_in_amount_paid(db, settings):
    team = TeamFactory()
    api = Client(
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(team=team, token_type='full_access').raw}"
    )
    product = ProductFactory(price="12.50")
    created = api.post(
        "/v1/orders/checkout",
        {
            "profile_id": str(ProfileFactory(team=team).pk),
            "line_items": [{"product_id": str(product.pk), "quantity": 2}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    order = {"ref": created.json()["reference_number"]}
    visitor = Client()
    notify(visitor, order, "25.00", "tc_first")
    notify(visitor, order, "25.00", "tc_second")

    shown = api.get(f"/v1/orders/{created.json()['id']}").json()

    assert (shown["amount_paid"], shown["status"]) == (50.0, "PROCESSING")

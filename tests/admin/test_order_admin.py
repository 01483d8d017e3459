"""The admin changes order status only through the status machine's allowed moves."""

import re

import pytest
from django.test import Client

from orders.models import Order, OrderEvent


@pytest.fixture
def admin_client_for(staff):
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    return client


def change_page(client, order):
    return client.get(f"/admin/orders/order/{order.pk}/change/")


def offered_moves(html: str) -> list[str]:
    select = re.search(r'<select name="move_to".*?</select>', html, re.S).group(0)
    return [v for v in re.findall(r'<option value="([A-Z]*)"', select) if v]


def test_order_page_offers_only_the_allowed_moves(admin_client_for, visitor_client, place_order):
    placed = place_order(visitor_client)  # pay in advance: HOLD
    order = Order.objects.get(ref=placed["ref"])

    response = change_page(admin_client_for, order)

    assert response.status_code == 200
    assert sorted(offered_moves(response.content.decode())) == ["CANCELLED", "FAILED", "PROCESSING"]


def test_staff_moves_an_order_and_the_change_is_recorded(
    admin_client_for, staff, visitor_client, place_order
):
    order = Order.objects.get(ref=place_order(visitor_client)["ref"])

    response = admin_client_for.post(
        f"/admin/orders/order/{order.pk}/change/", {"move_to": "PROCESSING", **empty_inlines()}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get(pk=order.pk)
    assert order.status == "PROCESSING"
    event = OrderEvent.objects.filter(order=order, to_status="PROCESSING").get()
    assert (event.actor, event.source, event.from_status) == (staff, "admin", "HOLD")


def test_a_move_the_machine_does_not_offer_is_refused_and_changes_nothing(
    admin_client_for, visitor_client, place_order
):
    order = Order.objects.get(ref=place_order(visitor_client)["ref"])

    response = admin_client_for.post(
        f"/admin/orders/order/{order.pk}/change/", {"move_to": "SHIPPED", **empty_inlines()}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "HOLD"


def empty_inlines() -> dict[str, str]:
    """The management forms Django's admin posts for the read-only inlines."""
    data = {}
    for prefix in ["items", "payments", "notes", "events"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_customers_cannot_open_the_admin(customer_client):
    response = customer_client.get("/admin/orders/order/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

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


def test_the_order_list_takes_the_same_queries_for_5_and_40_orders(
    admin_client_for, visitor_client, place_order, count_queries
):
    for _ in range(5):
        place_order(visitor_client)
    few = count_queries(lambda: admin_client_for.get("/admin/orders/order/"))
    for _ in range(35):
        place_order(visitor_client)

    many = count_queries(lambda: admin_client_for.get("/admin/orders/order/"))

    assert many == few


def test_filters_and_search_narrow_the_order_list(admin_client_for, visitor_client, place_order):
    held = place_order(visitor_client)["ref"]
    on_delivery = place_order(visitor_client, payment_method="pay-on-delivery")["ref"]

    by_status = admin_client_for.get("/admin/orders/order/?status__exact=HOLD").content.decode()
    unpaid = admin_client_for.get("/admin/orders/order/?paid=no").content.decode()
    found = admin_client_for.get(f"/admin/orders/order/?q={on_delivery}").content.decode()

    assert held in by_status and on_delivery not in by_status
    assert held in unpaid and on_delivery in unpaid
    assert on_delivery in found and held not in found


def test_csv_export_streams_the_selected_orders(admin_client_for, visitor_client, place_order):
    refs = [place_order(visitor_client)["ref"] for _ in range(3)]
    ids = [str(Order.objects.get(ref=ref).pk) for ref in refs[:2]]

    response = admin_client_for.post(
        "/admin/orders/order/", {"action": "export_csv", "_selected_action": ids}
    )

    assert response.status_code == 200
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "ref,created_at,status,email,total,amount_paid,payment_method"
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(refs[:2])


@pytest.mark.parametrize(
    "url",
    [
        "/admin/orders/order/",
        "/admin/integration/apitoken/",
        "/admin/integration/apitoken/add/",
        "/admin/shop/team/",
        "/admin/payments/paymentnotification/",
    ],
)
def test_customers_and_visitors_are_sent_to_the_login(customer_client, visitor_client, url):
    for client in (customer_client, visitor_client):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_the_refund_page_is_staff_only(customer_client, visitor_client, place_order):
    order = Order.objects.get(ref=place_order(visitor_client)["ref"])

    response = customer_client.get(f"/admin/orders/order/{order.pk}/refund/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

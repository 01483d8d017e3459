"""The staff's day-to-day flow, in a real browser: find an order, move it, note it, take
its payment, refund it, and manage API tokens. Screenshots land in test-artifacts/."""

import re

import pytest
from django.test import Client

from integration.models import ApiToken
from orders.models import Order, OrderEvent, OrderNote, OrderRefund
from orders.selectors import order_guest_token
from tests.factories import ProductFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)


def place_order(payment_method="pay-in-advance", quantity=1) -> Order:
    client = Client()
    product = ProductFactory(price="12.50")
    client.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": product.pk, "quantity": quantity},
        content_type="application/json",
    )
    response = client.post(
        "/api/checkout/",
        {
            "email": "buyer@example.com",
            "shipping_address": "1 Lane",
            "billing_address": "1 Lane",
            "payment_method": payment_method,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Order.objects.latest("id")


def save(page):
    page.click("input[name=_continue]")
    page.wait_for_selector("#order_form")


def test_staff_find_an_order_and_move_it_along_an_allowed_status(staff_page, open_order):
    order = place_order()  # pay in advance: HOLD
    open_order(staff_page, order.ref)

    offered = staff_page.eval_on_selector_all(
        "#id_move_to option", "options => options.map(o => o.value).filter(Boolean)"
    )
    assert sorted(offered) == ["CANCELLED", "FAILED", "PROCESSING"]
    staff_page.select_option("#id_move_to", "PROCESSING")
    save(staff_page)

    assert "Processing" in staff_page.inner_text(".field-status")
    event = OrderEvent.objects.get(order=order, to_status="PROCESSING")
    assert (event.actor, event.source) == (staff_page.staff, "admin")
    assert "PROCESSING" in staff_page.inner_text("#events-group")


def test_a_refused_bulk_move_shows_the_machines_message(staff_page, live_server):
    hold = place_order()
    processing = place_order()
    Client().logout()
    from orders.services import order_transition

    order_transition(order=processing, status="PROCESSING", actor=None, source="test")
    staff_page.goto(f"{live_server.url}/admin/orders/order/")
    for order in (hold, processing):
        staff_page.check(f"#result_list input[value='{order.pk}']")
    staff_page.select_option("select[name=action]", "move_to_shipped")
    staff_page.click("button[name=index]")

    messages = staff_page.inner_text("ul.messagelist")
    assert f"Moved to Shipped: {processing.ref}" in messages
    assert f"{hold.ref}: Can't change order with status 'Hold' to 'Shipped'." in messages
    assert Order.objects.get(pk=hold.pk).status == "HOLD"
    assert Order.objects.get(pk=processing.pk).status == "SHIPPED"


def test_staff_add_a_public_note_the_customer_can_read(staff_page, open_order):
    order = place_order()
    open_order(staff_page, order.ref)

    staff_page.fill("#id_note", "Your parcel leaves on Monday.")
    staff_page.check("#id_note_is_public")
    save(staff_page)

    note = OrderNote.objects.get(order=order)
    assert (note.is_public, note.author) == (True, staff_page.staff)
    assert "Your parcel leaves on Monday." in staff_page.inner_text("#notes-group")
    guest_view = Client().get(f"/api/orders/{order.ref}/?token={order_guest_token(order)}").json()
    assert [n["message"] for n in guest_view["notes"]] == ["Your parcel leaves on Monday."]


def test_staff_record_a_payment_and_refund_it_with_confirmation(staff_page, open_order):
    order = place_order(payment_method="pay-on-delivery", quantity=2)  # 25.00, CREATED
    open_order(staff_page, order.ref)

    staff_page.check("#id_record_payment")
    save(staff_page)
    assert "Processing" in staff_page.inner_text(".field-status")
    assert "25.00" in staff_page.inner_text(".field-amount_paid")

    staff_page.click(".field-refund_link a")
    assert "25.00" in staff_page.inner_text("#content-main table")  # what will be refunded
    staff_page.fill("#id_amount", "10.00")
    staff_page.click("#refund-form input[type=submit]")
    assert "manual" in staff_page.inner_text("#refunded")
    assert OrderRefund.objects.get(payment__order=order).amount == 10
    assert staff_page.inner_text("#order-status") == "Processing"

    staff_page.click("text=Back to the order")
    staff_page.click(".field-refund_link a")
    staff_page.click("#refund-form input[type=submit]")  # the rest
    assert staff_page.inner_text("#order-status") == "Refunded"
    assert sum(r.amount for r in OrderRefund.objects.filter(payment__order=order)) == 25


def test_staff_create_a_token_see_it_once_and_revoke_it(staff_page, live_server):
    team = TeamFactory(name="Acme")
    staff_page.goto(f"{live_server.url}/admin/integration/apitoken/add/")
    staff_page.select_option("#id_team", str(team.pk))
    staff_page.fill("#id_name", "Back office")
    staff_page.select_option("#id_token_type", "custom")
    staff_page.check("input[name=scopes][value='orders.lists']")
    staff_page.click("input[name=_save]")

    raw = staff_page.input_value("#raw-token")
    assert re.fullmatch(r"oly_[A-Za-z0-9_-]{43}", raw)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/v1/orders").status_code == 200
    staff_page.click("text=Done")
    assert raw not in staff_page.content()  # never shown again
    assert "orders.lists" in staff_page.inner_text(".field-scope_list")

    staff_page.click("input[name=_revoke]")

    assert ApiToken.objects.get().revoked_at is not None
    response = api.get("/v1/orders")
    assert response.status_code == 401
    assert response.json()["message"] == "This API token has been revoked."

"""A buyer pays on the hosted pay page with the test gateway, in a real browser."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kernel.conf import DEFAULTS
from orders.models import Order, OrderPayment
from orders.selectors import order_guest_token
from payments.models import NotificationVerdict, PaymentNotification
from tests.browser.conftest import ARTIFACTS
from tests.concurrency.conftest import Browser
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _test_card(settings: Any) -> None:
    # The gateway's notification goes over real HTTP to the live server's webhook.
    settings.ORDERLY_PAYMENT_METHODS = [
        *DEFAULTS["PAYMENT_METHODS"],
        "payments.gateways.test_card.TestCardGateway",
    ]
    settings.ORDERLY_TEST_GATEWAY_DELIVERY = "http"


def place_order_through_the_api(live_server: Any) -> Order:
    api = Browser(live_server.url)
    try:
        product = ProductFactory(name="Enamel mug", price="12.50")
        response = api.post(
            "/api/basket/",
            {"product_type": "shop.Product", "product_id": product.pk, "quantity": 2},
        )
        assert response.status_code == 201, response.text
        body = {**CHECKOUT_BODY, "payment_method": "pay-on-delivery"}
        assert api.post("/api/checkout/", body).status_code == 201
    finally:
        api.close()
    return Order.objects.latest("id")


def test_a_buyer_pays_with_the_test_gateway_and_sees_the_order_paid(live_server, chromium):
    order = place_order_through_the_api(live_server)
    page = chromium.new_page()

    page.goto(f"{live_server.url}/pay/{order_guest_token(order)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.ref}")
    page.screenshot(path=str(ARTIFACTS / "pay-page-unpaid.png"), full_page=True)
    expect(page.get_by_test_id("amount-outstanding")).to_have_text("25.00")
    expect(page.get_by_text("Enamel mug")).to_be_visible()
    page.get_by_label("Test card (no real money)").check()
    page.get_by_role("button", name="Continue to payment").click()

    expect(page).to_have_url(re.compile(r"/test-gateway/\?session="))
    expect(page.get_by_test_id("gateway-amount")).to_have_text("25.00")
    page.screenshot(path=str(ARTIFACTS / "test-gateway.png"), full_page=True)
    page.get_by_role("button", name="Approve payment").click()

    expect(page).to_have_url(
        f"{live_server.url}/pay/{order_guest_token(order)}/?returned=test-card"
    )
    expect(page.get_by_role("heading", name="Paid")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Processing")
    expect(page.get_by_test_id("amount-outstanding")).to_have_text("0.00")
    page.screenshot(path=str(ARTIFACTS / "pay-page-paid.png"), full_page=True)

    [payment] = OrderPayment.objects.filter(order=order)
    assert payment.payment_method == "test-card"
    assert str(payment.amount) == "25.00"
    assert Order.objects.get(pk=order.pk).status == "PROCESSING"
    [notification] = PaymentNotification.objects.all()
    assert notification.verdict == NotificationVerdict.ACCEPTED
    # Going back and reloading the result page records nothing more.
    page.reload()
    assert OrderPayment.objects.filter(order=order).count() == 1


def test_a_declined_payment_shows_failed_and_can_be_retried_by_keyboard(live_server, chromium):
    order = place_order_through_the_api(live_server)
    page = chromium.new_page()
    page.goto(f"{live_server.url}/pay/{order_guest_token(order)}/")
    page.get_by_label("Test card (no real money)").check()
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("button", name="Decline").click()

    expect(page.get_by_role("heading", name="Payment failed")).to_be_visible()
    # The result is announced and focused, so a screen reader user hears it first.
    expect(page.get_by_test_id("result")).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "pay-page-failed.png"), full_page=True)
    assert Order.objects.get(pk=order.pk).status == "FAILED"

    page.get_by_label("Test card (no real money)").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # submits the form
    page.get_by_role("button", name="Approve payment").press("Enter")
    expect(page.get_by_role("heading", name="Paid")).to_be_visible()
    assert OrderPayment.objects.filter(order=order).count() == 1


def test_an_unknown_link_shows_a_not_found_page(live_server, chromium):
    page = chromium.new_page()

    response = page.goto(f"{live_server.url}/pay/no-such-token/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Order not found")

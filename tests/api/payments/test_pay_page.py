"""The hosted pay page `/pay/<token>/`: HTML for the buyer, reached with the order's token."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kernel.conf import DEFAULTS
from orders.models import Order, OrderPayment
from payments.exceptions import PaymentRefused
from payments.methods import PaymentMethod
from tests.api.payments.conftest import checkout, latest_order
from tests.factories import ProductFactory


class DownGateway(PaymentMethod):
    identifier = "down-gateway"
    label = "Down gateway"

    def start_order_payment(self, order: Any, *, context: Any) -> str:
        raise PaymentRefused("The provider is down; nothing was charged.")


@pytest.fixture
def held(place_order, visitor_client) -> dict[str, Any]:
    return place_order(visitor_client, items=[(ProductFactory(price="12.50", name="Mug"), 2)])


def page(client: Client, order: dict[str, Any], query: str = "") -> Any:
    return client.get(f"/pay/{order['token']}/{query}")


def test_the_pay_page_is_reversed_by_name_with_the_token():
    assert reverse("pay-page", kwargs={"token": "abc"}) == "/pay/abc/"


def test_an_unknown_token_is_a_404_page(db, visitor_client):
    response = visitor_client.get("/pay/not-a-real-token/")

    assert response.status_code == 404
    assert b"Order not found" in response.content
    assert visitor_client.get("/pay/" + "x" * 500 + "/").status_code == 404


def test_the_ref_is_not_a_token(visitor_client, held):
    assert visitor_client.get(f"/pay/{held['ref']}/").status_code == 404


def test_the_page_shows_the_order_and_what_is_owed(visitor_client, held):
    response = page(visitor_client, held)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html
    assert f"Order {held['ref']}" in html
    assert "Mug" in html
    assert "25.00" in html
    assert "Hold" in html
    assert 'data-testid="amount-outstanding"><strong>25.00</strong>' in html
    assert "no-store" in response["Cache-Control"]
    # No external assets: no scripts, stylesheets or images from anywhere.
    assert "<script" not in html
    assert "http://" not in html
    assert "https://" not in html


def test_the_page_offers_the_buyers_methods_as_a_labelled_form(visitor_client, held):
    html = page(visitor_client, held).content.decode()

    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="method-pay-in-advance">Pay in advance' in html
    assert 'id="method-pay-on-delivery"' in html
    assert "method-manual" not in html


def test_staff_opening_the_page_are_not_offered_staff_only_methods(staff_client, held):
    assert "method-manual" not in page(staff_client, held).content.decode()


def test_choosing_a_method_starts_payment_and_redirects(place_order, visitor_client):
    order = place_order(visitor_client, payment_method="pay-on-delivery")

    response = visitor_client.post(f"/pay/{order['token']}/", {"payment_method": "pay-on-delivery"})

    assert response.status_code == 302
    assert response["Location"] == (
        f"http://testserver/pay/{order['token']}/?returned=pay-on-delivery"
    )
    html = page(visitor_client, order, "?returned=pay-on-delivery").content.decode()
    assert "Payment pending" in html
    assert "You will pay when the order is delivered" in html


def test_choosing_pay_in_advance_shows_the_bank_details(visitor_client, held):
    response = visitor_client.post(f"/pay/{held['token']}/", {"payment_method": "pay-in-advance"})

    html = visitor_client.get(response["Location"]).content.decode()
    assert "We are waiting for your bank transfer." in html
    assert "quoting the order reference" in html


def test_an_unusable_method_is_shown_as_an_error_and_nothing_changes(
    visitor_client, staff_client, held
):
    response = visitor_client.post(f"/pay/{held['token']}/", {"payment_method": "manual"})

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert "&quot;manual&quot; is not a valid choice." in response.content.decode()
    assert not OrderPayment.objects.exists()


def test_a_provider_that_is_down_is_a_402_and_the_order_stays_payable(
    settings, visitor_client, held
):
    settings.ORDERLY_PAYMENT_METHODS = [
        *DEFAULTS["PAYMENT_METHODS"],
        f"{__name__}.DownGateway",
    ]

    response = visitor_client.post(f"/pay/{held['token']}/", {"payment_method": "down-gateway"})

    assert response.status_code == 402
    assert "The provider is down; nothing was charged." in response.content.decode()
    assert Order.objects.get(ref=held["ref"]).status == "HOLD"
    assert 'name="payment_method"' in response.content.decode()


def test_the_form_is_csrf_protected(held):
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/pay/{held['token']}/", {"payment_method": "pay-on-delivery"})

    assert response.status_code == 403


def test_a_paid_order_shows_paid_and_no_form(staff_client, visitor_client, held):
    staff_client.post(
        f"/api/orders/{held['ref']}/pay/",
        {"payment_method": "manual"},
        content_type="application/json",
    )

    html = page(visitor_client, held, "?returned=1").content.decode()

    assert "<h2>Paid</h2>" in html
    assert "Processing" in html
    assert 'name="payment_method"' not in html


@pytest.mark.usefixtures("test_card")
def test_paying_with_the_test_gateway_from_the_page(visitor_client):
    checkout(visitor_client, "pay-in-advance")
    order = latest_order()

    started = visitor_client.post(f"/pay/{order['token']}/", {"payment_method": "test-card"})
    assert started.status_code == 302
    gateway = visitor_client.get(started["Location"])
    assert gateway.status_code == 200
    session = gateway.context["raw"]
    back = visitor_client.post("/test-gateway/", {"session": session, "decision": "approve"})
    assert back["Location"] == f"http://testserver/pay/{order['token']}/?returned=test-card"

    html = visitor_client.get(back["Location"]).content.decode()
    assert "<h2>Paid</h2>" in html
    assert OrderPayment.objects.filter(order__ref=order["ref"]).count() == 1


@pytest.mark.usefixtures("test_card")
def test_a_declined_payment_shows_failed_and_offers_to_try_again(visitor_client):
    checkout(visitor_client, "test-card")
    order = latest_order()
    started = visitor_client.post(f"/pay/{order['token']}/", {"payment_method": "test-card"})
    session = visitor_client.get(started["Location"]).context["raw"]

    back = visitor_client.post("/test-gateway/", {"session": session, "decision": "decline"})

    html = visitor_client.get(back["Location"]).content.decode()
    assert "Payment failed" in html
    assert 'id="method-test-card"' in html


def test_the_page_makes_the_same_few_queries_however_many_lines(
    place_order, visitor_client, count_queries
):
    small = place_order(visitor_client, items=[(ProductFactory(), 1)])
    large = place_order(visitor_client, items=[(ProductFactory(), 1) for _ in range(8)])

    queries = [count_queries(lambda o=o: page(visitor_client, o)) for o in (small, large)]

    assert queries[0] == queries[1]
    assert queries[0] <= 8, queries

"""Idempotency-Key on /v1/ checkout and on the storefront's unsafe calls."""

import requests
from django.test import Client
from pypresscart import CheckoutLineItem, CheckoutRequest
from requests.adapters import HTTPAdapter

from orders.models import Order
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory


def checkout_body(profile, product, quantity=1):
    return {
        "profile_id": str(profile.pk),
        "line_items": [{"product_id": str(product.pk), "quantity": quantity}],
    }


def v1_client(raw_token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")


def v1_checkout(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/v1/orders/checkout", body, content_type="application/json", **headers)


def test_a_retry_with_the_same_key_replays_the_first_answer(make_token, team, profile, catalogue):
    client = v1_client(make_token(team))
    body = checkout_body(profile, catalogue[0])

    first = v1_checkout(client, body, key="order-42")
    retry = v1_checkout(client, body, key="order-42")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(make_token, team, profile, catalogue):
    client = v1_client(make_token(team))
    v1_checkout(client, checkout_body(profile, catalogue[0]), key="order-42")

    response = v1_checkout(client, checkout_body(profile, catalogue[0], quantity=2), key="order-42")

    assert response.status_code == 422
    assert response.json()["name"] == "UnprocessableEntityError"
    assert Order.objects.count() == 1


def test_keys_are_scoped_per_token(make_token, team, profile, catalogue):
    body = checkout_body(profile, catalogue[0])

    v1_checkout(v1_client(make_token(team)), body, key="shared-key")
    other = v1_checkout(v1_client(make_token(team)), body, key="shared-key")

    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert Order.objects.count() == 2


def test_a_refused_request_is_replayed_as_refused(make_token, team, profile):
    client = v1_client(make_token(team))
    body = {"profile_id": str(profile.pk), "line_items": []}

    first = v1_checkout(client, body, key="bad-1")
    retry = v1_checkout(client, body, key="bad-1")

    assert first.status_code == retry.status_code == 400
    assert retry.json() == first.json()


def test_without_a_key_every_request_runs(make_token, team, profile, catalogue):
    client = v1_client(make_token(team))
    for _ in range(2):
        assert v1_checkout(client, checkout_body(profile, catalogue[0])).status_code == 201
    assert Order.objects.count() == 2


def test_an_over_long_key_is_refused(make_token, team, profile, catalogue):
    response = v1_checkout(
        v1_client(make_token(team)), checkout_body(profile, catalogue[0]), key="k" * 256
    )

    assert response.status_code == 400
    assert response.json()["issues"][0]["path"] == ["Idempotency-Key"]
    assert Order.objects.count() == 0


class DropsTheFirstAnswer(HTTPAdapter):
    """A network that loses the server's first answer to a POST after it was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        if request.method == "POST" and not self.dropped:
            self.dropped += 1
            raise requests.ConnectionError("connection reset after the server committed")
        return response


def client_on_a_lossy_network(presscart, raw_token, idempotency_key=None):
    session = requests.Session()
    network = DropsTheFirstAnswer()
    session.mount("http://", network)
    if idempotency_key:
        session.headers["Idempotency-Key"] = idempotency_key
    client = presscart(raw_token, session=session, max_retries=2, retry_backoff_base=0.01)
    return client, network


def test_the_clients_retry_after_a_lost_answer_creates_one_order_with_a_key(
    presscart, make_token, team, profile, catalogue
):
    client, network = client_on_a_lossy_network(
        presscart, make_token(team), idempotency_key="checkout-7f3a"
    )
    request = CheckoutRequest(
        profile_id=str(profile.pk),
        line_items=[CheckoutLineItem(product_id=str(catalogue[0].pk))],
    )

    order = client.orders.create_checkout(request)

    assert network.dropped == 1
    assert Order.objects.count() == 1
    assert Order.objects.get().ref == order.reference_number


def test_without_a_key_the_same_lost_answer_creates_a_duplicate(
    presscart, make_token, team, profile, catalogue
):
    """Why the key matters: the client retries network failures by default."""
    client, network = client_on_a_lossy_network(presscart, make_token(team))
    request = CheckoutRequest(
        profile_id=str(profile.pk),
        line_items=[CheckoutLineItem(product_id=str(catalogue[0].pk))],
    )

    client.orders.create_checkout(request)

    assert network.dropped == 1
    assert Order.objects.count() == 2


# --- the storefront ---------------------------------------------------------------------


def add_to_basket(client, product):
    response = client.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": product.pk},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_a_storefront_checkout_retried_with_its_key_places_one_order(visitor_client):
    add_to_basket(visitor_client, ProductFactory())

    responses = [
        visitor_client.post(
            "/api/checkout/",
            CHECKOUT_BODY,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="basket-checkout-1",
        )
        for _ in range(2)
    ]

    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert responses[1]["Location"] == responses[0]["Location"]
    assert Order.objects.count() == 1


def test_a_storefront_key_belongs_to_its_session(visitor_client):
    add_to_basket(visitor_client, ProductFactory())
    visitor_client.post(
        "/api/checkout/",
        CHECKOUT_BODY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    stranger = Client()
    add_to_basket(stranger, ProductFactory())

    response = stranger.post(
        "/api/checkout/",
        CHECKOUT_BODY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="same",
    )

    assert response.status_code == 201
    assert Order.objects.count() == 2


def test_a_status_change_retried_with_its_key_is_replayed(
    staff_client, visitor_client, place_order
):
    ref = place_order(visitor_client)["ref"]
    url = f"/api/orders/{ref}/status/"

    first = staff_client.put(
        url, {"status": "CANCELLED"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s1"
    )
    reused = staff_client.put(
        url, {"status": "PROCESSING"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s1"
    )

    assert first.status_code == 200
    assert reused.status_code == 422
    assert reused.json() == {
        "detail": "This Idempotency-Key was already used for a different request."
    }
    assert Order.objects.get(ref=ref).status == "CANCELLED"


def test_reads_ignore_the_key(make_token, team):
    client = v1_client(make_token(team))
    for _ in range(2):
        response = client.get("/v1/orders", HTTP_IDEMPOTENCY_KEY="read")
        assert response.status_code == 200
        assert "Idempotent-Replayed" not in response

"""Twenty simultaneous checkouts with one Idempotency-Key make one order."""

import httpx
import pytest

from integration.services import api_token_create
from orders.models import Order
from tests.concurrency.conftest import run_together
from tests.factories import ProductFactory, ProfileFactory, TeamFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_checkouts_with_one_key_make_one_order(live_server):
    team = TeamFactory()
    profile = ProfileFactory(team=team)
    product = ProductFactory()
    raw = api_token_create(team=team, token_type="full_access").raw
    body = {"profile_id": str(profile.pk), "line_items": [{"product_id": str(product.pk)}]}
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "one-order-please"}

    def checkout(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_server.url, timeout=30) as client:
            return client.post("/v1/orders/checkout", json=body, headers=headers)

    responses = run_together(20, checkout)

    assert Order.objects.count() == 1
    statuses = {r.status_code for r in responses}
    assert statuses <= {201, 409}, [r.text for r in responses]
    created = [r.json() for r in responses if r.status_code == 201]
    assert created and all(body == created[0] for body in created)
    assert created[0]["reference_number"] == Order.objects.get().ref
    conflicts = [r.json() for r in responses if r.status_code == 409]
    assert all(c["name"] == "ConflictError" for c in conflicts)

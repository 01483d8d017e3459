import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def test_guest_checkout_gives_an_order_with_a_token(visitor_client, place_order, product):
    order = place_order(visitor_client, items=[(product, 2)])
    assert order["status"] == "HOLD"
    assert order["total"] == "20.00"
    assert len(order["token"]) >= 43

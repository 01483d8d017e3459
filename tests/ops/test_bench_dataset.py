"""The bench's loader writes orders with COPY, past the ORM: what it leaves must be what
checkout would have left, or the benchmark measures a database no shop has."""

from collections import Counter

import pytest
from django.db import connection

from bench.dataset import load
from orders.models import Order, OrderStatusCount, RefCounter

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_loaded_orders_are_counted_and_the_count_triggers_stay_on(client):
    data = load(300)

    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == data.orders == 300
    counted: Counter[str] = Counter()
    for row in OrderStatusCount.objects.all():
        counted[row.status] += row.count
    assert counted == statuses
    team_orders = Order.objects.filter(team__isnull=False).count()
    assert team_orders > 0
    assert sum(row.count for row in OrderStatusCount.objects.exclude(team_key=0)) == team_orders
    assert RefCounter.objects.get().last_number == 300
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger"
            " WHERE tgrelid = 'orders_order'::regclass AND tgname LIKE 'orders_status_count_%%'"
            " AND tgenabled = 'O'"
        )
        assert cursor.fetchone() == (3,)

    client.cookies["sessionid"] = data.staff_session
    listed = client.get("/api/orders/all/?page_size=1")
    assert listed.status_code == 200
    assert listed.headers["X-Total-Count"] == "300"

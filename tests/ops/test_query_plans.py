"""At a realistic size, the big lists read an index in their default order, not the table.

A sequential scan of a 50,000-row orders table is exactly the regression that shows up
as a slow staff list in production and as nothing at all on a 20-row test database.
"""

import pytest
from django.db import connection

from integration.selectors import team_order_rows
from orders.models import Order, OrderStatus
from orders.selectors import OrderFilters, order_list_all
from tests.factories import TeamFactory

ROWS = 50_000


@pytest.fixture
def many_orders(db):
    """50,000 orders written by PostgreSQL itself, every tenth one a team's."""
    team = TeamFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Order._meta.db_table} (ref, token_sealed, token_digest, status, email,
                billing_address, shipping_address, subtotal, total, extra_rows, extra,
                payment_method, created_at, updated_at, team_id)
            SELECT 'P-' || g, 't' || g, md5(g::text) || md5((g + 1)::text),
                CASE WHEN g %% 7 = 0 THEN 'HOLD' ELSE 'PROCESSING' END,
                'buyer' || g || '@example.com', '', '', 10, 10, '[]', '{{}}', '',
                now() - g * interval '1 minute', now(),
                CASE WHEN g %% 10 = 0 THEN %s END
            FROM generate_series(1, {ROWS}) AS g
            """,
            [team.pk],
        )
        cursor.execute(f"ANALYZE {Order._meta.db_table}")
    return team


def plan_of(queryset) -> str:
    """The plan of a list page as the API asks for it: its ids, in order, 50 at a time."""
    return queryset.values_list("pk", flat=True)[:50].explain()


def assert_reads_index(plan: str, index: str) -> None:
    assert index in plan, plan
    assert f"Seq Scan on {Order._meta.db_table}" not in plan, plan


def test_the_staff_list_reads_the_newest_first_index(many_orders):
    assert_reads_index(plan_of(order_list_all(filters=OrderFilters())), "order_newest")


def test_the_staff_list_filtered_by_status_reads_its_index(many_orders):
    filters = OrderFilters(status=OrderStatus.HOLD)
    assert_reads_index(plan_of(order_list_all(filters=filters)), "order_status_newest")


def test_v1_orders_read_the_team_index(many_orders):
    ordered = team_order_rows(many_orders).order_by("-created_at", "-id")
    assert_reads_index(plan_of(ordered), "order_team_newest")


def test_rate_limit_counters_skip_the_write_ahead_log(db):
    """Counting a request must not wait for a disk flush (migration 0002 of integration):
    in a logged table that wait was about half the cost of a guest order look-up."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            ["integration_ratelimitcounter"],
        )
        assert cursor.fetchone() == ("u",)

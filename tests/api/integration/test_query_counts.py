"""`/v1/orders` reads its `total_records` from the counts the database keeps per team and
status (orders migration 0003) instead of counting the team's rows on every page."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.integration.test_client_reads import place


def test_the_orders_total_is_read_not_counted(make_token, team, other_team, profile, catalogue):
    for _ in range(3):
        place(team, profile, (catalogue[0], 1))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(team)}")
    client.get("/v1/orders?limit=2")

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/v1/orders?limit=2")

    assert response.status_code == 200, response.content
    assert response.json()["total_records"] == 3
    assert response.json()["total_pages"] == 2
    counting = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counting == [], counting
    other = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(other_team)}")
    assert other.get("/v1/orders").json()["total_records"] == 0


def test_a_checkout_costs_a_fixed_number_of_queries(make_token, team, profile, catalogue):
    """Issue 15: the order is placed in one transaction, in as few round trips as the
    outbox allows (23 before the ref counter became one upsert and `order_place` lost its
    savepoint); the count holds however many lines the order has."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(team)}")

    def checkout(lines: int) -> int:
        body = {
            "profile_id": str(profile.pk),
            "line_items": [
                {"product_id": str(catalogue[n % len(catalogue)].pk), "quantity": 1}
                for n in range(lines)
            ],
        }
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/v1/orders/checkout", body, content_type="application/json")
        assert response.status_code == 201, response.content
        return len(captured.captured_queries)

    checkout(1)  # the year's ref counter row exists from here on
    one, five = checkout(1), checkout(5)

    # The token, its rate-limit counter (an upsert); the checkout's transaction (a
    # savepoint pair inside the test's transaction, BEGIN/COMMIT in production); the
    # profile; the products; the ref counter (one upsert); the order, its items (one
    # insert), its history rows (placed, CREATED) and the move NEW -> CREATED; the
    # order.created event (the order's documents rendered from the order, items,
    # payments and notes, and stored; the event row, its task row); then the view
    # answers with the stored `/v1/` document (one query).
    assert one == five == 2 + 2 + 1 + 1 + 1 + 2 + 2 + 1 + (4 + 1 + 2) + 1

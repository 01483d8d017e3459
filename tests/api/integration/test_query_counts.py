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

"""`GET /v1/events`: a team's events for polling clients, walked with `after`."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from integration.services import api_token_create
from tests.factories import ProductFactory, ProfileFactory, StaffFactory, TeamFactory

pytestmark = pytest.mark.django_db


def v1_client(team: Any, token_type: str = "full_access", scopes: Any = None) -> Client:
    raw = api_token_create(team=team, token_type=token_type, scopes=scopes).raw
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def checkout(client: Client, team: Any) -> dict[str, Any]:
    body = {
        "profile_id": str(ProfileFactory(team=team).pk),
        "line_items": [{"product_id": str(ProductFactory(price="10.00").pk), "quantity": 2}],
    }
    response = client.post("/v1/orders/checkout", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def feed(client: Client, query: str = "") -> Any:
    return client.get(f"/v1/events{query}")


def walk(client: Client, limit: int) -> list[dict[str, Any]]:
    """Every event, page by page, as a polling client does."""
    records: list[dict[str, Any]] = []
    after = ""
    while True:
        page = feed(client, f"?limit={limit}{after}").json()
        records += page["records"]
        if not page["records"]:
            return records
        after = f"&after={page['next_after']}"


@pytest.fixture
def team() -> Any:
    return TeamFactory()


@pytest.fixture
def client(team: Any) -> Client:
    return v1_client(team)


def test_the_feed_lists_the_teams_events_oldest_first_with_the_v1_order(
    client: Client, team: Any
) -> None:
    order = checkout(client, team)
    staff = Client()
    staff.force_login(StaffFactory())
    moved = staff.put(
        f"/api/orders/{order['reference_number']}/status/",
        {"status": "CANCELLED"},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content

    page = feed(client).json()

    assert [r["type"] for r in page["records"]] == ["order.created", "order.status_changed"]
    created, cancelled = page["records"]
    assert page["next_after"] == cancelled["id"]
    assert created["id"] < cancelled["id"]
    assert created["ref"] == order["reference_number"]
    assert created["team_id"] == str(team.pk)
    assert created["data"]["order"] == {
        **order,
        "checkout_link": created["data"]["order"]["checkout_link"],
    }
    assert created["data"]["order"]["checkout_link"].startswith("http://127.0.0.1:8000/pay/")
    assert (cancelled["data"]["from"], cancelled["data"]["to"]) == ("CREATED", "CANCELLED")
    assert cancelled["data"]["order"]["status"] == "CANCELLED"
    assert client.get(f"/v1/orders/{order['id']}").json()["status"] == "CANCELLED"


def test_walking_with_after_gives_every_event_once_and_an_empty_page_keeps_after(
    client: Client, team: Any
) -> None:
    for _ in range(4):
        checkout(client, team)

    everything = feed(client, "?limit=100").json()["records"]
    walked = walk(client, limit=3)

    assert len(everything) == 4
    assert walked == everything
    last = everything[-1]["id"]
    assert feed(client, f"?after={last}").json() == {"records": [], "next_after": last}
    # An empty `after` (a client that never saw an event) starts from the first.
    assert feed(client, "?after=&limit=100").json()["records"] == everything
    assert feed(client, "?limit=2").json()["records"] == everything[:2]


def test_another_teams_events_are_not_listed_nor_usable_as_after(client: Client, team: Any) -> None:
    other_team = TeamFactory()
    other = v1_client(other_team)
    checkout(other, other_team)
    checkout(client, team)
    theirs = feed(other).json()["records"][0]["id"]

    mine = feed(client).json()["records"]
    response = feed(client, f"?after={theirs}")

    assert [r["team_id"] for r in mine] == [str(team.pk)]
    assert response.status_code == 400
    assert response.json() == {
        "name": "ValidationError",
        "message": "Validation failed.",
        "issues": [{"path": ["after"], "message": "No event of this team has that id."}],
    }


@pytest.mark.parametrize("query", ["?after=evt_9999999999999999", "?after=" + "x" * 60])
def test_an_unknown_after_is_a_400(client: Client, query: str) -> None:
    response = feed(client, query)

    assert response.status_code == 400, response.content
    assert response.json()["name"] == "ValidationError"
    assert response.json()["issues"][0]["path"] == ["after"]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "2.5"])
def test_a_bad_limit_is_a_400(client: Client, limit: str) -> None:
    response = feed(client, f"?limit={limit}")

    assert response.status_code == 400, response.content
    assert response.json()["issues"][0]["path"] == ["limit"]


def test_the_feed_needs_the_events_read_scope(team: Any) -> None:
    without = v1_client(team, "custom", scopes=["orders.read"])
    read_only = v1_client(team, "read_only", scopes=["events.read"])
    custom = v1_client(team, "custom", scopes=["events.read"])

    assert feed(without).status_code == 403
    assert feed(without).json()["name"] == "ForbiddenError"
    assert feed(read_only).status_code == 200
    assert feed(custom).status_code == 200
    assert Client().get("/v1/events").status_code == 401


def test_a_page_costs_the_same_queries_for_1_and_100_events(
    client: Client, team: Any, count_queries: Any
) -> None:
    checkout(client, team)
    one = count_queries(lambda: feed(client, "?limit=1"))
    after = feed(client, "?limit=1").json()["next_after"]
    for _ in range(100):
        checkout(client, team)

    many = count_queries(lambda: feed(client, "?limit=100"))
    after_many = count_queries(lambda: feed(client, f"?limit=100&after={after}"))

    assert len(feed(client, "?limit=100").json()["records"]) == 100
    assert many == one
    assert after_many == one + 1  # checking that `after` is one of the team's events


def test_the_pay_link_is_shown_but_its_token_is_not_stored_with_the_event(
    client: Client, team: Any
) -> None:
    order = checkout(client, team)
    token = order["checkout_link"].rstrip("/").rsplit("/", 1)[1]

    [created] = feed(client).json()["records"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM events_event")
        stored = repr(cursor.fetchall())

    assert created["data"]["order"]["checkout_link"].endswith(f"/pay/{token}/")
    assert token not in stored

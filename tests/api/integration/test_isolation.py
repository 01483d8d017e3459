"""A full-access token of team A reaches nothing of team B, through any call: B's objects
are simply not found (404, the same answer as for an id that names nothing), and never
show up in A's lists."""

from decimal import Decimal
from typing import Any

import pytest
import requests
from django.db.models import Max
from pypresscart import NotFoundError

from integration.services import CheckoutLine, integration_checkout
from orders.models import Order, OrderItem
from shop.models import Profile
from tests.factories import ProfileFactory


def place(team: Any, profile: Any, *products: Any) -> Order:
    return integration_checkout(
        team=team,
        profile_id=profile.pk,
        lines=[CheckoutLine(product_id=product.pk, quantity=1) for product in products],
        discount=Decimal("0"),
    )


def unused_pk(model: Any) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1000


@pytest.fixture
def world(team, other_team, profile, other_profile, catalogue) -> dict[str, Any]:
    """Both teams with orders, line items and profiles; A's token and client."""
    ours = [place(team, profile, catalogue[0], catalogue[1]) for _ in range(2)]
    theirs = [place(other_team, other_profile, catalogue[2]) for _ in range(3)]
    second_theirs_profile = ProfileFactory(team=other_team)
    theirs.append(place(other_team, second_theirs_profile, catalogue[0]))
    return {
        "ours": ours,
        "theirs": theirs,
        "their_profiles": [other_profile, second_theirs_profile],
        "their_items": list(OrderItem.objects.filter(order__team=other_team)),
    }


def test_another_teams_order_is_not_found_like_a_missing_one(presscart, make_token, team, world):
    client = presscart(make_token(team))

    for order in world["theirs"]:
        with pytest.raises(NotFoundError) as raised:
            client.orders.get(str(order.pk))
        with pytest.raises(NotFoundError) as missing:
            client.orders.get(str(unused_pk(Order)))
        # No hint that it exists: the very same answer as for an id that names nothing.
        assert raised.value.payload == missing.value.payload
        assert raised.value.name == "NotFoundError"


def test_another_teams_order_by_its_ref_is_not_found(presscart, make_token, team, world):
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError):
        client.orders.get(world["theirs"][0].ref)


def test_another_teams_profiles_are_not_found(presscart, make_token, team, other_team, world):
    client = presscart(make_token(team))

    with pytest.raises(NotFoundError) as raised:
        client.profiles.list_team_profiles(str(other_team.pk))
    with pytest.raises(NotFoundError) as missing:
        client.profiles.list_team_profiles(str(unused_pk(type(team))))

    assert raised.value.payload == missing.value.payload
    own = client.profiles.list_team_profiles(str(team.pk))
    their_ids = {str(p.pk) for p in world["their_profiles"]}
    assert own.total_records == 1
    assert not their_ids & {p.id for p in own.records}


def test_another_teams_profile_orders_are_not_found(presscart, make_token, team, world):
    client = presscart(make_token(team))

    for their_profile in world["their_profiles"]:
        with pytest.raises(NotFoundError) as raised:
            client.profiles.list_orders(str(their_profile.pk))
        with pytest.raises(NotFoundError) as filtered:
            client.profiles.list_orders(str(their_profile.pk), paid_orders_only=True)
        with pytest.raises(NotFoundError) as missing:
            client.profiles.list_orders(str(unused_pk(Profile)))
        assert raised.value.payload == missing.value.payload == filtered.value.payload


def test_another_teams_orders_never_appear_in_the_order_list(presscart, make_token, team, world):
    client = presscart(make_token(team))

    for sort_by in ("created_at", "updated_at", "total", "reference_number"):
        for order_by in ("asc", "desc"):
            page = client.orders.list(limit=100, sort_by=sort_by, order_by=order_by)
            assert sorted(o.id for o in page.records) == sorted(str(o.pk) for o in world["ours"])
            assert page.total_records == len(world["ours"])
            assert all(o.team_id == str(team.pk) for o in page.records)


def test_another_teams_lines_never_appear_in_the_order_items_list(
    presscart, make_token, team, world
):
    client = presscart(make_token(team))
    our_items = OrderItem.objects.filter(order__in=world["ours"])

    for sort_by in ("created_at", "price"):
        page = client.order_items.list(limit=100, sort_by=sort_by)
        assert sorted(i.id for i in page.records) == sorted(str(i.pk) for i in our_items)
        assert page.total_records == our_items.count()
        their_orders = {str(o.pk) for o in world["theirs"]}
        assert not their_orders & {i.order_id for i in page.records}


def test_an_add_on_cannot_link_to_another_teams_line(
    presscart, make_token, team, profile, catalogue, world
):
    client = presscart(make_token(team))
    before = Order.objects.count()

    for item in world["their_items"]:
        with pytest.raises(NotFoundError):
            client.orders.create_checkout(
                {
                    "profile_id": str(profile.pk),
                    "line_items": [
                        {
                            "product_id": str(catalogue[0].pk),
                            "is_add_on": True,
                            "linked_order_line_item_id": str(item.pk),
                        }
                    ],
                }
            )

    assert Order.objects.count() == before
    # The same add-on linked to one of our own lines goes through.
    ours = OrderItem.objects.filter(order=world["ours"][0]).first()
    linked = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [
                {
                    "product_id": str(catalogue[0].pk),
                    "is_add_on": True,
                    "linked_order_line_item_id": str(ours.pk),
                }
            ],
        }
    )
    assert linked.line_items[0].linked_order_line_item_id == str(ours.pk)


def test_no_checkout_for_another_teams_profile(presscart, make_token, team, catalogue, world):
    client = presscart(make_token(team))
    before = Order.objects.count()

    for their_profile in world["their_profiles"]:
        with pytest.raises(NotFoundError):
            client.orders.create_checkout(
                {
                    "profile_id": str(their_profile.pk),
                    "line_items": [{"product_id": str(catalogue[0].pk)}],
                }
            )

    assert Order.objects.count() == before


def test_it_holds_the_other_way_round(presscart, make_token, team, other_team, world):
    """B's token is just as blind to A: isolation is not an accident of which team is first."""
    client = presscart(make_token(other_team))

    with pytest.raises(NotFoundError):
        client.orders.get(str(world["ours"][0].pk))
    with pytest.raises(NotFoundError):
        client.profiles.list_team_profiles(str(team.pk))
    listed = client.orders.list(limit=100)
    assert sorted(o.id for o in listed.records) == sorted(str(o.pk) for o in world["theirs"])


def test_whoami_names_only_the_tokens_team(presscart, make_token, team, other_team):
    assert presscart(make_token(team)).auth.whoami().team_id == str(team.pk)
    assert presscart(make_token(other_team)).auth.whoami().team_id == str(other_team.pk)


@pytest.mark.parametrize("suffix", ["", "/"])
def test_raw_requests_see_nothing_of_another_team(
    live_server, make_token, team, other_team, world, suffix
):
    """Straight HTTP, every path that takes an id, with and without a trailing slash."""
    headers = {"Authorization": f"Bearer {make_token(team)}"}
    their_order = world["theirs"][0]
    their_profile = world["their_profiles"][0]

    for path in (
        f"/v1/orders/{their_order.pk}",
        f"/v1/teams/{other_team.pk}/profiles",
        f"/v1/profiles/{their_profile.pk}/orders",
    ):
        response = requests.get(f"{live_server.url}{path}{suffix}", headers=headers, timeout=10)
        assert response.status_code == 404, path
        body = response.json()
        assert body["name"] == "NotFoundError"
        assert their_order.ref not in response.text
        assert their_profile.name not in response.text
        assert other_team.name not in response.text

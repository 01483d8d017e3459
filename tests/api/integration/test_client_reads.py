"""Reads through the real `pypresscart` client: whoami, the paginated lists with every
sort key, one order's full shape, profiles and products."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from django.utils import timezone
from pypresscart import Order as PresscartOrder
from pypresscart.models import SortOrder, TokenType

from integration.services import CheckoutLine, integration_checkout
from orders.models import Order, OrderItem
from orders.services import payment_record
from shop.models import Product
from tests.factories import ProductFactory, ProfileFactory

ALL_SCOPES = {
    "orders.lists",
    "orders.read",
    "orders.create",
    "profiles.lists",
    "products.read",
    "webhooks.manage",
    "events.read",
}
ENVELOPE_KEYS = {
    "records",
    "total_records",
    "total_pages",
    "current_page",
    "next_page",
    "previous_page",
}


def place(team: Any, profile: Any, *lines: tuple[Any, int], discount: str = "0") -> Order:
    """An order placed by the same service `/v1/orders/checkout` calls."""
    return integration_checkout(
        team=team,
        profile_id=profile.pk,
        lines=[CheckoutLine(product_id=product.pk, quantity=qty) for product, qty in lines],
        discount=Decimal(discount),
    )


def walk(list_page: Any, limit: int, **params: Any) -> list[Any]:
    """Every record of a paginated list, following `next_page` from page 1."""
    records: list[Any] = []
    page: int | None = 1
    seen_pages = 0
    while page is not None:
        result = list_page(limit=limit, page=page, **params)
        assert result.current_page == page
        records.extend(result.records)
        page = result.next_page
        seen_pages += 1
        assert seen_pages <= 100, "the walk never ends"
    return records


def expected_ids(rows: list[tuple[int, Any]], descending: bool) -> list[str]:
    """Ids sorted by value, ties by id, both in the requested direction."""
    ordered = sorted(rows, key=lambda row: (row[1], row[0]), reverse=descending)
    return [str(pk) for pk, _ in ordered]


# --- auth.whoami -----------------------------------------------------------------------


def test_whoami_full_access_lists_every_scope(presscart, make_token, team):
    client = presscart(make_token(team, "full_access"))

    info = client.auth.whoami()

    assert info.source
    assert info.team_id == str(team.pk)
    assert info.token_type == TokenType.FULL_ACCESS
    assert set(info.scopes) == ALL_SCOPES
    assert len(info.scopes) == len(ALL_SCOPES)


def test_whoami_as_json_has_the_wire_shape(presscart, make_token, team):
    client = presscart(make_token(team, "full_access"))

    info = client.auth.whoami(as_json=True)

    assert isinstance(info, dict)
    assert isinstance(info["source"], str) and info["source"]
    assert info["team_id"] == str(team.pk)
    assert info["token_type"] == "full_access"
    assert sorted(info["scopes"]) == sorted(ALL_SCOPES)


def test_whoami_custom_lists_exactly_its_scopes(presscart, make_token, team):
    client = presscart(make_token(team, "custom", scopes=["orders.read", "products.read"]))

    info = client.auth.whoami()

    assert info.token_type == TokenType.CUSTOM
    assert sorted(info.scopes) == ["orders.read", "products.read"]


def test_whoami_read_only_never_lists_a_write_scope(presscart, make_token, team):
    raw = make_token(team, "read_only", scopes=["orders.lists", "orders.create", "products.read"])
    client = presscart(raw)

    info = client.auth.whoami()

    assert info.token_type == TokenType.READ_ONLY
    assert sorted(info.scopes) == ["orders.lists", "products.read"]


def test_whoami_in_json_response_mode(presscart, make_token, other_team):
    client = presscart(make_token(other_team), response_mode="json")

    info = client.auth.whoami()

    assert isinstance(info, dict)
    assert info["team_id"] == str(other_team.pk)


# --- orders.list -----------------------------------------------------------------------


def test_orders_list_walks_seven_orders_three_a_page(
    presscart, make_token, team, profile, catalogue
):
    orders = [place(team, profile, (catalogue[i % 3], 1)) for i in range(7)]
    client = presscart(make_token(team))
    newest_first = expected_ids([(o.pk, o.created_at) for o in orders], descending=True)

    pages = [client.orders.list(limit=3, page=page) for page in (1, 2, 3)]

    assert [len(p.records) for p in pages] == [3, 3, 1]
    assert [(p.current_page, p.previous_page, p.next_page) for p in pages] == [
        (1, None, 2),
        (2, 1, 3),
        (3, 2, None),
    ]
    assert all(p.total_pages == 3 and p.total_records == 7 for p in pages)
    walked = [record.id for p in pages for record in p.records]
    assert walked == newest_first  # the default: created_at, newest first
    assert len(set(walked)) == 7


def test_orders_list_page_walk_follows_next_page(presscart, make_token, team, profile, catalogue):
    orders = [place(team, profile, (catalogue[0], 1)) for _ in range(7)]
    client = presscart(make_token(team))

    walked = walk(client.orders.list, limit=3)

    assert sorted(int(record.id) for record in walked) == sorted(o.pk for o in orders)


def test_orders_list_page_past_the_end_is_empty_with_true_totals(
    presscart, make_token, team, profile, catalogue
):
    for _ in range(7):
        place(team, profile, (catalogue[0], 1))
    client = presscart(make_token(team))

    page = client.orders.list(limit=3, page=4, as_json=True)

    assert set(page) >= ENVELOPE_KEYS
    assert page["records"] == []
    assert page["total_records"] == 7
    assert page["total_pages"] == 3
    assert page["current_page"] == 4
    assert page["next_page"] is None
    assert page["previous_page"] == 3


def test_orders_list_of_a_team_without_orders(presscart, make_token, team):
    client = presscart(make_token(team))

    page = client.orders.list(as_json=True)

    assert page["records"] == []
    assert page["total_records"] == 0
    assert page["total_pages"] == 0
    assert page["current_page"] == 1
    assert page["next_page"] is None
    assert page["previous_page"] is None


def test_orders_list_default_limit_is_25(presscart, make_token, team, profile, catalogue):
    for _ in range(26):
        place(team, profile, (catalogue[0], 1))
    client = presscart(make_token(team))

    page = client.orders.list(page=1)

    assert len(page.records) == 25
    assert (page.total_records, page.total_pages, page.next_page) == (26, 2, 2)


def test_orders_list_caps_limit_at_100(presscart, make_token, team, profile, catalogue):
    for _ in range(120):
        place(team, profile, (catalogue[0], 1))
    client = presscart(make_token(team))

    first = client.orders.list(limit=150, page=1, as_json=True)
    second = client.orders.list(limit=150, page=2, as_json=True)

    assert len(first["records"]) == 100
    assert (first["total_records"], first["total_pages"], first["next_page"]) == (120, 2, 2)
    assert len(second["records"]) == 20
    assert second["next_page"] is None
    ids = [r["id"] for r in first["records"] + second["records"]]
    assert len(set(ids)) == 120


@pytest.fixture
def orders_with_ties(team, profile, catalogue):
    """Nine orders where every sort key has ties (refs are unique by nature)."""
    cheap, middle, _ = catalogue
    orders = [place(team, profile, (cheap if i % 3 else middle, 1)) for i in range(9)]
    # Same timestamps for groups of orders, so only the id can order them.
    moment = timezone.now() - timedelta(days=3)
    Order.objects.filter(pk__in=[o.pk for o in orders[:4]]).update(
        created_at=moment, updated_at=moment + timedelta(hours=1)
    )
    Order.objects.filter(pk__in=[o.pk for o in orders[4:]]).update(updated_at=moment)
    return orders


SORT_COLUMNS = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "total": "total",
    "reference_number": "ref",
}


@pytest.mark.parametrize("order_by", ["asc", "desc"])
@pytest.mark.parametrize("sort_by", list(SORT_COLUMNS))
def test_orders_list_sorts_stably_by_every_key(
    presscart, make_token, team, orders_with_ties, sort_by, order_by
):
    column = SORT_COLUMNS[sort_by]
    rows = list(Order.objects.filter(team=team).values_list("pk", column))
    client = presscart(make_token(team))

    walked = walk(client.orders.list, limit=2, sort_by=sort_by, order_by=order_by)

    assert [record.id for record in walked] == expected_ids(rows, descending=order_by == "desc")


def test_orders_list_sorts_desc_by_default(presscart, make_token, team, orders_with_ties):
    rows = list(Order.objects.filter(team=team).values_list("pk", "created_at"))
    client = presscart(make_token(team))

    page = client.orders.list(limit=100)

    assert [r.id for r in page.records] == expected_ids(rows, descending=True)


def test_orders_list_sort_by_total_really_orders_by_amount(
    presscart, make_token, team, profile, catalogue
):
    small = place(team, profile, (catalogue[0], 1))
    large = place(team, profile, (catalogue[2], 1))
    medium = place(team, profile, (catalogue[1], 1))
    client = presscart(make_token(team))

    # The client's own enum works as well as the plain string.
    ascending = client.orders.list(sort_by="total", order_by=SortOrder.ASC)

    assert [r.id for r in ascending.records] == [str(small.pk), str(medium.pk), str(large.pk)]
    assert [r.total for r in ascending.records] == [10.0, 25.5, 99.99]


# --- orders.get ------------------------------------------------------------------------


LINE_ITEM_KEYS = {
    "id",
    "order_id",
    "product_id",
    "name",
    "quantity",
    "price",
    "is_add_on",
    "linked_order_line_item_id",
    "created_at",
    "updated_at",
}
ORDER_KEYS = {
    "id",
    "reference_number",
    "status",
    "profile_id",
    "team_id",
    "subtotal",
    "discount",
    "processing_fee",
    "credits_applied",
    "total",
    "date_paid",
    "is_guest_order",
    "checkout_link",
    "created_at",
    "updated_at",
    "line_items",
}


def test_orders_get_has_the_full_wire_shape(
    presscart, make_token, live_server, team, profile, catalogue
):
    ten, twenty_five_fifty, _ = catalogue
    order = place(team, profile, (twenty_five_fifty, 2), (ten, 1), discount="1.25")
    client = presscart(make_token(team))

    body = client.orders.get(str(order.pk), as_json=True)

    assert set(body) >= ORDER_KEYS
    assert body["id"] == str(order.pk)
    assert body["reference_number"] == order.ref
    assert body["status"] == "CREATED"
    assert body["profile_id"] == str(profile.pk)
    assert body["team_id"] == str(team.pk)
    assert body["subtotal"] == 61.0
    assert body["discount"] == 1.25
    assert body["processing_fee"] == 0.0
    assert body["credits_applied"] == 0.0
    assert body["total"] == 59.75
    for key in ("subtotal", "discount", "processing_fee", "credits_applied", "total"):
        assert isinstance(body[key], (int, float)) and not isinstance(body[key], bool), key
    assert body["date_paid"] is None
    assert body["is_guest_order"] is False
    assert body["checkout_link"] == f"{live_server.url}/pay/{order.token}/"
    items = list(OrderItem.objects.filter(order=order).order_by("id"))
    assert [line["id"] for line in body["line_items"]] == [str(item.pk) for item in items]
    first, second = body["line_items"]
    assert set(first) >= LINE_ITEM_KEYS
    assert first == {
        **first,
        "order_id": str(order.pk),
        "product_id": str(twenty_five_fifty.pk),
        "name": twenty_five_fifty.name,
        "quantity": 2,
        "price": 25.5,
        "is_add_on": False,
        "linked_order_line_item_id": None,
    }
    assert (second["product_id"], second["quantity"], second["price"]) == (str(ten.pk), 1, 10.0)
    assert first["created_at"] and first["updated_at"]


def test_orders_get_parses_into_the_clients_models(presscart, make_token, team, profile, catalogue):
    order = place(team, profile, (catalogue[2], 3))
    client = presscart(make_token(team))

    parsed = client.orders.get(str(order.pk))

    assert isinstance(parsed, PresscartOrder)
    assert parsed.id == str(order.pk)
    assert parsed.subtotal == 299.97
    assert parsed.total == 299.97
    assert parsed.created_at is not None and parsed.updated_at is not None
    assert parsed.checkout_link and parsed.checkout_link.startswith("http")
    (line,) = parsed.line_items
    assert (line.product_id, line.quantity, line.price) == (str(catalogue[2].pk), 3, 99.99)
    assert line.order_id == parsed.id
    assert line.created_at is not None


def test_orders_get_after_full_payment_has_no_checkout_link(
    presscart, make_token, team, profile, catalogue
):
    order = place(team, profile, (catalogue[1], 2))
    payment_record(
        order=order,
        amount=Decimal("51.00"),
        transaction_id="bank-transfer-1",
        payment_method="manual",
        actor=None,
        source="test",
    )
    client = presscart(make_token(team))

    paid = client.orders.get(str(order.pk))

    assert paid.checkout_link is None
    assert paid.date_paid is not None
    assert paid.status == "PROCESSING"
    assert paid.total == 51.0


def test_orders_list_records_have_the_order_shape(presscart, make_token, team, profile, catalogue):
    order = place(team, profile, (catalogue[1], 1))
    client = presscart(make_token(team))

    (record,) = client.orders.list(as_json=True)["records"]

    assert set(record) >= ORDER_KEYS
    assert record["id"] == str(order.pk)
    assert record["total"] == 25.5
    assert set(record["line_items"][0]) >= LINE_ITEM_KEYS


# --- order_items.list ------------------------------------------------------------------


def test_order_items_list_pages_through_the_teams_lines(
    presscart, make_token, team, profile, catalogue
):
    ten, twenty_five_fifty, ninety_nine = catalogue
    first = place(team, profile, (ten, 2), (ninety_nine, 1))
    second = place(team, profile, (twenty_five_fifty, 3))
    items = list(OrderItem.objects.filter(order__in=[first, second]))
    client = presscart(make_token(team))

    page_one = client.order_items.list(limit=2, page=1)
    page_two = client.order_items.list(limit=2, page=2)

    assert (page_one.total_records, page_one.total_pages, page_one.next_page) == (3, 2, 2)
    assert (page_two.previous_page, page_two.next_page, len(page_two.records)) == (1, None, 1)
    records = [*page_one.records, *page_two.records]
    assert sorted(r.id for r in records) == sorted(str(item.pk) for item in items)
    by_id = {r.id: r for r in records}
    line = OrderItem.objects.get(order=second)
    record = by_id[str(line.pk)]
    assert record.order_id == str(second.pk)
    assert record.product_id == str(twenty_five_fifty.pk)
    assert record.product_name == twenty_five_fifty.name
    assert record.product_price == 25.5
    assert record.sale_price == 76.5
    assert record.created_at is not None


@pytest.mark.parametrize("order_by", ["asc", "desc"])
def test_order_items_list_sorts_by_price(presscart, make_token, team, profile, catalogue, order_by):
    ten, twenty_five_fifty, ninety_nine = catalogue
    place(team, profile, (ninety_nine, 1), (ten, 1))
    place(team, profile, (twenty_five_fifty, 1), (ten, 2))
    rows = list(OrderItem.objects.filter(order__team=team).values_list("pk", "unit_price"))
    client = presscart(make_token(team))

    walked = walk(client.order_items.list, limit=3, sort_by="price", order_by=order_by)

    assert [r.id for r in walked] == expected_ids(rows, descending=order_by == "desc")


@pytest.mark.parametrize("order_by", ["asc", "desc"])
def test_order_items_list_sorts_by_created_at(
    presscart, make_token, team, profile, catalogue, order_by
):
    ten, twenty_five_fifty, ninety_nine = catalogue
    older = place(team, profile, (ninety_nine, 1), (ten, 1))
    place(team, profile, (twenty_five_fifty, 1))
    Order.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    rows = [
        (pk, created)
        for pk, created in OrderItem.objects.filter(order__team=team).values_list(
            "pk", "order__created_at"
        )
    ]
    client = presscart(make_token(team))

    default = client.order_items.list(order_by=order_by)
    explicit = client.order_items.list(sort_by="created_at", order_by=order_by)

    expected = expected_ids(rows, descending=order_by == "desc")
    assert [r.id for r in default.records] == expected
    assert [r.id for r in explicit.records] == expected


# --- profiles --------------------------------------------------------------------------


def test_profiles_list_team_profiles(presscart, make_token, team, other_team, profile):
    zebra = ProfileFactory(team=team, name="Zebra Works")
    aardvark = ProfileFactory(team=team, name="Aardvark Labs")
    ProfileFactory(team=other_team)
    client = presscart(make_token(team))

    page = client.profiles.list_team_profiles(str(team.pk))

    assert page.total_records == 3
    assert page.total_pages == 1
    assert sorted(p.id for p in page.records) == sorted(
        str(p.pk) for p in (profile, zebra, aardvark)
    )
    assert all(p.team_id == str(team.pk) for p in page.records)
    named = {p.id: p.name for p in page.records}
    assert named[str(zebra.pk)] == "Zebra Works"


def test_profiles_list_team_profiles_pages(presscart, make_token, team, profile):
    for _ in range(4):
        ProfileFactory(team=team)
    client = presscart(make_token(team))

    first = client.profiles.list_team_profiles(str(team.pk), limit=2, page=1)
    last = client.profiles.list_team_profiles(str(team.pk), limit=2, page=3)

    assert (first.total_records, first.total_pages, first.next_page) == (5, 3, 2)
    assert (len(last.records), last.next_page, last.previous_page) == (1, None, 2)


@pytest.mark.parametrize("order_by", ["asc", "desc"])
def test_profiles_sort_by_name(live_server, make_token, team, order_by):
    # Created in an order unlike the names' order, with a tie only the id can break.
    for name in ("Mango", "Banana", "Apple", "Cherry", "Banana", "Banana"):
        ProfileFactory(team=team, name=name)
    rows = list(team.profiles.values_list("pk", "name"))
    raw = make_token(team)

    # The client's list_team_profiles has no sort parameters; the API takes them anyway.
    pages = [
        requests.get(
            f"{live_server.url}/v1/teams/{team.pk}/profiles",
            params={"sort_by": "name", "order_by": order_by, "limit": 4, "page": page},
            headers={"Authorization": f"Bearer {raw}"},
            timeout=10,
        )
        for page in (1, 2)
    ]

    assert [p.status_code for p in pages] == [200, 200]
    ids = [record["id"] for p in pages for record in p.json()["records"]]
    assert ids == expected_ids(rows, descending=order_by == "desc")


@pytest.mark.parametrize("order_by", ["asc", "desc"])
def test_profiles_sort_by_created_at(live_server, make_token, team, order_by):
    profiles = [ProfileFactory(team=team, name=name) for name in ("B", "A", "C")]
    moment = timezone.now() - timedelta(days=1)
    type(profiles[0]).objects.filter(pk__in=[p.pk for p in profiles[1:]]).update(created_at=moment)
    rows = list(team.profiles.values_list("pk", "created_at"))

    response = requests.get(
        f"{live_server.url}/v1/teams/{team.pk}/profiles",
        params={"sort_by": "created_at", "order_by": order_by},
        headers={"Authorization": f"Bearer {make_token(team)}"},
        timeout=10,
    )

    assert response.status_code == 200, response.text
    ids = [record["id"] for record in response.json()["records"]]
    assert ids == expected_ids(rows, descending=order_by == "desc")


def test_profiles_list_orders_only_that_profiles(presscart, make_token, team, profile, catalogue):
    sibling = ProfileFactory(team=team)
    own = [place(team, profile, (catalogue[0], 1)) for _ in range(3)]
    place(team, sibling, (catalogue[0], 1))
    client = presscart(make_token(team))

    page = client.profiles.list_orders(str(profile.pk), limit=2)

    assert (page.total_records, page.total_pages, page.next_page) == (3, 2, 2)
    rest = client.profiles.list_orders(str(profile.pk), limit=2, page=2)
    ids = [o.id for o in [*page.records, *rest.records]]
    assert sorted(ids) == sorted(str(o.pk) for o in own)
    assert all(o.profile_id == str(profile.pk) for o in page.records)


def test_profiles_list_orders_paid_orders_only(presscart, make_token, team, profile, catalogue):
    unpaid = place(team, profile, (catalogue[0], 1))
    paid = place(team, profile, (catalogue[1], 1))
    payment_record(
        order=paid,
        amount=Decimal("25.50"),
        transaction_id="wire-77",
        payment_method="manual",
        actor=None,
        source="test",
    )
    client = presscart(make_token(team))

    only_paid = client.profiles.list_orders(str(profile.pk), paid_orders_only=True)
    everything = client.profiles.list_orders(str(profile.pk), paid_orders_only=False)

    assert [o.id for o in only_paid.records] == [str(paid.pk)]
    assert only_paid.records[0].date_paid is not None
    assert sorted(o.id for o in everything.records) == sorted([str(paid.pk), str(unpaid.pk)])


def test_profiles_list_orders_between_dates(presscart, make_token, team, profile, catalogue):
    today = timezone.localdate()
    old, recent, new = (place(team, profile, (catalogue[0], 1)) for _ in range(3))
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))
    Order.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=20))
    client = presscart(make_token(team))

    since = client.profiles.list_orders(
        str(profile.pk), start_date=(today - timedelta(days=30)).isoformat()
    )
    until = client.profiles.list_orders(
        str(profile.pk), end_date=(today - timedelta(days=30)).isoformat()
    )
    window = client.profiles.list_orders(
        str(profile.pk),
        start_date=(today - timedelta(days=30)).isoformat(),
        end_date=(today - timedelta(days=10)).isoformat(),
    )

    assert sorted(o.id for o in since.records) == sorted([str(recent.pk), str(new.pk)])
    assert [o.id for o in until.records] == [str(old.pk)]
    assert [o.id for o in window.records] == [str(recent.pk)]
    assert window.total_records == 1


# --- products --------------------------------------------------------------------------


def test_products_get_prices_in_cents(presscart, make_token, team, catalogue):
    product = catalogue[1]
    client = presscart(make_token(team))

    parsed = client.products.get(str(product.pk))
    raw = client.products.get(str(product.pk), as_json=True)

    assert parsed.id == str(product.pk)
    assert parsed.name == product.name
    assert parsed.prices[0].unit_amount == 2550
    assert raw["prices"][0]["unit_amount"] == 2550
    assert isinstance(raw["prices"][0]["unit_amount"], int)
    assert raw["prices"][0]["currency"]
    assert raw["id"] == str(product.pk)


def test_products_get_converts_odd_cents_exactly(presscart, make_token, team, catalogue):
    client = presscart(make_token(team))

    raw = client.products.get(str(catalogue[2].pk), as_json=True)

    assert raw["prices"][0]["unit_amount"] == 9999


def test_products_list_listings_only_active(presscart, make_token, team, catalogue):
    retired = ProductFactory(price="5.00", is_active=False)
    client = presscart(make_token(team))

    page = client.products.list_listings(limit=100)

    ids = [p.id for p in page.records]
    assert sorted(ids) == sorted(str(p.pk) for p in catalogue)
    assert str(retired.pk) not in ids
    assert page.total_records == 3
    cents = {p.id: p.prices[0].unit_amount for p in page.records}
    assert cents[str(catalogue[0].pk)] == 1000


@pytest.mark.parametrize("order_by", ["asc", "desc"])
@pytest.mark.parametrize("sort_by", ["name", "price", "created_at"])
def test_products_list_listings_sorts(presscart, make_token, team, catalogue, sort_by, order_by):
    # Names that sort unlike prices and creation, and a price tie.
    ProductFactory(name="Alpha", price="25.50")
    ProductFactory(name="Beta", price="1.00")
    rows = list(Product.objects.filter(is_active=True).values_list("pk", sort_by))
    client = presscart(make_token(team))

    walked = walk(client.products.list_listings, limit=2, sort_by=sort_by, order_by=order_by)

    assert [p.id for p in walked] == expected_ids(rows, descending=order_by == "desc")


def test_products_list_listings_pages(presscart, make_token, team, catalogue):
    for _ in range(2):
        ProductFactory()
    client = presscart(make_token(team))

    first = client.products.list_listings(limit=2, page=1)
    third = client.products.list_listings(limit=2, page=3)
    beyond = client.products.list_listings(limit=2, page=4)

    assert (first.total_records, first.total_pages, first.next_page) == (5, 3, 2)
    assert (len(third.records), third.next_page, third.previous_page) == (1, None, 2)
    assert list(beyond.records) == [] and beyond.total_records == 5

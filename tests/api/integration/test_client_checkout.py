"""`orders.create_checkout` through the real `pypresscart` client: bodies as Pydantic
models and as dicts, catalogue prices, add-ons, discounts, modifiers, and the order being
the same one the storefront and staff see."""

from decimal import Decimal
from typing import Any

import pytest
import requests
from pypresscart import CheckoutLineItem, CheckoutRequest, ValidationError
from pypresscart import Order as PresscartOrder

from kernel.conf import DEFAULTS
from orders.models import Order, OrderEventType, OrderItem, OrderStatus
from orders.selectors import order_guest_token
from orders.services import order_transition
from tests.conftest import logged_in_client
from tests.factories import ProductFactory, StaffFactory, UserFactory

SHIPPING = {
    "class": "shop.modifiers.ShippingModifier",
    "identifier": "shipping",
    "label": "Shipping",
    "amount": "5.00",
}


def assert_money_identity(order: Any) -> None:
    """total = subtotal - discount + processing_fee - credits_applied, to the cent."""
    get = order.get if isinstance(order, dict) else lambda key: getattr(order, key)
    expected = get("subtotal") - get("discount") + get("processing_fee") - get("credits_applied")
    assert round(get("total"), 2) == round(expected, 2)


def test_checkout_with_a_pydantic_body(presscart, make_token, team, profile, catalogue):
    ten, twenty_five_fifty, _ = catalogue
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        CheckoutRequest(
            profile_id=str(profile.pk),
            line_items=[
                CheckoutLineItem(product_id=str(twenty_five_fifty.pk), quantity=2),
                CheckoutLineItem(product_id=str(ten.pk)),
            ],
        )
    )

    assert isinstance(order, PresscartOrder)
    stored = Order.objects.get(pk=int(order.id))
    assert stored.team_id == team.pk
    assert stored.profile_id == profile.pk
    assert order.reference_number == stored.ref
    assert order.status == "CREATED"
    assert order.profile_id == str(profile.pk)
    assert order.team_id == str(team.pk)
    assert (order.subtotal, order.discount, order.total) == (61.0, 0.0, 61.0)
    assert_money_identity(order)
    assert [(li.product_id, li.quantity, li.price) for li in order.line_items] == [
        (str(twenty_five_fifty.pk), 2, 25.5),
        (str(ten.pk), 1, 10.0),
    ]
    assert all(li.id and li.order_id == order.id for li in order.line_items)
    assert stored.total == Decimal("61.00")


def test_checkout_with_a_dict_body_answers_json(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))

    body = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [{"product_id": str(catalogue[2].pk), "quantity": 1, "is_add_on": False}],
            "discount": 0,
        },
        as_json=True,
    )

    assert isinstance(body, dict)
    assert body["total"] == 99.99
    assert body["id"] == str(Order.objects.get(team=team).pk)
    assert body["line_items"][0]["product_id"] == str(catalogue[2].pk)


def test_checkout_prices_come_from_the_catalogue(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [
                {"product_id": str(catalogue[2].pk), "quantity": 1, "price": 0.01},
            ],
            # Unknown fields are ignored, whatever they claim.
            "total": 0.01,
            "subtotal": 0.01,
            "apply_credits": True,
        }
    )

    assert order.line_items[0].price == 99.99
    assert order.subtotal == 99.99
    assert order.total == 99.99
    assert OrderItem.objects.get(order_id=int(order.id)).unit_price == Decimal("99.99")


def test_checkout_multiplies_by_quantity(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        CheckoutRequest(
            profile_id=str(profile.pk),
            line_items=[CheckoutLineItem(product_id=str(catalogue[1].pk), quantity=7)],
        )
    )

    (line,) = order.line_items
    assert (line.quantity, line.price) == (7, 25.5)
    assert order.subtotal == 178.5
    assert order.total == 178.5


def test_checkout_keeps_repeated_products_as_separate_lines(
    presscart, make_token, team, profile, catalogue
):
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [
                {"product_id": str(catalogue[0].pk), "quantity": 1},
                {"product_id": str(catalogue[0].pk), "quantity": 2, "is_add_on": True},
            ],
        }
    )

    assert [(li.quantity, li.is_add_on) for li in order.line_items] == [(1, False), (2, True)]
    assert len({li.id for li in order.line_items}) == 2
    assert order.subtotal == order.total == 30.0


def test_checkout_add_on_linked_to_an_earlier_line(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))
    main = client.orders.create_checkout(
        CheckoutRequest(
            profile_id=str(profile.pk),
            line_items=[CheckoutLineItem(product_id=str(catalogue[2].pk))],
        )
    )
    main_line_id = main.line_items[0].id

    extra = client.orders.create_checkout(
        CheckoutRequest(
            profile_id=str(profile.pk),
            line_items=[
                CheckoutLineItem(
                    product_id=str(catalogue[0].pk),
                    is_add_on=True,
                    linked_order_line_item_id=main_line_id,
                ),
                CheckoutLineItem(product_id=str(catalogue[1].pk), is_add_on=True),
                CheckoutLineItem(product_id=str(catalogue[1].pk)),
            ],
        ),
        as_json=True,
    )

    linked, unlinked, plain = extra["line_items"]
    assert linked["is_add_on"] is True
    assert linked["linked_order_line_item_id"] == main_line_id
    assert isinstance(linked["linked_order_line_item_id"], str)
    assert (unlinked["is_add_on"], unlinked["linked_order_line_item_id"]) == (True, None)
    assert (plain["is_add_on"], plain["linked_order_line_item_id"]) == (False, None)
    stored = OrderItem.objects.get(pk=int(linked["id"]))
    assert stored.linked_item_id == int(main_line_id)
    # Read back, the link is still there.
    reread = client.orders.get(extra["id"])
    assert reread.line_items[0].linked_order_line_item_id == main_line_id


def test_checkout_add_on_in_the_dict_body(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))
    main = client.orders.create_checkout(
        {"profile_id": str(profile.pk), "line_items": [{"product_id": str(catalogue[0].pk)}]}
    )

    order = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [
                {
                    "product_id": str(catalogue[1].pk),
                    "is_add_on": True,
                    "linked_order_line_item_id": main.line_items[0].id,
                }
            ],
        }
    )

    assert order.line_items[0].is_add_on is True
    assert order.line_items[0].linked_order_line_item_id == main.line_items[0].id


def test_checkout_discount_defaults_to_zero(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        {"profile_id": str(profile.pk), "line_items": [{"product_id": str(catalogue[1].pk)}]}
    )

    assert order.discount == 0.0
    assert order.total == order.subtotal == 25.5
    assert_money_identity(order)


@pytest.mark.parametrize("as_model", [True, False])
def test_checkout_discount_lowers_the_total(
    presscart, make_token, team, profile, catalogue, as_model
):
    client = presscart(make_token(team))
    lines = [
        CheckoutLineItem(product_id=str(catalogue[0].pk)),
        CheckoutLineItem(product_id=str(catalogue[1].pk)),
    ]
    body: Any = CheckoutRequest(profile_id=str(profile.pk), line_items=lines, discount=5.25)
    if not as_model:
        body = body.model_dump(mode="json", exclude_none=True)

    order = client.orders.create_checkout(body)

    assert order.subtotal == 35.5
    assert order.discount == 5.25
    assert order.total == 30.25
    assert_money_identity(order)
    assert Order.objects.get(pk=int(order.id)).total == Decimal("30.25")


def test_checkout_discount_of_the_whole_subtotal(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [{"product_id": str(catalogue[0].pk), "quantity": 2}],
            "discount": 20,
        }
    )

    assert (order.subtotal, order.discount, order.total) == (20.0, 20.0, 0.0)
    assert_money_identity(order)
    # Nothing is owed, so there is nothing to pay and no link to pay it.
    assert order.checkout_link is None
    # Paid in full by nothing: it goes on like any paid order, with its history.
    assert order.status == "PROCESSING"
    assert order.date_paid is not None
    assert client.orders.get(order.id).status == "PROCESSING"
    stored = Order.objects.get(pk=int(order.id))
    assert list(
        stored.events.filter(type=OrderEventType.STATUS_CHANGED)
        .order_by("id")
        .values_list("from_status", "to_status", "source")
    ) == [("NEW", "CREATED", "integration"), ("CREATED", "PROCESSING", "integration")]


def test_checkout_discount_above_the_subtotal_is_refused(
    presscart, make_token, team, profile, catalogue
):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.create_checkout(
            {
                "profile_id": str(profile.pk),
                "line_items": [{"product_id": str(catalogue[0].pk), "quantity": 2}],
                "discount": 20.01,
            }
        )

    assert raised.value.status_code == 400
    assert raised.value.name == "ValidationError"
    assert [issue["path"] for issue in raised.value.issues] == [["discount"]]
    assert raised.value.issues[0]["message"]
    assert not Order.objects.exists()


def test_checkout_discount_is_bounded_by_the_subtotal_not_the_total(
    settings, presscart, make_token, team, profile, catalogue
):
    # With 5.00 shipping the total is 25.00, but a discount may only eat the 20.00 of goods.
    settings.ORDERLY_PRICE_MODIFIERS = [SHIPPING]
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.create_checkout(
            {
                "profile_id": str(profile.pk),
                "line_items": [{"product_id": str(catalogue[0].pk), "quantity": 2}],
                "discount": 22,
            }
        )

    assert [issue["path"] for issue in raised.value.issues] == [["discount"]]
    assert not Order.objects.exists()


def test_checkout_negative_discount_is_refused(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))

    with pytest.raises(ValidationError) as raised:
        client.orders.create_checkout(
            CheckoutRequest(
                profile_id=str(profile.pk),
                line_items=[CheckoutLineItem(product_id=str(catalogue[0].pk))],
                discount=-1,
            )
        )

    assert raised.value.name == "ValidationError"
    assert [issue["path"] for issue in raised.value.issues] == [["discount"]]
    assert not Order.objects.exists()


def test_checkout_with_shipping_reports_it_as_processing_fee(
    settings, presscart, make_token, team, profile, catalogue
):
    settings.ORDERLY_PRICE_MODIFIERS = [SHIPPING]
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [{"product_id": str(catalogue[1].pk), "quantity": 2}],
            "discount": 1.5,
        }
    )

    assert order.subtotal == 51.0
    assert order.processing_fee == 5.0
    assert order.discount == 1.5
    assert order.total == 54.5
    assert_money_identity(order)
    assert Order.objects.get(pk=int(order.id)).total == Decimal("54.50")


def test_checkout_with_the_default_modifiers_keeps_the_identity(
    settings, presscart, make_token, team, profile, catalogue
):
    # Bulk discount on 10+ units of a line, and shipping: both end up in the money fields.
    settings.ORDERLY_PRICE_MODIFIERS = DEFAULTS["PRICE_MODIFIERS"]
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [{"product_id": str(catalogue[0].pk), "quantity": 10}],
            "discount": 2,
        },
        as_json=True,
    )

    # 10 x 10.00, less 10% bulk discount and the requested 2.00, plus 5.00 shipping
    # (the discounted 90.00 is under the 100.00 free-shipping threshold).
    assert order["subtotal"] == 100.0
    assert order["discount"] == 12.0
    assert order["processing_fee"] == 5.0
    assert order["total"] == 93.0
    assert_money_identity(order)
    assert Order.objects.get(pk=int(order["id"])).total == Decimal("93.00")


def test_checkout_link_opens_the_pay_page(
    presscart, make_token, live_server, team, profile, catalogue
):
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        {"profile_id": str(profile.pk), "line_items": [{"product_id": str(catalogue[0].pk)}]}
    )

    stored = Order.objects.get(pk=int(order.id))
    assert order.checkout_link == f"{live_server.url}/pay/{order_guest_token(stored)}/"
    page = requests.get(order.checkout_link, timeout=10)
    assert page.status_code == 200
    assert stored.ref in page.text


def test_the_v1_order_is_the_storefront_and_staff_order(
    presscart, make_token, team, profile, catalogue
):
    client = presscart(make_token(team))
    order = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [{"product_id": str(catalogue[1].pk), "quantity": 3}],
            "discount": 0.5,
        }
    )
    member = UserFactory()
    team.members.add(member)

    staff_view = logged_in_client(StaffFactory()).get(f"/api/orders/{order.reference_number}/")
    member_list = logged_in_client(member).get("/api/orders/")

    assert staff_view.status_code == 200, staff_view.content
    staff_order = staff_view.json()
    assert staff_order["ref"] == order.reference_number
    assert staff_order["total"] == "76.00"
    assert Decimal(staff_order["total"]) == Decimal(str(order.total))
    assert staff_order["status"] == order.status
    assert [item["quantity"] for item in staff_order["items"]] == [3]
    assert member_list.status_code == 200, member_list.content
    assert order.reference_number in [o["ref"] for o in member_list.json()]


def test_a_staff_status_change_shows_through_v1(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))
    order = client.orders.create_checkout(
        {"profile_id": str(profile.pk), "line_items": [{"product_id": str(catalogue[0].pk)}]}
    )

    order_transition(
        order=Order.objects.get(pk=int(order.id)),
        status=OrderStatus.CANCELLED,
        actor=StaffFactory(),
        source="admin",
    )

    cancelled = client.orders.get(order.id)
    assert cancelled.status == "CANCELLED"
    assert cancelled.checkout_link is None
    assert cancelled.reference_number == order.reference_number


def test_a_team_members_storefront_does_not_list_other_teams_orders(
    presscart, make_token, team, other_team, other_profile, catalogue
):
    client = presscart(make_token(other_team))
    order = client.orders.create_checkout(
        {"profile_id": str(other_profile.pk), "line_items": [{"product_id": str(catalogue[0].pk)}]}
    )
    member = UserFactory()
    team.members.add(member)

    listing = logged_in_client(member).get("/api/orders/")

    assert listing.status_code == 200
    assert order.reference_number not in [o["ref"] for o in listing.json()]


def test_a_float_discount_is_rounded_to_cents_at_the_edge(presscart, make_token, team, profile):
    """The client sends floats; 0.1 + 0.2 arrives as 0.30000000000000004."""
    product = ProductFactory(price="10.00")
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        {
            "profile_id": str(profile.pk),
            "line_items": [{"product_id": str(product.pk)}],
            "discount": 0.1 + 0.2,
        }
    )

    assert (order.discount, order.total) == (0.3, 9.7)
    assert Order.objects.get(pk=order.id).total == Decimal("9.70")

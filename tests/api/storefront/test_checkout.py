"""`/api/checkout/`: which payment methods a basket may use, and turning it into an order."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from orders.models import Order, OrderEvent, OrderEventType
from shop.models import Product
from tests.conftest import CHECKOUT_BODY
from tests.factories import ProductFactory

CHECKOUT = "/api/checkout/"
PAY_IN_ADVANCE = {"identifier": "pay-in-advance", "label": "Pay in advance", "error": None}
PAY_ON_DELIVERY = {"identifier": "pay-on-delivery", "label": "Pay on delivery", "error": None}


def add_to_basket(client: Client, product: Product, quantity: int = 1) -> None:
    response = client.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": product.pk, "quantity": quantity},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def basket_lines(client: Client) -> list[tuple[int, int]]:
    """The basket as (product id, quantity) pairs, to compare before and after a call."""
    response = client.get("/api/basket/")
    assert response.status_code == 200
    return [(item["product_id"], item["quantity"]) for item in response.json()["items"]]


def checkout(client: Client, **overrides: Any) -> Any:
    body = {**CHECKOUT_BODY, **overrides}
    return client.post(CHECKOUT, body, content_type="application/json")


def ref_of(url: str) -> str:
    """The order ref in a `/api/orders/<ref>/?token=...` URL."""
    return url.split("/api/orders/")[1].split("/")[0]


# --- GET: the methods offered ------------------------------------------------------------


@pytest.mark.parametrize("caller", ["visitor_client", "customer_client", "staff_client"])
def test_checkout_offers_the_basket_methods_to_everyone_and_never_manual(request, caller, product):
    client = request.getfixturevalue(caller)
    add_to_basket(client, product)

    response = client.get(CHECKOUT)

    assert response.status_code == 200
    # `manual` is staff-only and only pays existing orders: not offered at checkout, even
    # to staff.
    assert response.json() == {"payment_methods": [PAY_IN_ADVANCE, PAY_ON_DELIVERY]}


def test_pay_on_delivery_is_listed_with_an_error_above_the_quantity_rule(
    settings, visitor_client, product
):
    settings.ORDERLY_PAY_ON_DELIVERY_MAX_QUANTITY = 3
    add_to_basket(visitor_client, product, 3)
    at_limit = visitor_client.get(CHECKOUT).json()["payment_methods"]
    assert at_limit == [PAY_IN_ADVANCE, PAY_ON_DELIVERY]

    add_to_basket(visitor_client, ProductFactory(), 1)
    above = visitor_client.get(CHECKOUT).json()["payment_methods"]

    assert above == [
        PAY_IN_ADVANCE,
        {**PAY_ON_DELIVERY, "error": "Pay on delivery is only available for up to 3 items."},
    ]


# --- POST: a successful checkout ---------------------------------------------------------


def test_guest_checkout_creates_a_frozen_order_on_hold_and_empties_the_basket(visitor_client):
    product = ProductFactory(name="Teapot", code="TEA-1", price=Decimal("12.50"))
    add_to_basket(visitor_client, product, 2)

    response = checkout(visitor_client, extra={"gift": True})

    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert response.json() == {"url": url}
    assert response["Location"] == url
    ref = ref_of(url)
    assert url.startswith(f"http://testserver/api/orders/{ref}/?token=")
    assert basket_lines(visitor_client) == []
    assert visitor_client.get("/api/basket/quantity/").json() == {"quantity": 0}

    # The catalogue changes afterwards; the order keeps what was sold.
    Product.objects.filter(pk=product.pk).update(name="Renamed", price=Decimal("99.00"))
    order = visitor_client.get(url).json()
    assert order["ref"] == ref
    assert order["status"] == "HOLD"
    assert order["status_display"] == "Hold"
    assert order["user"] is None
    assert order["email"] == CHECKOUT_BODY["email"]
    assert order["shipping_address"] == CHECKOUT_BODY["shipping_address"]
    assert order["billing_address"] == CHECKOUT_BODY["billing_address"]
    assert order["extra"] == {"gift": True}
    assert (order["subtotal"], order["total"], order["extra_rows"]) == ("25.00", "25.00", [])
    assert (order["amount_paid"], order["amount_outstanding"], order["is_paid"]) == (
        "0.00",
        "25.00",
        False,
    )
    [item] = order["items"]
    assert item["product_type"] == "shop.Product"
    assert item["product_id"] == product.pk
    assert item["product"] == {"name": "Teapot", "code": "TEA-1"}
    assert (item["unit_price"], item["quantity"], item["subtotal"], item["total"]) == (
        "12.50",
        2,
        "25.00",
        "25.00",
    )
    assert Order.objects.get(ref=ref).payment_method == "pay-in-advance"


def test_checkout_freezes_modifier_rows_onto_the_order(settings, visitor_client, product):
    settings.ORDERLY_PRICE_MODIFIERS = [
        {
            "class": "shop.modifiers.ShippingModifier",
            "identifier": "shipping",
            "label": "Shipping",
            "amount": "5.00",
        }
    ]
    add_to_basket(visitor_client, product, 3)

    response = checkout(visitor_client)
    assert response.status_code == 201, response.content
    settings.ORDERLY_PRICE_MODIFIERS = []  # later pricing rules don't touch the order
    order = visitor_client.get(response["Location"]).json()

    assert order["subtotal"] == "30.00"
    assert order["extra_rows"] == [
        {"modifier": "shipping", "label": "Shipping", "amount": "5.00", "extra": {}}
    ]
    assert order["total"] == "35.00"
    assert order["amount_outstanding"] == "35.00"


def test_pay_on_delivery_checkout_leaves_the_order_created(visitor_client, product):
    add_to_basket(visitor_client, product)

    response = checkout(visitor_client, payment_method="pay-on-delivery")

    assert response.status_code == 201, response.content
    order = visitor_client.get(response["Location"]).json()
    assert (order["status"], order["status_display"]) == ("CREATED", "Created")
    assert Order.objects.get(ref=order["ref"]).payment_method == "pay-on-delivery"


def test_checkout_records_the_history_of_placing_the_order(customer_client, customer, product):
    add_to_basket(customer_client, product)

    response = checkout(customer_client)

    order = Order.objects.get(ref=ref_of(response["Location"]))
    history = [
        (event.type, event.from_status, event.to_status, event.actor_id)
        for event in OrderEvent.objects.filter(order=order)
    ]
    assert history == [
        (OrderEventType.PLACED, "", "", customer.pk),
        (OrderEventType.STATUS_CHANGED, "NEW", "CREATED", customer.pk),
        (OrderEventType.STATUS_CHANGED, "CREATED", "HOLD", customer.pk),
    ]


def test_a_customers_order_belongs_to_them(customer_client, customer, product):
    add_to_basket(customer_client, product)

    response = checkout(customer_client)

    assert response.status_code == 201, response.content
    order = customer_client.get(response["Location"]).json()
    assert order["user"] == customer.pk
    assert Order.objects.get(ref=order["ref"]).user == customer
    assert basket_lines(customer_client) == []


def test_refs_are_sequential_per_year(visitor_client, customer_client, product):
    year = timezone.localdate().year
    refs = []
    for client in (visitor_client, customer_client, visitor_client):
        add_to_basket(client, product)
        response = checkout(client)
        assert response.status_code == 201, response.content
        refs.append(ref_of(response["Location"]))

    assert refs == [f"{year}-00001", f"{year}-00002", f"{year}-00003"]


def test_a_refused_checkout_does_not_use_up_a_ref(visitor_client, product):
    year = timezone.localdate().year
    add_to_basket(visitor_client, product)
    assert checkout(visitor_client, payment_method="bitcoin").status_code == 400

    response = checkout(visitor_client)

    assert ref_of(response["Location"]) == f"{year}-00001"


def test_an_address_of_exactly_2000_characters_is_accepted(visitor_client, product):
    add_to_basket(visitor_client, product)

    response = checkout(visitor_client, shipping_address="x" * 2000)

    assert response.status_code == 201, response.content
    assert visitor_client.get(response["Location"]).json()["shipping_address"] == "x" * 2000


# --- POST: refusals change nothing -----------------------------------------------------

REQUIRED = ["This field is required."]


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in CHECKOUT_BODY.items() if k != key}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(_without("email"), {"email": REQUIRED}, id="missing-email"),
        pytest.param(
            {**CHECKOUT_BODY, "email": "not-an-email"},
            {"email": ["Enter a valid email address."]},
            id="invalid-email",
        ),
        pytest.param(
            _without("shipping_address"), {"shipping_address": REQUIRED}, id="missing-shipping"
        ),
        pytest.param(
            _without("billing_address"), {"billing_address": REQUIRED}, id="missing-billing"
        ),
        pytest.param(
            {**CHECKOUT_BODY, "billing_address": ""},
            {"billing_address": ["This field may not be blank."]},
            id="blank-billing",
        ),
        pytest.param(
            {**CHECKOUT_BODY, "shipping_address": "x" * 2001},
            {"shipping_address": ["Ensure this field has no more than 2000 characters."]},
            id="address-too-long",
        ),
        pytest.param(_without("payment_method"), {"payment_method": REQUIRED}, id="missing-method"),
        pytest.param(
            {**CHECKOUT_BODY, "payment_method": "bitcoin"},
            {"payment_method": ['"bitcoin" is not a valid choice.']},
            id="unknown-method",
        ),
        pytest.param(
            {**CHECKOUT_BODY, "extra": ["not", "an", "object"]},
            {"extra": ['Expected a dictionary of items but got type "list".']},
            id="extra-not-an-object",
        ),
    ],
)
def test_invalid_checkout_is_a_field_error_and_changes_nothing(
    customer_client, product, body, errors
):
    add_to_basket(customer_client, product, 2)

    response = customer_client.post(CHECKOUT, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == errors
    assert Order.objects.count() == 0
    assert basket_lines(customer_client) == [(product.pk, 2)]


@pytest.mark.parametrize("caller", ["customer_client", "visitor_client", "staff_client"])
def test_manual_payment_is_not_a_checkout_choice(request, caller, product):
    client = request.getfixturevalue(caller)
    add_to_basket(client, product)

    response = checkout(client, payment_method="manual")

    assert response.status_code == 400
    assert response.json() == {"payment_method": ['"manual" is not a valid choice.']}
    assert Order.objects.count() == 0
    assert basket_lines(client) == [(product.pk, 1)]


def test_pay_on_delivery_above_the_quantity_rule_is_refused(settings, visitor_client, product):
    settings.ORDERLY_PAY_ON_DELIVERY_MAX_QUANTITY = 3
    add_to_basket(visitor_client, product, 4)

    response = checkout(visitor_client, payment_method="pay-on-delivery")

    assert response.status_code == 400
    assert response.json() == {
        "payment_method": ["Pay on delivery is only available for up to 3 items."]
    }
    assert Order.objects.count() == 0
    assert basket_lines(visitor_client) == [(product.pk, 4)]


def test_pay_on_delivery_at_the_quantity_rule_is_accepted(settings, visitor_client, product):
    settings.ORDERLY_PAY_ON_DELIVERY_MAX_QUANTITY = 3
    add_to_basket(visitor_client, product, 3)

    response = checkout(visitor_client, payment_method="pay-on-delivery")

    assert response.status_code == 201, response.content


def test_an_empty_basket_cannot_be_checked_out(visitor_client):
    response = checkout(visitor_client)

    assert response.status_code == 400
    assert response.json() == {"payment_method": ["Your basket is empty."]}
    assert Order.objects.count() == 0


def test_a_basket_is_checked_out_only_once(visitor_client, product):
    add_to_basket(visitor_client, product)
    assert checkout(visitor_client).status_code == 201

    again = checkout(visitor_client)

    assert again.status_code == 400
    assert again.json() == {"payment_method": ["Your basket is empty."]}
    assert Order.objects.count() == 1


def test_an_inactive_product_blocks_checkout(visitor_client, product):
    add_to_basket(visitor_client, product)
    Product.objects.filter(pk=product.pk).update(is_active=False)

    response = checkout(visitor_client)

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert Order.objects.count() == 0


def test_a_body_that_is_not_json_is_a_400(visitor_client, product):
    add_to_basket(visitor_client, product)

    response = visitor_client.post(CHECKOUT, "{email: nope", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert Order.objects.count() == 0
    assert basket_lines(visitor_client) == [(product.pk, 1)]


# --- as salesman does: errors together, the empty basket, extra merged -------------------


def test_every_invalid_field_is_reported_in_one_400(visitor_client, product):
    add_to_basket(visitor_client, product)

    response = checkout(
        visitor_client, email="not-an-email", payment_method="bitcoin", billing_address=""
    )

    assert response.status_code == 400
    assert response.json() == {
        "email": ["Enter a valid email address."],
        "billing_address": ["This field may not be blank."],
        "payment_method": ['"bitcoin" is not a valid choice.'],
    }
    assert Order.objects.count() == 0
    assert basket_lines(visitor_client) == [(product.pk, 1)]


def test_a_method_unusable_for_the_basket_is_reported_with_the_other_fields(
    settings, visitor_client, product
):
    settings.ORDERLY_PAY_ON_DELIVERY_MAX_QUANTITY = 3
    add_to_basket(visitor_client, product, 4)

    response = checkout(visitor_client, email="nope", payment_method="pay-on-delivery")

    assert response.status_code == 400
    assert response.json() == {
        "email": ["Enter a valid email address."],
        "payment_method": ["Pay on delivery is only available for up to 3 items."],
    }


def test_an_empty_basket_is_reported_under_payment_method_with_the_other_fields(
    visitor_client,
):
    response = checkout(visitor_client, email="nope")

    assert response.status_code == 400
    assert response.json() == {
        "email": ["Enter a valid email address."],
        "payment_method": ["Your basket is empty."],
    }


def test_an_empty_basket_lists_every_method_with_why_it_cant_be_used(visitor_client):
    response = visitor_client.get(CHECKOUT)

    assert response.status_code == 200
    empty = "Your basket is empty."
    assert response.json() == {
        "payment_methods": [
            {**PAY_IN_ADVANCE, "error": empty},
            {**PAY_ON_DELIVERY, "error": empty},
        ]
    }


def test_checkout_extra_is_merged_into_the_baskets_extra(visitor_client, product):
    add_to_basket(visitor_client, product)
    stored = visitor_client.put(
        "/api/basket/extra/",
        {"extra": {"gift_note": "Happy birthday", "coupon": "SPRING", "phone": "555"}},
        content_type="application/json",
    )
    assert stored.status_code == 200, stored.content

    response = checkout(visitor_client, extra={"coupon": None, "phone": "556", "wrap": True})

    assert response.status_code == 201, response.content
    order = visitor_client.get(response["Location"]).json()
    # What the frontend stored on the basket survives; a key sent as null is removed.
    assert order["extra"] == {"gift_note": "Happy birthday", "phone": "556", "wrap": True}
    # After a successful checkout the basket is empty, its extra too.
    assert visitor_client.get("/api/basket/extra/").json() == {"extra": {}}


def test_checkout_without_extra_keeps_the_baskets_extra(visitor_client, product):
    add_to_basket(visitor_client, product)
    visitor_client.put(
        "/api/basket/extra/", {"extra": {"gift_note": "For you"}}, content_type="application/json"
    )

    response = checkout(visitor_client)

    assert response.status_code == 201, response.content
    assert visitor_client.get(response["Location"]).json()["extra"] == {"gift_note": "For you"}


def test_null_values_sent_at_checkout_are_not_stored(visitor_client, product):
    add_to_basket(visitor_client, product)

    response = checkout(visitor_client, extra={"gift": None, "wrap": False})

    assert response.status_code == 201, response.content
    assert visitor_client.get(response["Location"]).json()["extra"] == {"wrap": False}


def test_a_refused_checkout_leaves_the_baskets_extra_as_it_was(settings, visitor_client, product):
    settings.ORDERLY_PAY_ON_DELIVERY_MAX_QUANTITY = 0
    add_to_basket(visitor_client, product)
    visitor_client.put(
        "/api/basket/extra/", {"extra": {"gift_note": "x"}}, content_type="application/json"
    )

    response = checkout(visitor_client, payment_method="pay-on-delivery", extra={"gift_note": None})

    assert response.status_code == 400
    assert visitor_client.get("/api/basket/extra/").json() == {"extra": {"gift_note": "x"}}


# --- zero totals: nothing to pay ---------------------------------------------------------

FULL_DISCOUNT = {
    "class": "shop.modifiers.PercentageModifier",
    "identifier": "voucher",
    "label": "Voucher",
    "percent": "-100",
    "applies_to": "basket",
}
FREE_FROM_100 = {
    "class": "shop.modifiers.ShippingModifier",
    "identifier": "shipping",
    "label": "Shipping",
    "amount": "5.00",
    "free_from": "100.00",
}


@pytest.mark.parametrize("method", ["pay-in-advance", "pay-on-delivery"])
@pytest.mark.parametrize(
    ("price", "modifiers"),
    [
        pytest.param("0.00", [], id="free-sample"),
        pytest.param("120.00", [FULL_DISCOUNT, FREE_FROM_100], id="full-discount"),
    ],
)
def test_a_zero_total_order_goes_on_like_a_paid_one(
    settings, visitor_client, method, price, modifiers
):
    settings.ORDERLY_PRICE_MODIFIERS = modifiers
    add_to_basket(visitor_client, ProductFactory(price=Decimal(price)))
    assert visitor_client.get("/api/basket/").json()["total"] == "0.00"

    response = checkout(visitor_client, payment_method=method)

    assert response.status_code == 201, response.content
    # Nothing to pay: the buyer goes straight to their order.
    url = response.json()["url"]
    assert url.startswith(f"http://testserver/api/orders/{ref_of(url)}/?token=")
    order = visitor_client.get(url).json()
    assert (order["total"], order["amount_outstanding"], order["is_paid"]) == ("0.00", "0.00", True)
    assert order["status"] == "PROCESSING"
    stored = Order.objects.get(ref=order["ref"])
    assert stored.date_paid is not None
    moves = OrderEvent.objects.filter(order=stored, type=OrderEventType.STATUS_CHANGED).values_list(
        "from_status", "to_status", "source"
    )
    assert list(moves.order_by("id")) == [
        ("NEW", "CREATED", "api"),
        ("CREATED", "PROCESSING", "api"),
    ]
    assert basket_lines(visitor_client) == []

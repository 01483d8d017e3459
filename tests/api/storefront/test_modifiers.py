"""Price modifiers as the storefront shows them: rows on basket lines and on the basket,
exact Decimal-string amounts, custom modifiers, and rows frozen onto orders at checkout."""

from decimal import Decimal

import pytest

from shop.models import Product
from shop.modifiers import PriceModifier
from tests.factories import ProductFactory

BASKET_URL = "/api/basket/"
PERCENTAGE = "shop.modifiers.PercentageModifier"
SHIPPING = "shop.modifiers.ShippingModifier"


class GiftWrapFee(PriceModifier):
    """A basket row when the buyer asked for gift wrapping in the basket's `extra`."""

    label = "Gift wrapping"

    def process_basket(self, basket, context):
        if not context.extra.get("gift_wrap"):
            return None
        return self.row(Decimal("2.50"), wrapped_lines=len(basket.lines))


class PerUnitHandling(PriceModifier):
    """A configurable fee per unit on every line."""

    def __init__(self, *, per_unit, **kwargs):
        super().__init__(**kwargs)
        self.per_unit = Decimal(per_unit)

    def process_line(self, line, context):
        return self.row(self.per_unit * line.line.quantity, per_unit=str(self.per_unit))


def bulk_discount(min_quantity=3, percent="-10"):
    return {
        "class": PERCENTAGE,
        "identifier": "bulk",
        "label": "Bulk discount",
        "percent": percent,
        "applies_to": "item",
        "min_quantity": min_quantity,
    }


def basket_tax(percent="20", min_quantity=1):
    return {
        "class": PERCENTAGE,
        "identifier": "tax",
        "label": "Tax",
        "percent": percent,
        "applies_to": "basket",
        "min_quantity": min_quantity,
    }


def shipping(amount="5.00", free_from="100.00"):
    return {
        "class": SHIPPING,
        "identifier": "shipping",
        "label": "Shipping",
        "amount": amount,
        "free_from": free_from,
    }


def add(client, product, quantity):
    response = client.post(
        BASKET_URL,
        {"product_type": "shop.Product", "product_id": product.pk, "quantity": quantity},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def basket(client):
    response = client.get(BASKET_URL)
    assert response.status_code == 200
    return response.json()


def items_by_product(basket_body):
    return {item["product_id"]: item for item in basket_body["items"]}


def money(basket_body):
    return basket_body["subtotal"], basket_body["total"]


# --- item modifiers ------------------------------------------------------------------


def test_item_discount_applies_from_its_minimum_quantity(visitor_client, product, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=3)]
    few, many = ProductFactory(price="4.00"), product
    add(visitor_client, few, 2)
    add(visitor_client, many, 3)

    body = basket(visitor_client)

    lines = items_by_product(body)
    assert (lines[few.pk]["extra_rows"], lines[few.pk]["total"]) == ([], "8.00")
    assert lines[many.pk]["extra_rows"] == [
        {
            "modifier": "bulk",
            "label": "Bulk discount",
            "amount": "-3.00",
            "extra": {"percent": "-10"},
        }
    ]
    assert (lines[many.pk]["subtotal"], lines[many.pk]["total"]) == ("30.00", "27.00")
    # The basket subtotal adds up line totals, after their rows.
    assert body["extra_rows"] == []
    assert money(body) == ("35.00", "35.00")


def test_item_row_is_shown_on_the_item_endpoints_too(visitor_client, product, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=3)]

    created = add(visitor_client, product, 3)
    read = visitor_client.get(created["url"]).json()

    assert [row["amount"] for row in created["extra_rows"]] == ["-3.00"]
    assert read["extra_rows"] == created["extra_rows"]
    assert read["total"] == "27.00"


def test_raising_a_quantity_past_the_minimum_adds_the_row(visitor_client, product, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=3)]
    add(visitor_client, product, 2)
    assert basket(visitor_client)["total"] == "20.00"

    response = visitor_client.put(
        f"/api/basket/shopproduct-{product.pk}/", {"quantity": 4}, content_type="application/json"
    )

    assert [row["amount"] for row in response.json()["extra_rows"]] == ["-4.00"]
    assert basket(visitor_client)["total"] == "36.00"


@pytest.mark.parametrize(
    ("percent", "row", "line_total"),
    [("10", "1.00", "10.99"), ("-10", "-1.00", "8.99")],
    ids=["surcharge", "discount"],
)
def test_item_percentage_rounds_to_cents(visitor_client, settings, percent, row, line_total):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=1, percent=percent)]
    add(visitor_client, ProductFactory(price="3.33"), 3)  # 9.99 x 10% = 0.999

    item = basket(visitor_client)["items"][0]

    assert (item["subtotal"], item["extra_rows"][0]["amount"], item["total"]) == (
        "9.99",
        row,
        line_total,
    )


@pytest.mark.parametrize(
    ("percent", "row", "line_total"),
    [("10", "0.01", "0.06"), ("-10", "-0.01", "0.04")],
    ids=["surcharge", "discount"],
)
def test_half_a_cent_rounds_away_from_zero(visitor_client, settings, percent, row, line_total):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=1, percent=percent)]
    add(visitor_client, ProductFactory(price="0.05"), 1)  # 0.05 x 10% = 0.005

    item = basket(visitor_client)["items"][0]

    assert (item["extra_rows"][0]["amount"], item["total"]) == (row, line_total)


# --- basket modifiers ----------------------------------------------------------------


def test_basket_percentage_is_taken_of_the_subtotal(visitor_client, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [basket_tax(percent="20")]
    add(visitor_client, ProductFactory(price="3.33"), 1)
    add(visitor_client, ProductFactory(price="1.00"), 2)

    body = basket(visitor_client)

    assert body["extra_rows"] == [
        {"modifier": "tax", "label": "Tax", "amount": "1.07", "extra": {"percent": "20"}}
    ]  # 20% of 5.33 = 1.066
    assert money(body) == ("5.33", "6.40")
    assert all(item["extra_rows"] == [] for item in body["items"])


def test_basket_percentage_respects_its_minimum_quantity(visitor_client, product, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [basket_tax(min_quantity=3)]
    add(visitor_client, product, 1)
    add(visitor_client, ProductFactory(), 1)
    assert basket(visitor_client)["extra_rows"] == []

    add(visitor_client, product, 1)

    assert [row["amount"] for row in basket(visitor_client)["extra_rows"]] == ["6.00"]


def test_shipping_is_charged_below_its_free_from(visitor_client, product, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [shipping(amount="5.00", free_from="100.00")]
    add(visitor_client, product, 3)

    body = basket(visitor_client)

    assert body["extra_rows"] == [
        {"modifier": "shipping", "label": "Shipping", "amount": "5.00", "extra": {}}
    ]
    assert money(body) == ("30.00", "35.00")


def test_shipping_is_free_from_its_threshold(visitor_client, product, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [shipping(amount="5.00", free_from="100.00")]
    add(visitor_client, product, 10)

    body = basket(visitor_client)

    assert body["extra_rows"] == [
        {
            "modifier": "shipping",
            "label": "Shipping",
            "amount": "0.00",
            "extra": {"free_from": "100.00"},
        }
    ]
    assert money(body) == ("100.00", "100.00")


def test_shipping_without_free_from_is_always_charged(visitor_client, product, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [shipping(amount="4.95", free_from=None)]
    add(visitor_client, product, 50)

    assert money(basket(visitor_client)) == ("500.00", "504.95")


def test_an_empty_basket_gets_no_rows(visitor_client, db, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(), basket_tax(), shipping()]

    body = basket(visitor_client)

    assert (body["extra_rows"], body["subtotal"], body["total"]) == ([], "0.00", "0.00")


def test_free_shipping_threshold_counts_the_discounted_subtotal(visitor_client, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=10), shipping()]
    add(visitor_client, ProductFactory(price="10.00"), 10)  # 100.00 before, 90.00 after

    body = basket(visitor_client)

    assert body["items"][0]["total"] == "90.00"
    assert [row["amount"] for row in body["extra_rows"]] == ["5.00"]
    assert money(body) == ("90.00", "95.00")


@pytest.mark.parametrize(
    ("modifiers", "rows", "total"),
    [
        ([shipping(), basket_tax(percent="10")], [("shipping", "5.00"), ("tax", "2.50")], "27.50"),
        ([basket_tax(percent="10"), shipping()], [("tax", "2.00"), ("shipping", "5.00")], "27.00"),
    ],
    ids=["tax-after-shipping", "tax-before-shipping"],
)
def test_basket_rows_apply_in_settings_order(
    visitor_client, product, settings, modifiers, rows, total
):
    settings.ORDERLY_PRICE_MODIFIERS = modifiers
    add(visitor_client, product, 2)

    body = basket(visitor_client)

    assert [(row["modifier"], row["amount"]) for row in body["extra_rows"]] == rows
    assert money(body) == ("20.00", total)


def test_item_and_basket_modifiers_together(visitor_client, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=3), basket_tax(), shipping()]
    cheap, dear = ProductFactory(price="3.33"), ProductFactory(price="12.00")
    add(visitor_client, cheap, 3)
    add(visitor_client, dear, 1)

    body = basket(visitor_client)

    lines = items_by_product(body)
    assert [row["amount"] for row in lines[cheap.pk]["extra_rows"]] == ["-1.00"]
    assert lines[cheap.pk]["total"] == "8.99"
    assert lines[dear.pk]["extra_rows"] == []
    # subtotal 20.99; tax 20% = 4.198 -> 4.20; shipping 5.00
    assert [(row["modifier"], row["amount"]) for row in body["extra_rows"]] == [
        ("tax", "4.20"),
        ("shipping", "5.00"),
    ]
    assert money(body) == ("20.99", "30.19")


def test_the_documented_default_modifiers(visitor_client, product, settings):
    """The shipped defaults: 10% off lines of 10+ units, 5.00 shipping below 100.00."""
    del settings.ORDERLY_PRICE_MODIFIERS
    add(visitor_client, product, 2)
    add(visitor_client, ProductFactory(price="1.00"), 10)

    body = basket(visitor_client)

    assert [[row["amount"] for row in item["extra_rows"]] for item in body["items"]] == [
        [],
        ["-1.00"],
    ]
    assert [(row["modifier"], row["amount"]) for row in body["extra_rows"]] == [
        ("shipping", "5.00")
    ]
    assert money(body) == ("29.00", "34.00")


# --- custom modifiers ----------------------------------------------------------------


def test_a_custom_modifier_by_dotted_path_adds_its_row(visitor_client, product, settings):
    settings.ORDERLY_PRICE_MODIFIERS = ["tests.api.storefront.test_modifiers.GiftWrapFee"]
    add(visitor_client, product, 2)
    assert basket(visitor_client)["extra_rows"] == []

    visitor_client.put(
        "/api/basket/extra/", {"extra": {"gift_wrap": True}}, content_type="application/json"
    )
    body = basket(visitor_client)

    assert body["extra_rows"] == [
        {
            "modifier": "giftwrapfee",
            "label": "Gift wrapping",
            "amount": "2.50",
            "extra": {"wrapped_lines": 1},
        }
    ]
    assert money(body) == ("20.00", "22.50")


def test_a_custom_modifier_with_options(visitor_client, product, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [
        {
            "class": "tests.api.storefront.test_modifiers.PerUnitHandling",
            "identifier": "handling",
            "label": "Handling",
            "per_unit": "0.25",
        }
    ]
    add(visitor_client, product, 3)

    item = basket(visitor_client)["items"][0]

    assert item["extra_rows"] == [
        {
            "modifier": "handling",
            "label": "Handling",
            "amount": "0.75",
            "extra": {"per_unit": "0.25"},
        }
    ]
    assert item["total"] == "30.75"


# --- frozen onto the order -----------------------------------------------------------


def _priced_fields(body):
    return {key: body[key] for key in ("subtotal", "extra_rows", "total")}


def _item_fields(item):
    keys = ("product_id", "unit_price", "quantity", "subtotal", "extra_rows", "total")
    return {key: item[key] for key in keys}


def test_checkout_freezes_the_rows_the_basket_showed(
    customer_client, product, place_order, settings
):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=3), shipping()]
    add(customer_client, product, 3)
    shown = basket(customer_client)
    customer_client.post("/api/basket/clear/", content_type="application/json")

    order = place_order(customer_client, items=[(product, 3)])

    assert _priced_fields(order) == _priced_fields(shown)
    assert [_item_fields(item) for item in order["items"]] == [
        _item_fields(item) for item in shown["items"]
    ]
    assert order["extra_rows"] == [
        {"modifier": "shipping", "label": "Shipping", "amount": "5.00", "extra": {}}
    ]
    assert (order["subtotal"], order["total"]) == ("27.00", "32.00")


def test_frozen_order_keeps_its_prices_after_the_product_price_changes(
    customer_client, product, place_order, settings
):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=3), basket_tax(), shipping()]
    placed = place_order(customer_client, items=[(product, 3)])

    Product.objects.filter(pk=product.pk).update(price="99.00")
    response = customer_client.get(placed["url"])

    assert response.status_code == 200
    again = response.json()
    assert _priced_fields(again) == _priced_fields(placed)
    assert [_item_fields(item) for item in again["items"]] == [
        _item_fields(item) for item in placed["items"]
    ]
    assert again["items"][0]["unit_price"] == "10.00"
    # 30.00 - 3.00 bulk = 27.00; tax 5.40; shipping 5.00
    assert again["total"] == "37.40"
    # ...while a new basket prices the product at its new price.
    add(customer_client, product, 1)
    assert basket(customer_client)["items"][0]["unit_price"] == "99.00"


def test_frozen_order_keeps_its_rows_after_the_modifiers_change(
    customer_client, product, place_order, settings
):
    settings.ORDERLY_PRICE_MODIFIERS = [bulk_discount(min_quantity=3), shipping()]
    placed = place_order(customer_client, items=[(product, 3)])

    settings.ORDERLY_PRICE_MODIFIERS = [basket_tax(percent="50")]
    again = customer_client.get(placed["url"]).json()

    assert _priced_fields(again) == _priced_fields(placed)
    assert [row["modifier"] for row in again["extra_rows"]] == ["shipping"]
    assert [row["modifier"] for row in again["items"][0]["extra_rows"]] == ["bulk"]


def test_a_guest_order_freezes_rows_too(visitor_client, product, place_order, settings):
    settings.ORDERLY_PRICE_MODIFIERS = [shipping(amount="7.00")]
    placed = place_order(visitor_client, items=[(product, 1)])

    Product.objects.filter(pk=product.pk).update(price="1.00")
    again = visitor_client.get(placed["url"], {"token": placed["token"]}).json()

    assert again["extra_rows"] == [
        {"modifier": "shipping", "label": "Shipping", "amount": "7.00", "extra": {}}
    ]
    assert (again["subtotal"], again["total"]) == ("10.00", "17.00")

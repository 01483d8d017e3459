"""`/v1/` checkout reads products through the registry (`ORDERLY_PRODUCT_TYPES`) and
`is_purchasable`, exactly as the storefront basket does: one rule for both APIs."""

import pytest
from pypresscart import NotFoundError

from orders.models import Order
from shop.models import Product
from tests.factories import ProductFactory


class Voucher(Product):
    """A second product type: the same rows under another label, bought only while the
    code says it is a voucher (its own `is_purchasable`)."""

    class Meta:
        proxy = True
        app_label = "shop"

    @property
    def is_purchasable(self) -> bool:
        return self.is_active and self.code.startswith("V-")


def checkout_body(profile, product) -> dict:
    return {"profile_id": str(profile.pk), "line_items": [{"product_id": str(product.pk)}]}


def test_a_product_type_the_registry_does_not_name_cannot_be_bought(
    settings, presscart, client, make_token, team, profile
):
    product = ProductFactory(price="10.00")
    settings.ORDERLY_PRODUCT_TYPES = ["shop.Voucher"]

    with pytest.raises(NotFoundError) as raised:
        presscart(make_token(team)).orders.create_checkout(checkout_body(profile, product))

    assert raised.value.message == f"Product {product.pk} not found."
    assert not Order.objects.exists()
    # The storefront refuses the same product by the same rule.
    refused = client.post(
        "/api/basket/",
        {"product_type": "shop.Product", "product_id": product.pk},
        content_type="application/json",
    )
    assert refused.status_code == 400
    # The second type is the registry's: the storefront takes it by its own rule.
    voucher = ProductFactory(price="5.00", code="V-5")
    added = client.post(
        "/api/basket/",
        {"product_type": "shop.Voucher", "product_id": voucher.pk},
        content_type="application/json",
    )
    assert added.status_code == 201


def test_checkout_with_two_product_types_configured(settings, presscart, make_token, team, profile):
    product = ProductFactory(price="10.00")
    settings.ORDERLY_PRODUCT_TYPES = ["shop.Product", "shop.Voucher"]

    order = presscart(make_token(team)).orders.create_checkout(checkout_body(profile, product))

    assert order.total == 10.0
    assert [item.product_id for item in Order.objects.get().items.all()] == [product.pk]


def test_is_purchasable_decides_not_only_is_active(
    settings, monkeypatch, presscart, make_token, team, profile
):
    product = ProductFactory(price="10.00", is_active=True)
    settings.ORDERLY_PRODUCT_TYPES = ["shop.Product"]
    # A deployment whose catalogue product says it can't be bought today.
    monkeypatch.setattr(Product, "is_purchasable", property(lambda self: False))

    with pytest.raises(NotFoundError):
        presscart(make_token(team)).orders.create_checkout(checkout_body(profile, product))

    assert not Order.objects.exists()

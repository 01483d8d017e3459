"""The registry of purchasable product types.

A basket line names its product as `product_type` ("app_label.ModelName") plus
`product_id`. Which models may be named is configured in `ORDERLY_PRODUCT_TYPES`;
each must follow `Purchasable`. Adding a product model is a settings change, not a code
change in the basket or orders.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol, cast, runtime_checkable

from django.apps import apps
from django.db import models
from django.utils.text import slugify

from kernel.conf import orderly_setting
from shop.exceptions import ProductNotFound
from shop.pricing import PricingContext

ProductKey = tuple[str, int]


@runtime_checkable
class Purchasable(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def is_purchasable(self) -> bool: ...

    def get_price(self, context: PricingContext) -> Decimal: ...

    def get_summary(self) -> dict[str, str]: ...


def product_types() -> dict[str, type[models.Model]]:
    """The configured product models, keyed by their label."""
    registry: dict[str, type[models.Model]] = {}
    for label in orderly_setting("PRODUCT_TYPES"):
        registry[label] = apps.get_model(label)
    return registry


def product_type_label(product: models.Model) -> str:
    return product._meta.label


def default_item_ref(product_type: str, product_id: int) -> str:
    """The basket line ref salesman uses: the slug of "type-id" ("shopproduct-1")."""
    return slugify(f"{product_type}-{product_id}")


def product_get(product_type: str, product_id: int) -> Purchasable:
    """A product that can be put in a basket now, or `ProductNotFound`."""
    model = product_types().get(product_type)
    product = model._default_manager.filter(pk=product_id).first() if model else None
    if product is None or not getattr(product, "is_purchasable", False):
        raise ProductNotFound(
            f"Product '{product_type}' with id '{product_id}' doesn't exist.",
            field="product_id",
        )
    return cast(Purchasable, product)


def products_in_bulk(keys: Iterable[ProductKey]) -> dict[ProductKey, Purchasable]:
    """Load many products with one query per product type (not per line)."""
    ids_by_type: dict[str, set[int]] = defaultdict(set)
    for product_type, product_id in keys:
        ids_by_type[product_type].add(product_id)
    registry = product_types()
    found: dict[ProductKey, Purchasable] = {}
    for product_type, ids in ids_by_type.items():
        model = registry.get(product_type)
        if model is None:
            continue
        for product in model._default_manager.filter(pk__in=ids):
            found[(product_type, product.pk)] = cast(Purchasable, product)
    return found

"""The order as an event carries it: the document the order's own API shows.

A team's order (placed through `/v1/`) is the `/v1/` order, built by the `/v1/`
serializer; any other order is the storefront's order shape (without its token, which is
a credential, and with public notes only). Amounts in an event's extra fields use the
same wire format as its document: floats in major units for `/v1/`, decimal strings for
the storefront.
"""

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.urls import reverse

from integration.api.converters import major_units
from integration.api.documents import integration_order_text
from kernel.conf import orderly_setting
from kernel.money import format_money
from orders.api.documents import storefront_order_text
from orders.documents import order_document_refresh
from orders.models import Order
from orders.selectors import order_pay_path

Money = Callable[[Decimal], Any]


def public_url(path: str) -> str:
    """An absolute link on the address buyers and receivers reach us at (no request
    exists on the worker, or when an event is written, to take it from)."""
    return f"{orderly_setting('PUBLIC_URL').rstrip('/')}{path}"


def order_pay_link(order: Order) -> str:
    """The order's pay page, where the buyer follows and pays it without an account."""
    return public_url(order_pay_path(order))


# The `/v1/` document's `checkout_link` holds the order's token, a credential that is never
# stored in clear (see "Order tokens" in the README). An event keeps this marker instead,
# and `events.selectors.event_body` puts the link back, from the sealed token, when the
# event is read.
PAY_LINK_AT_READ = "<pay link>"


def order_document(order: Order) -> tuple[dict[str, Any], Money]:
    """The order as its API shows it now (less any token), and that API's money format.

    The order's stored documents are rendered here, in the change's transaction, and the
    event takes its copy from them (`orders.documents`): one rendering per change serves
    the event and every read until the next change. Links are on `ORDERLY_PUBLIC_URL`.
    """
    texts = order_document_refresh(order.pk)
    integration = texts["integration"]
    if integration:
        return json.loads(integration_order_text(integration, pay_link=PAY_LINK_AT_READ)), (
            major_units
        )
    storefront, notes = texts["storefront"], texts["notes_public"]
    assert storefront is not None and notes is not None  # every order has them
    url = public_url(reverse("storefront:order-detail", kwargs={"ref": order.ref}))
    document = json.loads(storefront_order_text(storefront, url=url, token=None, notes=notes))
    del document["token"]
    return document, format_money


def wire_values(value: Any, money: Money) -> Any:
    """`value` with every Decimal in it written in the document's money format."""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, dict):
        return {key: wire_values(item, money) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [wire_values(item, money) for item in value]
    return value

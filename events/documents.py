"""The order as an event carries it: the document the order's own API shows.

A team's order (placed through `/v1/`) is the `/v1/` order, built by the `/v1/`
serializer; any other order is the storefront's order shape (without its token, which is
a credential, and with public notes only). Amounts in an event's extra fields use the
same wire format as its document: floats in major units for `/v1/`, decimal strings for
the storefront.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.urls import reverse

from integration.api.converters import major_units
from integration.api.serializers import OrderSerializer as IntegrationOrderSerializer
from integration.selectors import team_order_get
from kernel.conf import orderly_setting
from kernel.money import format_money
from orders.api.serializers import OrderSerializer as StorefrontOrderSerializer
from orders.models import Order
from orders.selectors import order_detail_queryset, order_guest_token

Money = Callable[[Decimal], Any]


def public_url(path: str) -> str:
    """An absolute link on the address buyers and receivers reach us at (no request
    exists on the worker, or when an event is written, to take it from)."""
    return f"{orderly_setting('PUBLIC_URL').rstrip('/')}{path}"


class _PublicSite:
    """Stands in for the request in a serializer's context, so the document's links
    (`checkout_link`, `url`) are absolute, on `ORDERLY_PUBLIC_URL`."""

    def build_absolute_uri(self, path: str) -> str:
        return public_url(path)


_CONTEXT = {"request": _PublicSite()}


def order_pay_link(order: Order) -> str:
    """The order's pay page, where the buyer follows and pays it without an account."""
    return public_url(reverse("pay-page", kwargs={"token": order_guest_token(order)}))


# The `/v1/` document's `checkout_link` holds the order's token, a credential that is never
# stored in clear (see "Order tokens" in the README). An event keeps this marker instead,
# and `events.selectors.event_body` puts the link back, from the sealed token, when the
# event is read.
PAY_LINK_AT_READ = "<pay link>"


def order_document(order: Order) -> tuple[dict[str, Any], Money]:
    """The order as its API shows it now (less any token), and that API's money format."""
    if order.team is not None:
        fresh = team_order_get(team=order.team, order_id=order.pk)
        document = dict(IntegrationOrderSerializer(fresh, context=_CONTEXT).data)
        if document["checkout_link"] is not None:
            document["checkout_link"] = PAY_LINK_AT_READ
        return document, major_units
    fresh = order_detail_queryset(include_private_notes=False).get(pk=order.pk)
    document = dict(StorefrontOrderSerializer(fresh, context=_CONTEXT).data)
    document.pop("token", None)
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

"""The payment method interface and its registry.

A payment method is a small class listed in `ORDERLY_PAYMENT_METHODS`. It says whether
it can be used for a basket or an order (returning an error message when not), starts
a payment by returning the URL to send the buyer to, and refunds a payment. Methods
never touch the HTTP request: what they need travels in a `PaymentContext`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.urls import reverse
from django.utils.http import urlencode

from orders.selectors import order_payable_error
from payments.exceptions import RefundDeclined
from shop.registry import configured_instances

if TYPE_CHECKING:
    from orders.models import Order, OrderPayment
    from shop.pricing import PricedBasket
    from shop.types import Caller


@dataclass(frozen=True)
class PaymentContext:
    """Who pays, and the service's absolute base URL for return addresses."""

    actor: Caller
    base_url: str
    source: str = "api"

    def absolute(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def order_return_url(order: Order, context: PaymentContext) -> str:
    """Where a buyer reads their order after paying: the order, opened with its token."""
    path = reverse("storefront:order-detail", kwargs={"ref": order.ref})
    return context.absolute(f"{path}?{urlencode({'token': order.token})}")


class PaymentMethod:
    identifier: ClassVar[str] = ""
    label: ClassVar[str] = ""
    # Staff-only methods are not listed, and not accepted, for anyone else.
    is_staff_only: ClassVar[bool] = False
    # Offered at checkout (paying a basket) and/or on `/orders/<ref>/pay/`.
    pays_baskets: ClassVar[bool] = True
    pays_orders: ClassVar[bool] = True

    def is_offered_to(self, actor: Caller) -> bool:
        return not self.is_staff_only or bool(actor.is_staff)

    def basket_error(self, basket: PricedBasket, *, context: PaymentContext) -> str | None:
        """Why this method can't pay this basket now, or None."""
        return None

    def order_error(self, order: Order, *, context: PaymentContext) -> str | None:
        """Why this method can't pay this order now, or None. The order is annotated."""
        return order_payable_error(order)

    def start_checkout_payment(self, order: Order, *, context: PaymentContext) -> str:
        """Start paying an order just placed from a basket; return the buyer's next URL."""
        return self.start_order_payment(order, context=context)

    def start_order_payment(self, order: Order, *, context: PaymentContext) -> str:
        """Start paying an existing order; return the buyer's next URL.

        Raise `payments.exceptions.PaymentRefused` when the method or its provider says no.
        """
        raise NotImplementedError

    def refund(self, payment: OrderPayment, *, amount: Decimal, context: PaymentContext) -> str:
        """Give `amount` of the payment back; return the refund's transaction id.

        Raise `RefundDeclined` when it can't be done.
        """
        raise RefundDeclined(f"{self.label} payments can't be refunded automatically.")


class OfflinePaymentMethod(PaymentMethod):
    """Money that moves outside the service (bank transfer, cash): staff record it, and a
    refund records that the money went back the same way."""

    def refund(self, payment: OrderPayment, *, amount: Decimal, context: PaymentContext) -> str:
        return f"{self.identifier}-refund-{uuid.uuid4()}"


def payment_methods() -> tuple[PaymentMethod, ...]:
    return configured_instances("PAYMENT_METHODS")


def payment_method_get(identifier: str) -> PaymentMethod | None:
    return next((m for m in payment_methods() if m.identifier == identifier), None)

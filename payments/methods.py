"""The payment method interface and its registry.

A payment method is a small class listed in `ORDERLY_PAYMENT_METHODS`. It says whether
it can be used for a basket or an order (returning an error message when not), starts
a payment by returning the URL to send the buyer to, and refunds a payment. Methods
never touch the HTTP request: what they need travels in a `PaymentContext`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from django.urls import reverse
from django.utils.http import urlencode

from kernel.registry import configured_instances
from orders.selectors import order_guest_token, order_pay_path, order_payable_error
from payments.exceptions import NotificationRefused, RefundDeclined

if TYPE_CHECKING:
    from kernel.types import Caller
    from orders.models import Order, OrderPayment
    from shop.pricing import PricedBasket


@dataclass(frozen=True)
class PaymentContext:
    """Who pays, the service's absolute base URL for return addresses, and, when the
    caller has a page of its own for that (the hosted pay page), where to send the buyer
    back after paying."""

    actor: Caller
    base_url: str
    source: str = "api"
    return_url: str | None = None

    def absolute(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def order_return_url(order: Order, context: PaymentContext) -> str:
    """Where a buyer reads their order after paying: the caller's page if it named one,
    else the order, opened with its token."""
    if context.return_url:
        return context.return_url
    path = reverse("storefront:order-detail", kwargs={"ref": order.ref})
    return context.absolute(f"{path}?{urlencode({'token': order_guest_token(order)})}")


def order_pay_page_url(order: Order, context: PaymentContext) -> str:
    """The hosted pay page of the order (HTML, reached with the order's token)."""
    return context.absolute(order_pay_path(order))


def provider_return_url(order: Order, context: PaymentContext) -> str:
    """Where a provider sends the buyer back: a page for people, never the JSON API.

    The hosted pay page shows the result (paid, pending, failed) when `returned` is set.
    """
    return context.return_url or f"{order_pay_page_url(order, context)}?returned=1"


@dataclass(frozen=True)
class ProviderCall:
    """An outbound call a method made to its provider, for the ledger."""

    provider: str
    action: str  # `payments.models.ProviderCallAction`
    order_ref: str
    amount: Decimal
    is_success: bool
    reference: str = ""
    error: str = ""
    duration_ms: int = 0


# The calls made during the current payment use case; the service saves them when it ends,
# committed or rolled back (`payments.services.ledger`). None outside such a use case.
provider_calls: ContextVar[list[ProviderCall] | None] = ContextVar(
    "orderly_provider_calls", default=None
)


def provider_call_note(call: ProviderCall) -> None:
    """Methods report each provider call here; they never write the ledger themselves."""
    collected = provider_calls.get()
    if collected is None:
        # Every method call that reaches a provider runs inside a payments use case.
        raise RuntimeError("A provider call outside a payments use case would miss the ledger.")
    collected.append(call)


class NoticeOutcome(StrEnum):
    """What a provider notification says happened."""

    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"
    # Authentic but nothing for us to do (an event type we don't act on).
    IGNORED = "ignored"


@dataclass(frozen=True)
class RefundNotice:
    transaction_id: str
    amount: Decimal


@dataclass(frozen=True)
class PaymentNotice:
    """An authenticated provider notification, parsed: all the services need to act."""

    event_id: str
    event_type: str
    outcome: NoticeOutcome
    order_ref: str = ""
    # The provider's id of the payment (what `OrderPayment.transaction_id` holds).
    transaction_id: str = ""
    amount: Decimal | None = None
    currency: str = ""
    # REFUNDED: the refunds itemized, or only the payment's refunded total so far.
    refunds: tuple[RefundNotice, ...] = ()
    refunded_total: Decimal | None = None
    payload: dict[str, Any] = field(default_factory=dict, compare=False)


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

        The caller has locked `order` (`orders.services.order_lock`) in its transaction.

        Raise `payments.exceptions.PaymentRefused` when the method or its provider says no.
        """
        raise NotImplementedError

    def refund(self, payment: OrderPayment, *, amount: Decimal, context: PaymentContext) -> str:
        """Give `amount` of the payment back; return the refund's transaction id.

        Raise `RefundDeclined` when it can't be done.
        """
        raise RefundDeclined(f"{self.label} payments can't be refunded automatically.")

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        """Authenticate a provider's notification (webhook) and parse it.

        Raise `NotificationRefused` when it is forged, stale or malformed. Never log or
        keep the signature or any secret.
        """
        raise NotificationRefused(f"{self.label} takes no notifications.")


class OfflinePaymentMethod(PaymentMethod):
    """Money that moves outside the service (bank transfer, cash): staff record it, and a
    refund records that the money went back the same way."""

    def refund(self, payment: OrderPayment, *, amount: Decimal, context: PaymentContext) -> str:
        return f"{self.identifier}-refund-{uuid.uuid4()}"


def payment_methods() -> tuple[PaymentMethod, ...]:
    return configured_instances("PAYMENT_METHODS")


def payment_method_get(identifier: str) -> PaymentMethod | None:
    return next((m for m in payment_methods() if m.identifier == identifier), None)

"""The payment methods Orderly ships that need no provider."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import Sum

from kernel.conf import orderly_setting
from orders.models import OrderStatus
from orders.services import order_transition_locked, payment_record
from payments.methods import OfflinePaymentMethod, PaymentContext, order_return_url

if TYPE_CHECKING:
    from orders.models import Order
    from shop.pricing import PricedBasket


class PayInAdvance(OfflinePaymentMethod):
    """The buyer transfers the money; the order waits on HOLD until staff record it."""

    identifier = "pay-in-advance"
    label = "Pay in advance"

    def start_order_payment(self, order: Order, *, context: PaymentContext) -> str:
        order_transition_locked(order, OrderStatus.HOLD, actor=context.actor, source=context.source)
        return order_return_url(order, context)

    def order_error(self, order: Order, *, context: PaymentContext) -> str | None:
        error = super().order_error(order, context=context)
        if error is None and order.status == OrderStatus.FAILED:
            # FAILED can't go back to HOLD; the buyer should pick another method.
            return "Pay in advance can't be chosen for a failed order."
        return error


def _pay_on_delivery_error(quantity: int) -> str | None:
    maximum = orderly_setting("PAY_ON_DELIVERY_MAX_QUANTITY")
    if quantity > maximum:
        return f"Pay on delivery is only available for up to {maximum} items."
    return None


class PayOnDelivery(OfflinePaymentMethod):
    """The buyer pays the courier; staff record the payment when it arrives."""

    identifier = "pay-on-delivery"
    label = "Pay on delivery"

    def basket_error(self, basket: PricedBasket, *, context: PaymentContext) -> str | None:
        return _pay_on_delivery_error(basket.quantity)

    def order_error(self, order: Order, *, context: PaymentContext) -> str | None:
        error = super().order_error(order, context=context)
        if error is not None:
            return error
        quantity = order.items.aggregate(quantity=Sum("quantity"))["quantity"] or 0
        return _pay_on_delivery_error(quantity)

    def start_order_payment(self, order: Order, *, context: PaymentContext) -> str:
        return order_return_url(order, context)


class ManualPayment(OfflinePaymentMethod):
    """Staff only: record that the outstanding amount arrived (a transfer, cash)."""

    identifier = "manual"
    label = "Manual payment"
    is_staff_only = True
    pays_baskets = False

    def start_order_payment(self, order: Order, *, context: PaymentContext) -> str:
        payment_record(
            order=order,
            amount=order.amount_outstanding,
            transaction_id=f"manual-{uuid.uuid4()}",
            payment_method=self.identifier,
            actor=context.actor,
            source=context.source,
        )
        return order_return_url(order, context)

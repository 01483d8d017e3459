"""Use cases where money and orders meet, one module per thing that changes together:

- `paying`: checkout (a basket becomes an order and its payment starts) and paying an order;
- `refunds`: refunding an order through its payments' methods;
- `notices`: provider notifications (webhooks) and their log;
- `ledger`: the provider-call ledger every use case above writes.
"""

from payments.services.notices import payment_notification_receive
from payments.services.paying import CheckoutResult, checkout_basket, order_pay
from payments.services.refunds import RefundOutcome, order_refund

__all__ = [
    "CheckoutResult",
    "RefundOutcome",
    "checkout_basket",
    "order_pay",
    "order_refund",
    "payment_notification_receive",
]

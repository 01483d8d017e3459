"""Orderly's own settings: one accessor, one table of defaults.

Any key below can be overridden in Django settings as `ORDERLY_<KEY>`. Values are read
at call time, so `override_settings` in tests and per-deployment settings both work.
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Models a basket may hold, as "app_label.ModelName". Each must follow the
    # `shop.products.Purchasable` protocol.
    "PRODUCT_TYPES": ["shop.Product"],
    # Price modifiers, applied in order. Each entry is a dotted path to a
    # `shop.modifiers.PriceModifier` subclass, or a dict {"class": path, **options}.
    "PRICE_MODIFIERS": [
        {
            "class": "shop.modifiers.PercentageModifier",
            "identifier": "bulk-discount",
            "label": "Bulk discount",
            "percent": "-10",
            "applies_to": "item",
            "min_quantity": 10,
        },
        {
            "class": "shop.modifiers.ShippingModifier",
            "identifier": "shipping",
            "label": "Shipping",
            "amount": "5.00",
            "free_from": "100.00",
        },
    ],
    # Payment methods offered, as dotted paths to `payments.methods.PaymentMethod`
    # subclasses.
    "PAYMENT_METHODS": [
        "payments.builtin.PayInAdvance",
        "payments.builtin.PayOnDelivery",
        "payments.builtin.ManualPayment",
    ],
    # Pay on delivery is refused for baskets and orders above this many units.
    "PAY_ON_DELIVERY_MAX_QUANTITY": 10,
    # The most units of one line a basket accepts; larger numbers are typos or abuse.
    "BASKET_MAX_QUANTITY": 999,
    # The most distinct lines a basket accepts.
    "BASKET_MAX_ITEMS": 100,
    # Storefront list pagination (`?page=`, `?page_size=`).
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
    "CURRENCY": "USD",
    # Requests an API token may make, unless the token sets its own ("<n>/<period>").
    "API_RATE_LIMIT": "600/minute",
    # Anonymous order lookups by ?token= per client IP, so tokens can't be guessed at speed.
    "ORDER_TOKEN_LOOKUP_RATE_LIMIT": "120/minute",
    # The key that seals secrets the server must give back later (order tokens, stored
    # idempotent answers; see `kernel.sealing`). Empty derives one from SECRET_KEY (and
    # SECRET_KEY_FALLBACKS). Older keys that still open what they sealed go in the list.
    "SEALING_KEY": "",
    "SEALING_KEY_FALLBACKS": [],
    # Logins per client address (every attempt) and per account (failed attempts), and
    # registrations per client address; over them the answer is a 429 with Retry-After.
    "LOGIN_RATE_PER_ADDRESS": "30/minute",
    "LOGIN_RATE_PER_ACCOUNT": "10/hour",
    "REGISTRATION_RATE_PER_ADDRESS": "10/hour",
    # Bank details shown to buyers who choose pay in advance.
    "BANK_TRANSFER_INSTRUCTIONS": "Transfer the total to the shop's bank account, "
    "quoting the order reference.",
    # Provider notifications (webhooks) signed longer ago than this many seconds are
    # refused as replays.
    "WEBHOOK_TOLERANCE": 300,
    # Provider notifications (`/webhooks/<method>/`) each client address may send, counted
    # before the body is read; more are answered 429 with Retry-After.
    "WEBHOOK_RATE_LIMIT": "120/minute",
    # Notifications refused before they were authenticated (bad or missing signature,
    # unparseable) that are recorded for staff, per client address and in all; beyond
    # these, they are still refused but not recorded. Authenticated ones always are.
    "WEBHOOK_REFUSED_RECORDS_PER_ADDRESS": "20/hour",
    "WEBHOOK_REFUSED_RECORDS": "200/hour",
    # Seconds before an outbound call to a payment provider gives up.
    "PROVIDER_TIMEOUT": 10,
    # The test gateway's webhook signing secret; empty derives one from SECRET_KEY.
    "TEST_GATEWAY_SECRET": "",
    # How the test gateway delivers its notification: "http" (a signed POST to the
    # webhook URL) or "inline" (the same webhook service, called in-process).
    "TEST_GATEWAY_DELIVERY": "http",
    # Stripe Checkout (`payments.gateways.stripe_checkout.StripeCheckout`): the secret API
    # key, the webhook endpoint's signing secret, and the API base (empty: Stripe's own).
    "STRIPE_SECRET_KEY": "",
    "STRIPE_WEBHOOK_SECRET": "",
    "STRIPE_API_BASE": "",
    # Let webhook endpoints point at loopback, private or link-local addresses (refused
    # by default: server-side request forgery). For tests and local demos.
    "WEBHOOK_ALLOW_PRIVATE_HOSTS": False,
    # Seconds a background task may run before the workers take it as abandoned by a
    # worker that died and run it again (`python manage.py worker`).
    "TASK_LEASE": 300,
    # Where buyers reach this service (links in e-mails), without a trailing slash.
    "PUBLIC_URL": "http://127.0.0.1:8000",
    # Staff addresses that get a "new paid order" e-mail (opt-in; empty: nobody).
    "PAID_ORDER_NOTIFY": [],
    # Seconds before a failed e-mail is tried again, by attempt; after the last, it is
    # given up (and logged).
    "EMAIL_RETRY_DELAYS": [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600],
}


def orderly_setting(key: str) -> Any:
    if key not in DEFAULTS:
        raise KeyError(f"Unknown Orderly setting {key!r}")
    return getattr(settings, f"ORDERLY_{key}", DEFAULTS[key])

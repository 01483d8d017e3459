from django.contrib import admin

from kernel.admin import RecordAdmin
from payments.models import PaymentNotification, PaymentProviderCall


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(RecordAdmin):
    """Read-only: a record of what providers sent, refused ones included."""

    list_display = [
        "received_at",
        "provider",
        "event_type",
        "order_ref",
        "transaction_id",
        "verdict",
        "reason",
    ]
    list_filter = ["verdict", "provider", "event_type"]
    search_fields = ["order_ref", "event_id", "transaction_id"]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in PaymentNotification._meta.fields]


@admin.register(PaymentProviderCall)
class PaymentProviderCallAdmin(RecordAdmin):
    """Read-only: the ledger of calls we made to providers, failed ones included."""

    list_display = [
        "created_at",
        "provider",
        "action",
        "order_ref",
        "amount",
        "is_success",
        "reference",
        "error",
        "duration_ms",
    ]
    list_filter = ["is_success", "provider", "action"]
    search_fields = ["order_ref", "reference"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in PaymentProviderCall._meta.fields]


# The order page's payment and refund actions (registered over orders' OrderAdmin).
from payments import order_admin  # noqa: E402, F401

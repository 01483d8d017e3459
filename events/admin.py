from django.contrib import admin

from events.models import EmailDelivery, Event
from kernel.admin import RecordAdmin


@admin.register(Event)
class EventAdmin(RecordAdmin):
    """Read-only: the outbox, as written with each change."""

    list_display = ["id", "created_at", "type", "ref", "team"]
    list_filter = ["type", "team"]
    list_select_related = ["team"]
    search_fields = ["=id", "=ref"]
    readonly_fields = [f.name for f in Event._meta.fields]


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(RecordAdmin):
    """Read-only: each e-mail an event asked for, whether it went out, and the last error."""

    list_display = ["created_at", "kind", "event", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    list_select_related = ["event"]
    search_fields = ["=event__ref", "=event__id"]
    readonly_fields = [f.name for f in EmailDelivery._meta.fields]

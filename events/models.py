"""The outbox: one immutable row per observable change, written in the change's transaction.

Everything that leaves the process (buyer e-mails, webhook deliveries, the `/v1/events`
feed) reads these rows; nothing is sent from inside a request.
"""

import uuid

from django.db import models


class EventType(models.TextChoices):
    ORDER_CREATED = "order.created", "Order created"
    ORDER_STATUS_CHANGED = "order.status_changed", "Order status changed"
    ORDER_PAID = "order.paid", "Order paid"
    PAYMENT_RECORDED = "payment.recorded", "Payment recorded"
    REFUND_RECORDED = "refund.recorded", "Refund recorded"
    REFUND_FAILED = "refund.failed", "Refund failed"
    NOTE_ADDED = "note.added", "Public note added"


# Events are inserted under this id; PostgreSQL replaces it at commit (see migration 0001)
# with the id that sorts in commit order. Before the commit, read `key`, never `id`.
PENDING_ID_PREFIX = "pending_"
ID_PREFIX = "evt_"


def pending_event_id() -> str:
    return f"{PENDING_ID_PREFIX}{uuid.uuid4().hex}"


class ImmutableEvent(Exception):
    pass


class Event(models.Model):
    """`id` is "evt_" + 16 digits, assigned when the transaction commits, under a lock
    per team: within a team, ids sort in commit order, so walking them in order never
    skips an event that commits later with a smaller id."""

    id = models.CharField(primary_key=True, max_length=48, default=pending_event_id)
    # Stable from insert on; what the dispatch task carries, since `id` changes at commit.
    key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(
        "shop.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="outbox_events"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="outbox_events"
    )
    ref = models.CharField(max_length=32)
    type = models.CharField(max_length=32, choices=EventType.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["team", "id"], name="event_team_id")]

    def __str__(self) -> str:
        return f"{self.id} {self.type} {self.ref}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ImmutableEvent("Events are never changed once written.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ImmutableEvent("Events are never deleted.")


class EmailKind(models.TextChoices):
    ORDER_CONFIRMATION = "order_confirmation", "Order confirmation"
    PAYMENT_RECEIVED = "payment_received", "Payment received"
    SHIPPED = "shipped", "Order shipped"
    REFUNDED = "refunded", "Refund made"
    STAFF_PAID_ORDER = "staff_paid_order", "New paid order (staff)"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Given up"


class EmailDelivery(models.Model):
    """One e-mail an event asks for: at most one row per event and kind, so a worker
    running a task again never sends it twice once it is recorded as sent."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="emails")
    kind = models.CharField(max_length=32, choices=EmailKind.choices)
    recipients = models.JSONField(help_text="The addresses it goes to.")
    status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="email_once_per_event_kind")
        ]
        verbose_name_plural = "e-mail deliveries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.event.ref} ({self.status})"

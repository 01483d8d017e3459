"""What passed between us and payment providers, for staff: every notification received
(accepted or refused) and every call we made to a provider (succeeded or failed)."""

from django.db import models


class NotificationVerdict(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


class PaymentNotification(models.Model):
    """One provider notification (webhook) as it arrived, and what we made of it.

    Refused ones (bad signature, unknown order, wrong amount...) change nothing else; this
    row is how staff see them. The payload is stored with secrets redacted, and the
    request's signature headers are never stored.
    """

    provider = models.CharField(max_length=64, help_text="The payment method's identifier.")
    event_id = models.CharField(max_length=255, blank=True)
    event_type = models.CharField(max_length=64, blank=True)
    order_ref = models.CharField(max_length=32, blank=True, db_index=True)
    transaction_id = models.CharField(max_length=255, blank=True)
    verdict = models.CharField(max_length=16, choices=NotificationVerdict.choices)
    reason = models.CharField(max_length=255, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["verdict", "-received_at"], name="notification_verdict_time"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type or '?'} {self.verdict}"


class ProviderCallAction(models.TextChoices):
    START_PAYMENT = "start_payment", "Start payment"
    REFUND = "refund", "Refund"


class PaymentProviderCall(models.Model):
    """One outbound call to a payment provider, kept even when the use case that made it
    rolled back (a provider down at checkout leaves no order, but leaves this row)."""

    provider = models.CharField(max_length=64, help_text="The payment method's identifier.")
    action = models.CharField(max_length=32, choices=ProviderCallAction.choices)
    order_ref = models.CharField(max_length=32, blank=True, db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    is_success = models.BooleanField()
    reference = models.CharField(
        max_length=255, blank=True, help_text="The provider's id (session, refund)."
    )
    error = models.CharField(max_length=255, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        outcome = "ok" if self.is_success else "failed"
        return f"{self.provider} {self.action} {self.order_ref} {outcome}"

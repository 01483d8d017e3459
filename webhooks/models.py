"""Webhook endpoints of a team, and (per event and endpoint) deliveries and their attempts."""

from django.db import models


class EndpointStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISABLED = "disabled", "Disabled"


class WebhookEndpoint(models.Model):
    team = models.ForeignKey(
        "shop.Team", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    event_types = models.JSONField(
        default=list, blank=True, help_text="The event types sent here; empty for every type."
    )
    status = models.CharField(
        max_length=16, choices=EndpointStatus.choices, default=EndpointStatus.ACTIVE
    )
    disabled_reason = models.TextField(blank=True, help_text="Why it was disabled, for staff.")
    disabled_at = models.DateTimeField(null=True, blank=True)
    # The signing secrets, encrypted (webhooks.signing): never shown after they are created.
    secret_sealed = models.TextField(editable=False)
    previous_secret_sealed = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Start of the current run of failed attempts; cleared by any successful one.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "status"], name="webhook_endpoint_team_status")]

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.status == EndpointStatus.ACTIVE

    def accepts(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # an attempt is queued (now or after a back-off)
    DELIVERED = "delivered", "Delivered"  # answered 2xx
    FAILED = "failed", "Failed"  # retries used up, endpoint gone (410) or disabled


class WebhookDelivery(models.Model):
    """One event for one endpoint: delivered at least once, retried until it is."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # Attempts are numbered 1, 2, … for good; a task carries the number it makes, so a
    # task left over from before a "send again" can never make an attempt.
    attempts_made = models.PositiveIntegerField(default=0)
    # The number of the first attempt of the current series ("send again" starts one): the
    # back-off counts retries from it.
    series_start = models.PositiveIntegerField(default=1)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and what came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} at {self.started_at:%Y-%m-%d %H:%M:%S}"

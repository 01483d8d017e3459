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

"""Webhook endpoints: create, rotate the secret, disable, enable, delete."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shop.models import Team
from webhooks import signing
from webhooks.exceptions import UnknownEventType
from webhooks.models import EndpointStatus, WebhookEndpoint
from webhooks.urlguard import webhook_url_check

# After a rotation the old secret signs too, for this long, so receivers can switch over.
PREVIOUS_SECRET_VALIDITY = timedelta(hours=24)


def known_event_types() -> list[str]:
    return [
        "order.created",
        "order.status_changed",
        "order.paid",
        "payment.recorded",
        "refund.recorded",
        "refund.failed",
        "note.added",
    ]


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its new secret in clear: shown once, to whoever created it."""

    endpoint: WebhookEndpoint
    secret: str


def _event_types_check(event_types: list[str]) -> list[str]:
    known = known_event_types()
    for event_type in event_types:
        if event_type not in known:
            raise UnknownEventType(
                f"Unknown event type {event_type!r}; use any of: {', '.join(known)}.",
                field="event_types",
            )
    return list(dict.fromkeys(event_types))  # without repeats, in the given order


def webhook_endpoint_create(
    *, team: Team, url: str, event_types: list[str] | None = None
) -> EndpointWithSecret:
    webhook_url_check(url)
    types = _event_types_check(event_types or [])
    secret = signing.secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        team=team, url=url, event_types=types, secret_sealed=signing.secret_seal(secret)
    )
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> EndpointWithSecret:
    """A new secret signs from now on; the current one keeps signing for 24 hours."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = signing.secret_generate()
    locked.previous_secret_sealed = locked.secret_sealed
    locked.previous_secret_expires_at = timezone.now() + PREVIOUS_SECRET_VALIDITY
    locked.secret_sealed = signing.secret_seal(secret)
    locked.save(
        update_fields=["secret_sealed", "previous_secret_sealed", "previous_secret_expires_at"]
    )
    return EndpointWithSecret(endpoint=locked, secret=secret)


def webhook_endpoint_signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    """The secrets a delivery made now is signed with: the current one, and the previous
    one while its 24 hours last."""
    secrets = [signing.secret_unseal(endpoint.secret_sealed)]
    expires_at = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_sealed and expires_at and timezone.now() < expires_at:
        secrets.append(signing.secret_unseal(endpoint.previous_secret_sealed))
    return secrets


def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        status=EndpointStatus.DISABLED, disabled_reason=reason, disabled_at=timezone.now()
    )


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    """Back to active with a clean slate: the failure streak starts again."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        status=EndpointStatus.ACTIVE, disabled_reason="", disabled_at=None, failing_since=None
    )


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()

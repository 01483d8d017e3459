"""Webhook endpoints (create, rotate the secret, disable, enable, delete) and deliveries
(one per event and endpoint, each attempt a task on the worker)."""

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from events.models import Event, EventType
from events.selectors import event_json
from shop.models import Team
from webhooks import schedule, sender, signing
from webhooks.exceptions import UnknownEventType
from webhooks.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.urlguard import webhook_url_check

# After a rotation the old secret signs too, for this long, so receivers can switch over.
PREVIOUS_SECRET_VALIDITY = timedelta(hours=24)


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its new secret in clear: shown once, to whoever created it."""

    endpoint: WebhookEndpoint
    secret: str


def _event_types_check(event_types: list[str]) -> list[str]:
    known = EventType.values
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
    endpoint.status = EndpointStatus.DISABLED
    endpoint.disabled_reason = reason
    endpoint.disabled_at = timezone.now()
    endpoint.save(update_fields=["status", "disabled_reason", "disabled_at"])


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    """Back to active with a clean slate: the failure streak starts again."""
    endpoint.status = EndpointStatus.ACTIVE
    endpoint.disabled_reason = ""
    endpoint.disabled_at = None
    endpoint.failing_since = None
    endpoint.save(update_fields=["status", "disabled_reason", "disabled_at", "failing_since"])


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- Deliveries ----------------------------------------------------------------------


def _attempt_enqueue(delivery: WebhookDelivery, *, number: int, at: datetime | None) -> None:
    """Queue attempt `number` of `delivery` on the worker, in the caller's transaction (the
    task engine's table is in the same database, so the task exists iff the caller commits)."""
    from webhooks.tasks import webhook_attempt  # the task module imports this one

    task = webhook_attempt.using(run_after=at) if at is not None else webhook_attempt
    task.enqueue(delivery_id=delivery.pk, number=number)


@transaction.atomic
def webhook_deliveries_create(*, event: Event) -> int:
    """The events consumer: one delivery per active endpoint of the event's team that takes
    its type, each with its first attempt queued. Idempotent, as consumers must be: run
    again for the same event, it creates nothing more. Returns how many were created."""
    if event.team_id is None:
        return 0  # a storefront order: no team, no endpoints
    created_count = 0
    endpoints = WebhookEndpoint.objects.filter(team_id=event.team_id, status=EndpointStatus.ACTIVE)
    for endpoint in endpoints.order_by("pk"):
        if not endpoint.accepts(event.type):
            continue
        delivery, created = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint, event=event, defaults={"next_attempt_at": timezone.now()}
        )
        if created:
            _attempt_enqueue(delivery, number=1, at=None)
            created_count += 1
    return created_count


def webhook_event_consumer(event: Event) -> None:
    """`webhook_deliveries_create` as `events.consumers` calls its consumers."""
    webhook_deliveries_create(event=event)


def webhook_delivery_send_again(*, delivery: WebhookDelivery) -> None:
    """Staff's "send again": the next attempt now, and the retries after it as for a new
    delivery. An attempt already queued for that number is the same attempt: it is made
    once, by whichever task comes first."""
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        locked.status = DeliveryStatus.PENDING
        locked.series_start = locked.attempts_made + 1
        locked.next_attempt_at = timezone.now()
        locked.finished_at = None
        _attempt_enqueue(locked, number=locked.series_start, at=None)
        locked.save()


def _delivery_finish(delivery: WebhookDelivery, status: DeliveryStatus) -> None:
    delivery.status = status
    delivery.next_attempt_at = None
    delivery.finished_at = timezone.now()


def _endpoint_outcome(endpoint: WebhookEndpoint, *, at: datetime, failure: str = "") -> None:
    """Keep the endpoint's run of failures (expects its row locked): a success ends it; five
    days of nothing but failures disable the endpoint."""
    if not failure:
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since"])
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = at
        endpoint.save(update_fields=["failing_since"])
    if at - endpoint.failing_since >= schedule.DISABLE_AFTER:
        webhook_endpoint_disable(
            endpoint=endpoint,
            reason=f"Every delivery failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC "
            f"(5 days); the last attempt: {failure}.",
        )


def _endpoint_lock(endpoint_id: int) -> WebhookEndpoint | None:
    """Lock the endpoint's row, waiting at most `ENDPOINT_LOCK_WAIT` for an attempt in flight
    to it (a healthy receiver answers well within it); None when it is still busy."""
    if connection.vendor != "postgresql":  # one writer at a time: nothing to wait for
        return WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            wait_ms = int(schedule.ENDPOINT_LOCK_WAIT.total_seconds() * 1000)
            cursor.execute(f"SET LOCAL lock_timeout = {wait_ms}")
            endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
            cursor.execute("SET LOCAL lock_timeout = DEFAULT")
            return endpoint
    except OperationalError:  # lock_timeout: the savepoint rolled back, the delivery stays locked
        return None


def webhook_delivery_attempt(*, delivery_id: int, number: int) -> WebhookAttempt | None:
    """Make attempt `number` of a delivery, unless it is done, already past that attempt, or
    another worker is making it right now (its row is locked: skipped, not waited for).

    The delivery's row and its endpoint's stay locked during the request: no two workers
    ever send one attempt at the same time, and an endpoint has one request in flight at
    most, so a hanging receiver occupies one worker thread, never all of them. A worker
    that dies mid-request releases the locks with its connection, and nothing of the
    attempt was committed, so it is made again.
    """
    # PostgreSQL keeps the row locks for the whole request. SQLite has no row locks, and an
    # open transaction there would hold up every other writer (the demo server) while a
    # receiver hangs, so there the request runs outside one; the recording is atomic.
    holding: AbstractContextManager[object] = (
        transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
    )
    with holding:
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, attempts_made=number - 1)
            .first()
        )
        if delivery is None:
            return None
        endpoint = _endpoint_lock(delivery.endpoint_id)
        if endpoint is None:
            # A request to this endpoint has been in flight for a while (perhaps hanging):
            # rather than wait for it, free this worker for other endpoints; come back soon.
            delivery.next_attempt_at = timezone.now() + schedule.ENDPOINT_BUSY_DELAY
            _attempt_enqueue(delivery, number=number, at=delivery.next_attempt_at)
            delivery.save(update_fields=["next_attempt_at"])
            return None
        if not endpoint.is_active:
            _delivery_finish(delivery, DeliveryStatus.FAILED)
            delivery.save()
            return None

        body = event_json(delivery.event)
        started_at = timezone.now()
        answer = sender.post_json(
            endpoint.url,
            body=body,
            headers=signing.signed_headers(
                secrets_in_use=webhook_endpoint_signing_secrets(endpoint),
                message_id=delivery.event_id,
                timestamp=int(started_at.timestamp()),
                body=body,
            ),
        )
        with transaction.atomic():
            attempt = _attempt_record(delivery, endpoint, number, started_at, answer)
        return attempt


def _attempt_record(
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    number: int,
    started_at: datetime,
    answer: sender.Answer,
) -> WebhookAttempt:
    """Keep the attempt and decide what follows: done, retried later, or given up."""
    attempt = WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=started_at,
        duration_ms=answer.duration_ms,
        status_code=answer.status_code,
        error=answer.error,
        response_excerpt=answer.excerpt,
    )
    delivery.attempts_made = number
    finished_at = timezone.now()
    if answer.is_success:
        _delivery_finish(delivery, DeliveryStatus.DELIVERED)
        _endpoint_outcome(endpoint, at=finished_at)
    elif answer.status_code == 410:
        _delivery_finish(delivery, DeliveryStatus.FAILED)
        webhook_endpoint_disable(
            endpoint=endpoint, reason="The endpoint answered 410 Gone to a delivery."
        )
    else:
        why = f"HTTP {answer.status_code}" if answer.status_code else answer.error
        _endpoint_outcome(endpoint, at=finished_at, failure=why)
        retry = number - delivery.series_start + 1
        retry_at = schedule.retry_at(retry=retry, failed_at=finished_at)
        if retry_at is None or not endpoint.is_active:
            _delivery_finish(delivery, DeliveryStatus.FAILED)
        else:
            delivery.next_attempt_at = retry_at
            _attempt_enqueue(delivery, number=number + 1, at=retry_at)
    delivery.save()
    return attempt

"""The dispatch task: after an event's transaction commits, the worker hands the event to
every registered consumer (`events.consumers`)."""

import logging
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from events.consumers import registered
from events.models import Event

logger = logging.getLogger(__name__)

# Seconds before a consumer that raised is tried again, by attempt (then the last, forever
# capped): a consumer only writes rows, so failures are short outages of the database.
DISPATCH_RETRY_DELAYS = [5, 30, 120, 600, 1800]


def retry_delay(delays: list[int], attempt: int) -> timedelta:
    """The back-off before retry number `attempt` (1, 2...), with up to 20% jitter so
    retries of many failures don't arrive together."""
    base = delays[min(attempt, len(delays)) - 1]
    return timedelta(seconds=base * (1 + random.random() * 0.2))  # noqa: S311  (not a secret)


@task()
def event_dispatch(event_key: str, consumers: list[str] | None = None, attempt: int = 0) -> None:
    """Call each consumer (all registered ones, or those named) with the event, each in its
    own transaction. Consumers that raise are retried later by a new task, the others
    are not called again."""
    event = Event.objects.select_related("order", "team").filter(key=event_key).first()
    if event is None:
        return  # its transaction rolled back after all (never, since we enqueue inside it)
    available = registered()
    failed = []
    for name in consumers if consumers is not None else list(available):
        consumer = available.get(name)
        if consumer is None:
            logger.warning("Event %s: no consumer named %s any more", event.id, name)
            continue
        try:
            with transaction.atomic():
                consumer(event)
        except Exception:
            logger.exception("Event %s: consumer %s failed", event.id, name)
            failed.append(name)
    if failed:
        attempt += 1
        run_after = timezone.now() + retry_delay(DISPATCH_RETRY_DELAYS, attempt)
        event_dispatch.using(run_after=run_after).enqueue(event_key, failed, attempt)

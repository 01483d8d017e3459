"""Who hears about events: functions the worker calls with each committed `Event`.

Register consumers in an `AppConfig.ready()`:

    from events.consumers import register
    register(send_order_emails)

A consumer is called once per event by the `event_dispatch` task, after the event's
transaction committed, in a transaction of its own. A worker that dies mid-task runs it
again, so a consumer must be idempotent: record what it did, keyed on the event, and do
nothing the second time. Consumers should be quick (write rows, enqueue tasks); slow I/O
belongs in tasks of their own so one consumer never holds up another.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from events.models import Event

Consumer = Callable[["Event"], None]

_consumers: dict[str, Consumer] = {}


def consumer_name(fn: Consumer) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def register(fn: Consumer) -> Consumer:
    """Add a consumer (usable as a decorator); registering one twice keeps one."""
    _consumers[consumer_name(fn)] = fn
    return fn


def registered() -> dict[str, Consumer]:
    """The consumers by name, in registration order."""
    return dict(_consumers)

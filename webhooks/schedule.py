"""When a failed delivery is tried again: exponential back-off with jitter.

Retry n (n = 1, 2, …) waits min(15 s * 4^(n-1), 24 h) after the failed attempt, each
delay shifted by up to ±20 % at random so that endpoints coming back from an outage
aren't hit by every waiting delivery at once. Ten retries span about 3.9 days (at
least 3.2 with the jitter); after the last one the delivery is given up.
"""

import random
from datetime import datetime, timedelta

FIRST_DELAY = timedelta(seconds=15)
GROWTH = 4
MAX_DELAY = timedelta(hours=24)
JITTER = 0.2
MAX_RETRIES = 10
# An endpoint takes one request at a time: an attempt waits this long for the one in flight,
# then (the receiver is hanging) leaves the worker to other endpoints and tries again after
# ENDPOINT_BUSY_DELAY.
ENDPOINT_LOCK_WAIT = timedelta(seconds=1)
ENDPOINT_BUSY_DELAY = timedelta(seconds=3)
# An endpoint whose every attempt failed for this long is disabled.
DISABLE_AFTER = timedelta(days=5)


def retry_delay(retry: int) -> timedelta:
    """The delay before retry number `retry` (1-based), before jitter."""
    return min(FIRST_DELAY * GROWTH ** (retry - 1), MAX_DELAY)


def retry_at(*, retry: int, failed_at: datetime) -> datetime | None:
    """When retry number `retry` is due after an attempt failed at `failed_at`; None once
    the retries are used up."""
    if retry > MAX_RETRIES:
        return None
    jitter = 1 + random.uniform(-JITTER, JITTER)  # noqa: S311 - spreading load, not a secret
    return failed_at + retry_delay(retry) * jitter

"""Fixed-window rate limits counted in the database, so every server process shares them.

One atomic upsert per request (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`) both
counts the request and reads the new count; there is no read-then-write race.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from integration.exceptions import InvalidRateLimit
from integration.models import RateLimitCounter

_PERIODS = {"second": 1, "minute": 60, "hour": 3600}


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int


def parse_rate(value: str) -> Rate:
    """ "100/minute" -> Rate(100, 60)."""
    count, _, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in _PERIODS:
        raise InvalidRateLimit(
            f'"{value}" is not a rate: use "<n>/<second|minute|hour>".', field="rate_limit"
        )
    return Rate(requests=int(count), seconds=_PERIODS[period])


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # seconds until the window ends


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def rate_limit_hit(bucket: str, rate: Rate) -> RateDecision:
    """Count one request in `bucket` and say whether it is within `rate`."""
    now = timezone.now()
    start = _window_start(now, rate.seconds)
    table = RateLimitCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (bucket, window_start, count) VALUES (%s, %s, 1)
            ON CONFLICT (bucket, window_start) DO UPDATE SET count = {table}.count + 1
            RETURNING count
            """,  # noqa: S608  (the table name is ours, values are parameters)
            [bucket, start],
        )
        (count,) = cursor.fetchone()
    retry_after = max(1, int((start + timedelta(seconds=rate.seconds) - now).total_seconds()))
    return RateDecision(allowed=count <= rate.requests, retry_after=retry_after)


def rate_limit_peek(bucket: str, rate: Rate) -> RateDecision:
    """Whether one more request in `bucket` would be within `rate`, without counting it
    (for limits that count only some outcomes, such as failed logins)."""
    now = timezone.now()
    start = _window_start(now, rate.seconds)
    counted = RateLimitCounter.objects.filter(bucket=bucket, window_start=start)
    count = counted.values_list("count", flat=True).first() or 0
    retry_after = max(1, int((start + timedelta(seconds=rate.seconds) - now).total_seconds()))
    return RateDecision(allowed=count < rate.requests, retry_after=retry_after)


def rate_limit_purge(*, older_than: datetime) -> int:
    deleted, _ = RateLimitCounter.objects.filter(window_start__lt=older_than).delete()
    return deleted

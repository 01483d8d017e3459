"""Delete idempotency records past their 24 hours and finished rate-limit windows.

Run it from cron (hourly is plenty): `python manage.py purge_expired`.
"""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from integration.idempotency import idempotency_purge
from integration.ratelimit import rate_limit_purge


class Command(BaseCommand):
    help = "Delete expired idempotency records and old rate-limit counters."

    def handle(self, *args: Any, **options: Any) -> None:
        records = idempotency_purge()
        # The longest rate window is an hour; anything older is history.
        counters = rate_limit_purge(older_than=timezone.now() - timedelta(hours=2))
        self.stdout.write(f"Deleted {records} idempotency records and {counters} counters.")

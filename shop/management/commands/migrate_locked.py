"""`migrate`, but only one process at a time: replicas that start together queue on a
PostgreSQL advisory lock instead of racing to apply the same migrations."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

# An arbitrary constant that names "Orderly's migrations" among advisory locks.
MIGRATION_LOCK_ID = 7_114_211


class Command(BaseCommand):
    help = "Apply migrations, holding a database lock so concurrent starts don't race."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
            try:
                call_command("migrate", interactive=False, verbosity=options["verbosity"])
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])

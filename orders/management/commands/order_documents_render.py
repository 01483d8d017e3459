"""Render the stored documents of orders that have none or a stale one.

    python manage.py order_documents_render

Reads render a missing document on first use, so this is never required. It spares the
first readers that cost after an upgrade that added orders the documents table doesn't
cover yet, or changed how documents are rendered (`orders.documents`). Orders are done in
batches, each in its own short transaction, so it can run beside the server and be
stopped at any time.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orders.documents import order_documents_refresh, orders_without_current_documents


class Command(BaseCommand):
    help = "Render the stored documents of orders that have none or a stale one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="orders per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, options["batch"])
        done, after = 0, 0
        while True:
            ids = list(
                orders_without_current_documents()
                .filter(pk__gt=after)
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            order_documents_refresh(ids)
            done, after = done + len(ids), ids[-1]
        self.stdout.write(f"Rendered the documents of {done} orders.")

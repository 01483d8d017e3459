"""`python manage.py worker`: run background tasks (e-mails, webhook deliveries).

It is django-tasks-db's `db_worker` (same options), processing every queue by default,
plus one duty: tasks left "running" by a worker that died (SIGKILL, lost machine) are
put back in the queue once their lease (`ORDERLY_TASK_LEASE` seconds since they started)
has run out, so another worker runs them again. Several workers, on several machines,
may run at once: each claims a task by locking its row (`SELECT ... FOR UPDATE SKIP
LOCKED`) and marking it running in one transaction, so no two run the same task.
"""

import threading
from argparse import ArgumentParser
from typing import Any

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from events.worker import requeue_abandoned_tasks, task_lease


class Command(DbWorkerCommand):
    help = "Run Orderly's background tasks (e-mails, webhook deliveries). Stop with Ctrl+C."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        requeue_abandoned_tasks()
        stop = threading.Event()
        reaper = threading.Thread(target=_reap, args=(stop,), name="task-lease", daemon=True)
        reaper.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()


def _reap(stop: threading.Event) -> None:
    """Every quarter lease, put back tasks whose worker died (this thread's own connection)."""
    interval = max(task_lease().total_seconds() / 4, 1)
    while not stop.wait(interval):
        try:
            requeue_abandoned_tasks()
        finally:
            close_old_connections()

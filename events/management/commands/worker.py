"""`python manage.py worker`: run background tasks (e-mails, webhook deliveries).

It is django-tasks-db's `db_worker` (same options), processing every queue by default,
plus one duty: tasks left "running" by a worker that died (SIGKILL, lost machine) are
put back in the queue once their lease (`ORDERLY_TASK_LEASE` seconds since they started)
has run out, so another worker runs them again. `--threads` (default 4) runs that many
tasks at once, each thread a `db_worker` loop with its own database connection, so a slow
task (a webhook receiver hanging until its timeout) holds up its own thread only. Several
workers, on several machines,
may run at once: each claims a task by locking its row (`SELECT ... FOR UPDATE SKIP
LOCKED`) and marking it running in one transaction, so no two run the same task.
"""

import threading
from argparse import ArgumentParser
from typing import Any

from django.db import close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from events.worker import requeue_abandoned_tasks, task_lease


class Command(DbWorkerCommand):
    help = "Run Orderly's background tasks (e-mails, webhook deliveries). Stop with Ctrl+C."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help="Tasks run at once, each in a thread of its own (default: %(default)s).",
        )
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, threads: int, **options: Any) -> None:  # type: ignore[override]
        requeue_abandoned_tasks()
        stop = threading.Event()
        reaper = threading.Thread(target=_reap, args=(stop,), name="task-lease", daemon=True)
        reaper.start()
        # This thread runs db_worker itself (it owns the signals); the others run its loop.
        helpers = [_helper(options, index) for index in range(1, max(threads, 1))]
        runs = [
            threading.Thread(target=_run, args=(helper,), name=f"task-worker-{index}", daemon=True)
            for index, helper in enumerate(helpers, start=1)
        ]
        for run in runs:
            run.start()
        try:
            super().handle(*args, **options)
        finally:
            if not options["batch"]:  # stopping (a signal): finish the task at hand, no other
                for helper in helpers:
                    helper.running = False
            # With --batch each thread stops when it finds nothing due; one still running
            # may queue more (a dispatch queues its sends) and runs that too.
            for run in runs:
                run.join(timeout=None if options["batch"] else 60)
            stop.set()


def _helper(options: dict[str, Any], index: int) -> Worker:
    """A db_worker loop like the command's own, under a worker id of its own."""
    excluded = options["exclude_queues"]
    return Worker(
        queue_names=options["queue_name"].split(","),
        interval=options["interval"],
        batch=options["batch"],
        backend_name=options["backend_name"],
        startup_delay=options["startup_delay"],
        max_tasks=options["max_tasks"],
        worker_id=f"{options['worker_id'][:56]}-{index}",
        excluded_queue_names=excluded.split(",") if excluded else [],
    )


def _run(worker: Worker) -> None:
    try:
        worker.run()
    finally:
        connections.close_all()  # this thread's connections


def _reap(stop: threading.Event) -> None:
    """Every quarter lease, put back tasks whose worker died (this thread's own connection)."""
    interval = max(task_lease().total_seconds() / 4, 1)
    while not stop.wait(interval):
        try:
            requeue_abandoned_tasks()
        finally:
            close_old_connections()

"""What the worker adds to django-tasks-db: taking back tasks from workers that died."""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kernel.conf import orderly_setting

logger = logging.getLogger(__name__)


def task_lease() -> timedelta:
    """How long a task may run before it is taken as abandoned. Every task we run bounds
    its I/O (e-mail and webhook timeouts are seconds), so a task still running after
    this belonged to a worker that died."""
    return timedelta(seconds=orderly_setting("TASK_LEASE"))


def requeue_abandoned_tasks() -> int:
    """Put tasks left running past their lease back in the queue; returns how many.
    Their code runs a second time, which is why every task is idempotent."""
    cutoff = timezone.now() - task_lease()
    count = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("Put %d abandoned task(s) back in the queue", count)
    return count

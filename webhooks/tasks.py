"""The worker's side of webhooks: each attempt of each delivery is its own task, so a slow
receiver holds up only its own delivery."""

from django_tasks import task

from webhooks.services import webhook_delivery_attempt


@task(queue_name="webhooks")
def webhook_attempt(delivery_id: int, number: int) -> None:
    webhook_delivery_attempt(delivery_id=delivery_id, number=number)

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Every committed event becomes one delivery per matching endpoint of its team.
        from events.consumers import register
        from webhooks.services import webhook_event_consumer

        register(webhook_event_consumer)

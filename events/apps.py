from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        # Each history creator in `orders.events` announces its event; record it here.
        from events import emails, services
        from events.consumers import register

        services.connect()
        register(emails.order_emails)

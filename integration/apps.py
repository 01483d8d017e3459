from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = "Integration API"

    def ready(self) -> None:
        from integration.api.documents import integration_part
        from orders.documents import register_document_part

        register_document_part("integration", integration_part)

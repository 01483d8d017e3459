from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from orders.api.documents import storefront_part
        from orders.documents import register_document_part

        register_document_part("storefront", storefront_part)

"""The two OpenAPI documents (storefront and integration) and their Swagger UIs.

Each app describes its views in `api/schema.py`; importing those modules here attaches
the descriptions before any document is generated.
"""

from types import SimpleNamespace
from typing import Any

from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

# Imported for their effect: each module attaches its app's descriptions to the views.
import events.api.schema  # noqa: F401
import integration.api.schema  # noqa: F401
import orders.api.schema  # noqa: F401
import payments.api.schema  # noqa: F401
import shop.api.schema  # noqa: F401
import webhooks.api.schema  # noqa: F401
from config.storefront_urls import storefront_patterns

DOCUMENTS: dict[str, dict[str, Any]] = {
    "storefront": {
        "urlconf": SimpleNamespace(
            urlpatterns=[path("api/", include((storefront_patterns, "storefront")))]
        ),
        "settings": {
            "TITLE": "Orderly storefront API",
            "DESCRIPTION": "Wire-compatible with django-salesman's REST API. Visitors and "
            "customers use the session cookie (unsafe requests of a logged-in session need "
            "X-CSRFToken); a guest reads and pays an order with ?token=.",
        },
    },
    "integration": {
        "urlconf": SimpleNamespace(urlpatterns=[path("v1/", include("integration.urls"))]),
        "settings": {
            "TITLE": "Orderly integration API",
            "DESCRIPTION": "Wire-compatible with the Presscart orders API (the pypresscart "
            "client works unmodified). Authenticate with a team's bearer API token.",
        },
    },
}


def openapi_document(name: str) -> dict[str, Any]:
    """The document as the schema URL serves it (used by the drift test and the command)."""
    from drf_spectacular.settings import patched_settings

    document = DOCUMENTS[name]
    with patched_settings(document["settings"]):
        generator = SchemaGenerator(urlconf=document["urlconf"])
        return generator.get_schema(request=None, public=True)


def schema_urls(name: str, prefix: str) -> list[Any]:
    document = DOCUMENTS[name]
    return [
        path(
            f"{prefix}schema/",
            SpectacularAPIView.as_view(
                urlconf=document["urlconf"], custom_settings=document["settings"]
            ),
            name=f"{name}-schema",
        ),
        path(
            f"{prefix}docs/",
            SpectacularSwaggerView.as_view(url_name=f"{name}-schema"),
            name=f"{name}-docs",
        ),
    ]

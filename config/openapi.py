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
from config.integration_urls import integration_patterns
from config.storefront_urls import storefront_patterns
from shop.api.openapi import (
    BAD_REQUEST_COMPONENT,
    BAD_REQUEST_COMPONENT_SCHEMA,
    BAD_REQUEST_SCHEMA,
)

_METHODS = {"get", "put", "post", "patch", "delete"}


def _with_request_errors(result: dict[str, Any], error: dict[str, Any]) -> dict[str, Any]:
    """Declare the answers any operation may give before its view runs (a NUL character in
    the path, query or headers is a 400; a body over the size limit a 413), in the
    document's error shape, where the operation doesn't declare its own."""
    for operations in result["paths"].values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "400", {"description": "Malformed request.", "content": error["400"]}
            )
            if "requestBody" in operation:
                responses.setdefault(
                    "413", {"description": "Request body too large.", "content": error["413"]}
                )
    return result


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _token_lookups_rate_limited(result: dict[str, Any], detail: dict[str, Any]) -> None:
    """An anonymous look-up by `?token=` counts against the caller's address (see
    `integration.throttling`): every operation taking the parameter may answer 429."""
    for operations in result["paths"].values():
        for method, operation in operations.items():
            parameters = operation.get("parameters", []) if method in _METHODS else []
            if any(p["in"] == "query" and p["name"] == "token" for p in parameters):
                operation["responses"].setdefault(
                    "429",
                    {
                        "description": "Too many look-ups by token from this address; "
                        "see Retry-After.",
                        "content": detail,
                    },
                )


def storefront_request_errors(generator: Any, request: Any, public: bool, result: Any) -> Any:
    result["components"]["schemas"][BAD_REQUEST_COMPONENT] = BAD_REQUEST_COMPONENT_SCHEMA
    detail = _json({"$ref": "#/components/schemas/DetailError"})
    _token_lookups_rate_limited(result, detail)
    return _with_request_errors(result, {"400": _json(BAD_REQUEST_SCHEMA), "413": detail})


def integration_request_errors(generator: Any, request: Any, public: bool, result: Any) -> Any:
    # drf-spectacular doesn't read a list serializer's `allow_empty=False`.
    checkout = result["components"]["schemas"]["CheckoutRequest"]
    checkout["properties"]["line_items"]["minItems"] = 1
    envelope = _json({"$ref": "#/components/schemas/Error"})
    return _with_request_errors(result, {"400": envelope, "413": envelope})


_ENUM_HOOK = "drf_spectacular.hooks.postprocess_schema_enums"

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
            "POSTPROCESSING_HOOKS": [_ENUM_HOOK, "config.openapi.storefront_request_errors"],
        },
    },
    "integration": {
        "urlconf": SimpleNamespace(
            urlpatterns=[path("v1/", include((integration_patterns, "integration")))]
        ),
        "settings": {
            "TITLE": "Orderly integration API",
            "DESCRIPTION": "Wire-compatible with the Presscart orders API (the pypresscart "
            "client works unmodified). Authenticate with a team's bearer API token.",
            "POSTPROCESSING_HOOKS": [_ENUM_HOOK, "config.openapi.integration_request_errors"],
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

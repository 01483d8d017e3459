"""Both OpenAPI documents: generated without warnings, valid, committed, served with
local docs, and describing what the API really answers."""

from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

from config.openapi import openapi_document
from integration.services import api_token_create
from tests.factories import ProductFactory, ProfileFactory, TeamFactory

SECURITY_SCHEMES = {
    "storefront": {"cookieAuth", "orderToken"},  # the session, and a guest's order token
    "integration": {"bearerToken"},
}


@pytest.mark.parametrize("name", list(SECURITY_SCHEMES))
def test_the_document_generates_without_warnings_and_is_valid_openapi(name):
    GENERATOR_STATS.reset()

    document = openapi_document(name)

    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache, dict(
        GENERATOR_STATS._warn_cache
    ) | dict(GENERATOR_STATS._error_cache)
    validate_schema(document)
    assert SECURITY_SCHEMES[name] <= set(document["components"]["securitySchemes"])


def test_the_committed_documents_are_current(db):
    call_command("openapi", "--check")  # fails with "run manage.py openapi" when stale


@pytest.mark.parametrize(
    ("schema", "docs"), [("/api/schema/", "/api/docs/"), ("/v1/schema/", "/v1/docs/")]
)
def test_schema_and_docs_are_served_from_local_assets(db, schema, docs):
    client = Client()

    document = client.get(schema)
    page = client.get(docs)

    assert document.status_code == 200 and b"openapi: 3" in document.content
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html.split("<body")[0]
    bundle = next(part.split('"')[0] for part in html.split('src="')[1:] if "swagger-ui" in part)
    assert client.get(bundle).status_code == 200


def _nullable_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` is JSON Schema's type [..., "null"]."""
    if isinstance(node, dict):
        node = {key: _nullable_to_json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False):
            if "type" in node:
                node["type"] = [node["type"], "null"]
            else:
                node = {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_nullable_to_json_schema(item) for item in node]
    return node


def assert_matches(document: dict[str, Any], component: str, instance: Any) -> None:
    schema = {
        "$ref": f"#/components/schemas/{component}",
        "components": _nullable_to_json_schema(document["components"]),
    }
    jsonschema.validate(instance, schema)


def test_real_v1_answers_match_the_integration_document(db):
    document = openapi_document("integration")
    team = TeamFactory()
    profile = ProfileFactory(team=team)
    product = ProductFactory()
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(team=team, token_type='full_access').raw}"
    )
    body = {"profile_id": str(profile.pk), "line_items": [{"product_id": str(product.pk)}]}

    order = client.post("/v1/orders/checkout", body, content_type="application/json").json()
    assert_matches(document, "Order", order)
    assert_matches(document, "OrderPage", client.get("/v1/orders").json())
    assert_matches(document, "OrderItemPage", client.get("/v1/order-items").json())
    assert_matches(document, "ProfilePage", client.get(f"/v1/teams/{team.pk}/profiles").json())
    assert_matches(document, "ProductPage", client.get("/v1/products/listings").json())
    assert_matches(document, "WhoAmI", client.get("/v1/auth/token").json())
    assert_matches(document, "EventPage", client.get("/v1/events").json())
    assert_matches(document, "Error", client.get("/v1/orders?limit=0").json())


def test_real_storefront_answers_match_the_storefront_document(visitor_client, place_order):
    document = openapi_document("storefront")
    order = place_order(visitor_client)

    assert_matches(document, "Order", order)
    assert_matches(document, "Basket", visitor_client.get("/api/basket/").json())
    assert_matches(document, "PaymentMethods", visitor_client.get("/api/checkout/").json())

"""OpenAPI description of `/v1/webhook-endpoints` (the views write their shapes by hand)."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from events.models import EventType
from integration.api.schema import ERRORS, INVALID, NOT_FOUND
from integration.api.schema import _list as list_of
from webhooks.api import v1 as views
from webhooks.models import EndpointStatus
from webhooks.selectors import ENDPOINT_SORTS


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.CharField()
    url = serializers.CharField()
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        help_text="The event types sent to this endpoint; empty for every type.",
    )
    status = serializers.ChoiceField(
        choices=EndpointStatus.choices, help_text="Disabled endpoints receive nothing."
    )
    created_at = serializers.DateTimeField()


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="whsec_ + base64 of 24 random bytes: the signing secret, shown only here."
    )


CREATED_EXAMPLE = OpenApiExample(
    "Created",
    value={
        "id": "7",
        "url": "https://erp.example.com/orderly-events",
        "event_types": ["order.paid", "refund.recorded"],
        "status": "active",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "created_at": "2026-12-04T21:30:00Z",
    },
    response_only=True,
    status_codes=["201"],
)

extend_schema_view(
    get=list_of(
        "webhook_endpoints_list",
        WebhookEndpointSerializer,
        "WebhookEndpointPage",
        ENDPOINT_SORTS,
        description="The team's webhook endpoints, without their secrets.",
    ),
    post=extend_schema(
        operation_id="webhook_endpoints_create",
        request=views.WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointWithSecretSerializer, **INVALID, **ERRORS},
        examples=[
            OpenApiExample(
                "Paid orders and refunds",
                value={
                    "url": "https://erp.example.com/orderly-events",
                    "event_types": ["order.paid", "refund.recorded"],
                },
                request_only=True,
            ),
            CREATED_EXAMPLE,
        ],
        description="Add an endpoint; the answer holds its signing secret, shown this once. "
        "A URL whose host resolves to a loopback, private, link-local or reserved address "
        "is refused (400).",
    ),
)(views.WebhookEndpointListView)
extend_schema_view(
    get=extend_schema(
        operation_id="webhook_endpoints_get",
        responses={200: WebhookEndpointSerializer, **ERRORS, **NOT_FOUND},
    ),
    delete=extend_schema(
        operation_id="webhook_endpoints_delete",
        responses={204: None, **ERRORS, **NOT_FOUND},
        description="Delete the endpoint; nothing more is sent to it.",
    ),
)(views.WebhookEndpointDetailView)
extend_schema_view(
    post=extend_schema(
        operation_id="webhook_endpoints_rotate_secret",
        request=None,
        responses={200: WebhookEndpointWithSecretSerializer, **ERRORS, **NOT_FOUND},
        description="A new secret, shown this once, signs from now on; the old one keeps "
        "signing too for 24 hours (webhook-signature then carries both).",
    )
)(views.WebhookEndpointRotateSecretView)

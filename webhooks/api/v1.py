"""`/v1/webhook-endpoints`: a team manages where its events are sent (scope
`webhooks.manage`). A secret is in the answer that creates it, and nowhere else."""

from typing import Any

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from integration.api.auth import request_token
from integration.api.v1 import IntegrationView, id_or_404, paginated
from integration.models import Scope
from kernel.api.fields import datetime_text
from webhooks import selectors, services
from webhooks.exceptions import WebhookEndpointNotFound
from webhooks.models import WebhookEndpoint
from webhooks.urlguard import MAX_URL_LENGTH


class WebhookEndpointCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=MAX_URL_LENGTH)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=50,
        help_text="Event types to send; omitted or empty for every type.",
    )


class WebhookEndpointSerializer(serializers.Serializer):
    def to_representation(self, endpoint: WebhookEndpoint) -> dict[str, Any]:
        return {
            "id": str(endpoint.pk),
            "url": endpoint.url,
            "event_types": endpoint.event_types,
            "status": endpoint.status,
            "created_at": datetime_text(endpoint.created_at),
        }


def with_secret(created: services.EndpointWithSecret) -> dict[str, Any]:
    return {**WebhookEndpointSerializer(created.endpoint).data, "secret": created.secret}


class WebhookEndpointView(IntegrationView):
    required_scope = Scope.WEBHOOKS_MANAGE

    def endpoint(self, request: Request, endpoint_id: str) -> WebhookEndpoint:
        return selectors.team_webhook_endpoint_get(
            team=request_token(request).team,
            endpoint_id=id_or_404(endpoint_id, _endpoint_not_found),
        )


def _endpoint_not_found() -> Exception:
    return WebhookEndpointNotFound("Webhook endpoint not found.")


class WebhookEndpointListView(WebhookEndpointView):
    def get(self, request: Request) -> Response:
        endpoints = selectors.team_webhook_endpoints(request_token(request).team)
        return paginated(
            request, endpoints, WebhookEndpointSerializer, sorts=selectors.ENDPOINT_SORTS
        )

    def post(self, request: Request) -> Response:
        body = WebhookEndpointCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.webhook_endpoint_create(
            team=request_token(request).team,
            url=body.validated_data["url"],
            event_types=body.validated_data.get("event_types"),
        )
        return Response(with_secret(created), status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(WebhookEndpointView):
    def get(self, request: Request, endpoint_id: str) -> Response:
        return Response(WebhookEndpointSerializer(self.endpoint(request, endpoint_id)).data)

    def delete(self, request: Request, endpoint_id: str) -> Response:
        services.webhook_endpoint_delete(endpoint=self.endpoint(request, endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateSecretView(WebhookEndpointView):
    def post(self, request: Request, endpoint_id: str) -> Response:
        rotated = services.webhook_endpoint_rotate_secret(
            endpoint=self.endpoint(request, endpoint_id)
        )
        return Response(with_secret(rotated))

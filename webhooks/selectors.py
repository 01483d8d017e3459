"""Reads of webhook endpoints, always scoped to a team: another team's is "not found"."""

from django.db.models import QuerySet

from shop.models import Team
from webhooks.exceptions import WebhookEndpointNotFound
from webhooks.models import WebhookEndpoint

ENDPOINT_SORTS = {"created_at": "created_at", "url": "url"}


def team_webhook_endpoints(team: Team) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(team=team)


def team_webhook_endpoint_get(*, team: Team, endpoint_id: int) -> WebhookEndpoint:
    try:
        return team_webhook_endpoints(team).get(pk=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise WebhookEndpointNotFound("Webhook endpoint not found.") from None

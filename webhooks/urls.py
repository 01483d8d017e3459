"""`/v1/webhook-endpoints…`, included by the integration API's URL table
(config/integration_urls.py), with or without a trailing slash, as every /v1/ path."""

from django.urls import re_path

from webhooks.api import v1

urlpatterns = [
    re_path(
        r"^webhook-endpoints/?$", v1.WebhookEndpointListView.as_view(), name="webhook-endpoints"
    ),
    re_path(
        r"^webhook-endpoints/(?P<endpoint_id>[^/]+)/?$",
        v1.WebhookEndpointDetailView.as_view(),
        name="webhook-endpoint",
    ),
    re_path(
        r"^webhook-endpoints/(?P<endpoint_id>[^/]+)/rotate-secret/?$",
        v1.WebhookEndpointRotateSecretView.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
]

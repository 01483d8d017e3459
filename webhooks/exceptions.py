from kernel.exceptions import InvalidRequest, ObjectNotFound


class UnsafeWebhookUrl(InvalidRequest):
    """The URL is not http(s), or its host resolves to an address we must not call (SSRF)."""

    code = "unsafe_webhook_url"


class UnknownEventType(InvalidRequest):
    code = "unknown_event_type"


class WebhookEndpointNotFound(ObjectNotFound):
    code = "webhook_endpoint_not_found"

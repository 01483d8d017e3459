"""Building blocks for the storefront's OpenAPI description, shared by every app's
`api/schema.py`."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL_ERROR = inline_serializer("DetailError", {"detail": serializers.CharField()})

FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "description": 'Field errors: {"field": ["message"]}; request-wide ones under '
    '"non_field_errors".',
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

BAD_REQUEST = OpenApiResponse(FIELD_ERRORS, description="Invalid input; nothing was changed.")
FORBIDDEN = OpenApiResponse(DETAIL_ERROR, description="Staff only, or the CSRF token is missing.")
NOT_FOUND = OpenApiResponse(
    DETAIL_ERROR, description="No such object, or not yours to see (indistinguishable)."
)
TOO_MANY_ATTEMPTS = OpenApiResponse(
    DETAIL_ERROR,
    description="Too many attempts from this address, or failed ones for this account; "
    "the Retry-After header says how many seconds to wait.",
)
PAYMENT_REFUSED = OpenApiResponse(DETAIL_ERROR, description="The payment method refused.")
IDEMPOTENCY_CONFLICT = OpenApiResponse(
    DETAIL_ERROR, description="A request with this Idempotency-Key is still running."
)
IDEMPOTENCY_REUSED = OpenApiResponse(
    DETAIL_ERROR, description="This Idempotency-Key was used for a different request."
)

# The guest's key to their order, and the storefront's session cookie.
# (Typed Any: drf-spectacular takes security requirement objects though its hint says str.)
GUEST_OR_SESSION: Any = [{"orderToken": []}, {"cookieAuth": []}, {}]

TOKEN = OpenApiParameter(
    "token", OpenApiTypes.STR, OpenApiParameter.QUERY, description="A guest order's token."
)
BASKET_FLAG = OpenApiParameter(
    "basket",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="Present (any value): answer 200 with the whole basket instead.",
    allow_blank=True,
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Performs the request at most once; retries replay the first answer (24 h).",
)
PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="1-based."),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Default 20, max 100."
    ),
]
PAGE_HEADERS = [
    OpenApiParameter(
        "X-Total-Count",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=[200],
        description="How many records the list has in all.",
    ),
    OpenApiParameter(
        "Link",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description='The neighbouring pages: <url>; rel="next", <url>; rel="prev".',
    ),
]
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=True,
    description="Where to send the buyer, or the created object.",
)
REDIRECT = inline_serializer("Redirect", {"url": serializers.URLField()})

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
# A 400 is field errors, or `{"detail": ...}` when the request as a whole is unreadable
# (a body that isn't JSON, a NUL character in the query): DRF's two shapes.
# The storefront document's postprocessing hook (config/openapi.py) adds the component.
BAD_REQUEST_COMPONENT = "BadRequestError"
BAD_REQUEST_COMPONENT_SCHEMA: dict[str, Any] = {
    "anyOf": [FIELD_ERRORS, {"$ref": "#/components/schemas/DetailError"}]
}
BAD_REQUEST_SCHEMA: dict[str, Any] = {"$ref": f"#/components/schemas/{BAD_REQUEST_COMPONENT}"}

BAD_REQUEST = OpenApiResponse(BAD_REQUEST_SCHEMA, description="Invalid input; nothing was changed.")
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
PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1},
        OpenApiParameter.QUERY,
        description="1-based; a page that doesn't exist (or isn't a number) is a 404.",
    ),
    # A string on the wire: as in salesman (DRF), anything but a positive number means
    # the default size rather than an error.
    OpenApiParameter(
        "page_size",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description="Records per page: a positive number, default 20, at most 100; any "
        "other value means the default.",
    ),
]
INVALID_PAGE = OpenApiResponse(DETAIL_ERROR, description="No such page.")
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

"""Wire helpers both APIs use: how date-times are written, id and Idempotency-Key bounds."""

from datetime import datetime
from typing import Any

from rest_framework import serializers

# The largest id PostgreSQL's bigint holds: bigger numbers are refused before any query.
MAX_DB_ID = 2**63 - 1

# An Idempotency-Key (both APIs, `integration.idempotency`): 1 to 255 printable ASCII
# characters, not only spaces. Stated here once for the check and the documents.
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_KEY_PATTERN = r"^[ -~]*[!-~][ -~]*$"


_DATETIME = serializers.DateTimeField()


def datetime_text(value: datetime) -> str:
    """A date-time as every API writes it (DRF's ISO 8601, UTC as "Z"), without building a
    serializer field for each value."""
    text: str = _DATETIME.to_representation(value)
    return text


def absolute_url(request: Any, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path

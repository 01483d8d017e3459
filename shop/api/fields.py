"""Serializer fields shared by the storefront API's modules."""

import json
from datetime import datetime
from typing import Any

from rest_framework import serializers

from shop.models import MAX_EXTRA_JSON_CHARS

# The largest id PostgreSQL's bigint holds: bigger numbers are refused before any query.
MAX_DB_ID = 2**63 - 1

# An Idempotency-Key (both APIs, `integration.idempotency`): 1 to 255 printable ASCII
# characters, not only spaces. Stated here once for the check and the documents.
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_KEY_PATTERN = r"^[ -~]*[!-~][ -~]*$"


class MoneyField(serializers.DecimalField):
    """A read-only amount rendered as a decimal string with two places ("33.00")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


class StrictCharField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF's CharField would also take a number
    (`"ref": 0` becoming "0"), which the documents don't allow."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField, StrictCharField):
    pass


class ExtraField(serializers.DictField):
    """A JSON object of free-form data, bounded in size so it can't be abused as storage."""

    def __init__(self, **kwargs: Any) -> None:
        # Null values are allowed: in an update they remove that key (`merge_extra`).
        super().__init__(child=serializers.JSONField(allow_null=True), **kwargs)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        if len(json.dumps(value)) > MAX_EXTRA_JSON_CHARS:
            raise serializers.ValidationError(
                f"Ensure this object has no more than {MAX_EXTRA_JSON_CHARS} characters of JSON."
            )
        return value


class ExtraRowSerializer(serializers.Serializer):
    """A price modifier's row: {modifier, label, amount, extra}."""

    modifier = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a wire name
    amount = MoneyField()
    extra = serializers.DictField(read_only=True)


_DATETIME = serializers.DateTimeField()


def datetime_text(value: datetime) -> str:
    """A date-time as every API writes it (DRF's ISO 8601, UTC as "Z"), without building a
    serializer field for each value."""
    text: str = _DATETIME.to_representation(value)
    return text


def absolute_url(request: Any, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path

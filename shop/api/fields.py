"""Serializer fields shared by the storefront API's modules."""

import json
from typing import Any

from rest_framework import serializers

from shop.models import MAX_EXTRA_JSON_CHARS


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

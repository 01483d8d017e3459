"""Start-up checks: a typo in a product type or modifier setting fails at `check`, not at
a customer's first basket request."""

from typing import Any

from django.core.checks import CheckMessage, Error, register

from kernel.conf import orderly_setting
from kernel.registry import build_entry
from shop.modifiers import PriceModifier


@register()
def check_product_types(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from django.apps import apps

    errors: list[CheckMessage] = []
    for label in orderly_setting("PRODUCT_TYPES"):
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            errors.append(
                Error(f"ORDERLY_PRODUCT_TYPES names unknown model {label!r}.", id="orderly.E001")
            )
            continue
        missing = [
            name
            for name in ("is_purchasable", "get_price", "get_summary")
            if not hasattr(model, name)
        ]
        if missing:
            errors.append(
                Error(f"{label} can't be sold: it lacks {', '.join(missing)}.", id="orderly.E002")
            )
    return errors


@register()
def check_price_modifiers(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for entry in orderly_setting("PRICE_MODIFIERS"):
        try:
            modifier = build_entry(entry)
        except Exception as exc:  # any import or option error is a configuration error
            errors.append(
                Error(f"ORDERLY_PRICE_MODIFIERS entry {entry!r}: {exc}", id="orderly.E003")
            )
            continue
        if not isinstance(modifier, PriceModifier):
            errors.append(Error(f"{entry!r} is not a PriceModifier.", id="orderly.E004"))
    return errors

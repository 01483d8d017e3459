from collections import Counter
from typing import Any

from django.core.checks import CheckMessage, Error, register

from kernel.conf import orderly_setting
from kernel.registry import build_entry
from payments.methods import PaymentMethod


@register()
def check_payment_methods(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    identifiers = []
    for entry in orderly_setting("PAYMENT_METHODS"):
        try:
            method = build_entry(entry)
        except Exception as exc:  # any import or option error is a configuration error
            errors.append(
                Error(f"ORDERLY_PAYMENT_METHODS entry {entry!r}: {exc}", id="orderly.E010")
            )
            continue
        if not isinstance(method, PaymentMethod) or not method.identifier:
            errors.append(
                Error(f"{entry!r} is not a PaymentMethod with an identifier.", id="orderly.E011")
            )
            continue
        identifiers.append(method.identifier)
    for identifier, count in Counter(identifiers).items():
        if count > 1:
            errors.append(
                Error(f"Payment method {identifier!r} is listed twice.", id="orderly.E012")
            )
    return errors

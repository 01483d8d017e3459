"""The provider-call ledger: every call a payment method made to its provider, saved once
the use case that made it has ended, committed or rolled back."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import transaction

from payments.methods import (
    ProviderCall,
    provider_calls,
)
from payments.models import PaymentProviderCall

P = ParamSpec("P")
R = TypeVar("R")


@transaction.atomic
def provider_calls_save(calls: list[ProviderCall]) -> None:
    PaymentProviderCall.objects.bulk_create(
        PaymentProviderCall(
            provider=call.provider,
            action=call.action,
            order_ref=call.order_ref[:32],
            amount=call.amount,
            is_success=call.is_success,
            reference=call.reference[:255],
            error=call.error[:255],
            duration_ms=call.duration_ms,
        )
        for call in calls
    )


def provider_ledger(func: Callable[P, R]) -> Callable[P, R]:
    """Save the provider calls a use case made once its transaction has ended, committed
    or rolled back: a call that happened stays on the ledger even if the use case failed."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = provider_calls.set([])
        try:
            return func(*args, **kwargs)
        finally:
            calls = provider_calls.get() or []
            provider_calls.reset(token)
            if calls:
                provider_calls_save(calls)

    return wrapper

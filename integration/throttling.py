"""One throttle for both APIs: per API token on `/v1/`, per IP for anonymous storefront
order lookups by token (so tokens can't be guessed at speed)."""

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from integration.models import ApiToken
from integration.ratelimit import Rate, parse_rate, rate_limit_hit
from kernel.conf import orderly_setting


def token_lookup_bucket(ident: str) -> tuple[str, Rate]:
    """Guest look-ups by order token from one client address: the API's `?token=` and the
    pay page count in this one bucket, so guessing is equally slow on both."""
    return f"ip:{ident}", parse_rate(orderly_setting("ORDER_TOKEN_LOOKUP_RATE_LIMIT"))


class OrderlyRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._retry_after: int | None = None

    def _bucket(self, request: Request) -> tuple[str, Rate] | None:
        if isinstance(request.auth, ApiToken):
            rate = request.auth.rate_limit or orderly_setting("API_RATE_LIMIT")
            return f"token:{request.auth.pk}", parse_rate(rate)
        if not request.user.is_authenticated and "token" in request.query_params:
            return token_lookup_bucket(self.get_ident(request))
        return None

    def allow_request(self, request: Request, view: Any) -> bool:
        bucket = self._bucket(request)
        if bucket is None:
            return True
        decision = rate_limit_hit(*bucket)
        self._retry_after = decision.retry_after
        return decision.allowed

    def wait(self) -> float | None:
        return self._retry_after

from kernel.exceptions import Conflict, DomainError, InvalidRequest, Unprocessable


class InvalidToken(DomainError):
    """Missing, malformed, unknown, expired or revoked API token (HTTP 401)."""

    code = "invalid_token"


class InvalidRateLimit(InvalidRequest):
    code = "invalid_rate_limit"


class IdempotencyKeyInFlight(Conflict):
    code = "idempotency_key_in_flight"


class IdempotencyKeyReused(Unprocessable):
    """The same key was sent with a different request (HTTP 422)."""

    code = "idempotency_key_reused"

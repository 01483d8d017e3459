"""Domain errors shared by every app.

Services raise these (or Django's `ValidationError`), never DRF exceptions. Each API
surface has one handler that maps the categories below to its own status and body, so
an error's meaning is decided once, here, and its wire shape once per API.
"""


class DomainError(Exception):
    """Base of every business-rule failure. `code` is stable and machine-readable."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidRequest(DomainError):
    """The request can't be carried out as asked (HTTP 400)."""

    code = "invalid"


class ObjectNotFound(DomainError):
    """The object doesn't exist or isn't the caller's to see (HTTP 404)."""

    code = "not_found"


class Conflict(DomainError):
    """The request collides with another one in flight (HTTP 409)."""

    code = "conflict"


class Unprocessable(DomainError):
    """Well-formed, but contradicts an earlier request (HTTP 422)."""

    code = "unprocessable"


class PaymentDeclined(DomainError):
    """A payment method or provider refused to go ahead (HTTP 402)."""

    code = "payment_declined"

"""What HTTP status each category of domain error is, for every API's handler to share;
each API builds its own body."""

from rest_framework import status

from kernel.exceptions import (
    Conflict,
    DomainError,
    InvalidRequest,
    ObjectNotFound,
    PaymentDeclined,
    Unprocessable,
)

_STATUS_BY_CATEGORY: list[tuple[type[DomainError], int]] = [
    (InvalidRequest, status.HTTP_400_BAD_REQUEST),
    (ObjectNotFound, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
    (Unprocessable, status.HTTP_422_UNPROCESSABLE_ENTITY),
    (PaymentDeclined, status.HTTP_402_PAYMENT_REQUIRED),
]


def domain_error_status(exc: DomainError) -> int:
    for category, code in _STATUS_BY_CATEGORY:
        if isinstance(exc, category):
            return code
    return status.HTTP_400_BAD_REQUEST

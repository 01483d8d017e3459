"""The storefront API's error handler: DRF's shapes for our domain errors.

Field errors are `{"field": ["message"]}`, cross-field ones `{"non_field_errors": [...]}`
and everything else `{"detail": "..."}`, as a salesman frontend expects.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from kernel.api.errors import domain_error_status
from kernel.exceptions import DomainError


def error_body(message: str) -> dict[str, Any]:
    """The storefront's body for an error that is about no field (404, 409, 500...)."""
    return {"detail": message}


def storefront_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        code = domain_error_status(exc)
        if code == status.HTTP_400_BAD_REQUEST:
            field = exc.field or api_settings.NON_FIELD_ERRORS_KEY
            return Response({field: [exc.message]}, status=code)
        return Response(error_body(exc.message), status=code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}, status=status.HTTP_400_BAD_REQUEST
        )
    return exception_handler(exc, context)

"""The integration API's error envelope: `{"name", "message", "issues"?}`.

`name` is what the `pypresscart` client and other Presscart clients switch on; `issues`
lists `{"path": [...], "message"}` for each invalid field, `path` leading to it through
the request body (`["line_items", 0, "quantity"]`).
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from integration.exceptions import InvalidToken
from kernel.api.errors import domain_error_status
from kernel.exceptions import DomainError

ERROR_NAMES = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    402: "PaymentRequiredError",
    403: "ForbiddenError",
    404: "NotFoundError",
    405: "MethodNotAllowedError",
    406: "NotAcceptableError",
    409: "ConflictError",
    413: "PayloadTooLargeError",
    415: "UnsupportedMediaTypeError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
    500: "InternalServerError",
}


def error_body(code: int, message: str, issues: list[dict[str, Any]] | None = None) -> dict:
    body: dict[str, Any] = {
        "name": "ValidationError" if issues else ERROR_NAMES.get(code, "Error"),
        "message": message,
    }
    if issues:
        body["issues"] = issues
    return body


def issues_from(detail: Any, path: list[str | int] | None = None) -> list[dict[str, Any]]:
    """Flatten DRF's nested error detail into issues with paths."""
    path = path or []
    issues: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            child = path if key == "non_field_errors" else [*path, _segment(key)]
            issues.extend(issues_from(value, child))
    elif isinstance(detail, list) and all(isinstance(item, str) for item in detail):
        issues.extend({"path": path, "message": str(message)} for message in detail)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            issues.extend(issues_from(item, [*path, index]))
    else:
        issues.append({"path": path, "message": str(detail)})
    return issues


def _segment(key: Any) -> str | int:
    """List positions are numbers in a path, field names strings."""
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        return int(key)
    return str(key)


def integration_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.ValidationError):
        issues = issues_from(exc.detail)
        return Response(error_body(400, "Validation failed.", issues), status=400)
    if isinstance(exc, InvalidToken):
        code, message = 401, exc.message
    elif isinstance(exc, DomainError):
        code, message = domain_error_status(exc), exc.message
        if code == 400 and exc.field:
            issue = [{"path": [exc.field], "message": exc.message}]
            return Response(error_body(400, "Validation failed.", issue), status=400)
    elif isinstance(exc, DjangoValidationError):
        return Response(
            error_body(
                400, "Validation failed.", [{"path": [], "message": m} for m in exc.messages]
            ),
            status=400,
        )
    elif isinstance(exc, Http404):
        code, message = 404, "Not found."
    elif isinstance(exc, exceptions.APIException):
        code, message = exc.status_code, str(exc.detail)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            headers["Retry-After"] = str(int(wait))
            message = f"Rate limit exceeded; retry in {int(wait)} seconds."
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        if code == status.HTTP_401_UNAUTHORIZED:
            headers.setdefault("WWW-Authenticate", "Bearer")
    else:
        return None
    return Response(error_body(code, message), status=code, headers=headers)

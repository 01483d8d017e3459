"""Request ids and one structured log line per request, with secrets redacted.

Every request gets an id (the caller's `X-Request-ID` when it is sane, else a new one),
returned in the response and attached to every log record made while it is handled, so
a 500's traceback and its access line share it. The access line holds the method, the
path with secrets replaced, the status, the duration and the order ref where there is
one; it never holds headers, cookies, bodies or tokens.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.http import HttpRequest, HttpResponse

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Query parameters and URL segments that carry secrets.
SECRET_PARAMS = frozenset(
    {"token", "key", "secret", "signature", "password", "session", "sessionid", "code"}
)
REDACTED = "[redacted]"

access_log = logging.getLogger("orderly.request")


def redacted_path(request: HttpRequest) -> str:
    """The request's path and query with every secret replaced."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_PARAMS and isinstance(value, str) and value:
                path = path.replace(value, REDACTED)
    if not request.META.get("QUERY_STRING"):
        return path
    pairs = parse_qsl(request.META["QUERY_STRING"], keep_blank_values=True)
    safe = [(k, REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in pairs]
    return f"{path}?{urlencode(safe, safe='[]')}"


def _order_ref(request: HttpRequest, response: HttpResponse) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is not None and isinstance(match.kwargs.get("ref"), str):
        return match.kwargs["ref"]
    return getattr(response, "order_ref", None)


class RequestLogMiddleware:
    """Outermost middleware: times the whole request and writes the access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        reset = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": redacted_path(request),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "order_ref": _order_ref(request, response),
                },
            )
            return response
        finally:
            request_id_var.reset(reset)


class RequestIdFilter(logging.Filter):
    """Stamps every log record with the id of the request being handled (or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key != "request":
                entry[key] = value
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)

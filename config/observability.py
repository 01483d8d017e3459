"""Request ids, one log line per request, and secrets redacted from every log line.

Every request gets an id (the caller's `X-Request-ID` when it is sane, else a new one),
returned in the response and attached to every log record made while it is handled, so
a 500's traceback and its access line share it. The access line holds the method, the
path with secrets replaced, the status, the duration and the order ref where there is
one; it never holds headers, cookies, bodies or tokens.

Whatever else is logged (Django's CSRF warnings quote the path, a traceback may quote a
header, gunicorn quotes a malformed request line) goes through `redact` in the
formatters every handler uses, so no logger can write an order token, an API token, a
session id, a webhook secret or a signature.
"""

import json
import logging
import random
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.http import HttpRequest, HttpResponse

from config.env import env_bool, env_str

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
REDACTED = "[redacted]"

# --- what a secret looks like ------------------------------------------------------------

# Names (query parameters, URL kwargs, cookies, headers, dict keys) whose values are
# secrets: these exactly, or anything ending in one of the suffixes ("client_secret",
# "api_key", "csrftoken", "HTTP_AUTHORIZATION").
_SECRET_NAMES = frozenset({"code", "v0", "v1"})  # an OAuth code; Stripe-style signatures
_SECRET_SUFFIXES = (
    "token",
    "key",
    "secret",
    "signature",
    "password",
    "passwd",
    "session",
    "sessionid",
    "authorization",
    "cookie",
)


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_NAMES or lowered.endswith(_SECRET_SUFFIXES)


def _redact_named(match: re.Match[str]) -> str:
    if not is_secret_name(match["name"]):
        return match[0]
    return match[0][: match.start("value") - match.start()] + REDACTED + match["end"]


_PATTERNS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # The pay page's URL carries the order token: /pay/<token>/
    (re.compile(r"(/pay/)[^/\s?#'\"]+"), rf"\1{REDACTED}"),
    # Credentials after an authorization scheme, wherever they are quoted.
    (re.compile(r"(?i)\b(bearer|basic)\s+[^\s'\",;]+"), rf"\1 {REDACTED}"),
    # Secrets recognisable by their prefix: our API tokens, Stripe's keys and secrets.
    (re.compile(r"\b(oly_|whsec_|[sr]k_(?:live|test)_)[A-Za-z0-9_-]+"), rf"\1{REDACTED}"),
    # name=value (query strings, form bodies, cookies, t=...,v1=... signature headers).
    (
        re.compile(r"(?<![\w.-])(?P<name>[\w.-]+)=(?P<value>[^&\s'\",;()\[\]{}]+)(?P<end>)"),
        _redact_named,
    ),
    # 'name': 'value' and "name": "value" (dict reprs, JSON, request.META in a traceback).
    (
        re.compile(
            r"(?P<q>['\"])(?P<name>[\w.-]+)(?P=q)\s*:\s*(?P<vq>['\"])(?P<value>.*?)(?P<end>(?P=vq))"
        ),
        _redact_named,
    ),
    # Name: value (a header quoted as text).
    (re.compile(r"(?m)(?P<name>[\w-]+):[ \t]+(?P<value>[^\s'\",;]+)(?P<end>)"), _redact_named),
]


# Something every pattern above needs in order to match (a superset of them all): most
# log values (a method, a plain path, a time, a request id) have none of it and are
# returned after one search instead of six substitutions. Keep it in step with _PATTERNS.
_MAY_HOLD_SECRET = re.compile(
    r"""(?i)/pay/|bearer|basic|oly_|whsec_|k_live_|k_test_|=|['"]\s*:|:[ \t]"""
)


def redact(text: str) -> str:
    """`text` with every secret it may quote replaced by "[redacted]"."""
    if not _MAY_HOLD_SECRET.search(text):
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redacted_path(request: HttpRequest) -> str:
    """The request's path and query with every secret replaced."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if is_secret_name(name) and isinstance(value, str) and value:
                path = path.replace(value, REDACTED)
    if not request.META.get("QUERY_STRING"):
        return redact(path)
    pairs = parse_qsl(request.META["QUERY_STRING"], keep_blank_values=True)
    safe = [(k, REDACTED if is_secret_name(k) else v) for k, v in pairs]
    return redact(f"{path}?{urlencode(safe, safe='[]')}")


access_log = logging.getLogger("orderly.request")


def _order_ref(request: HttpRequest, response: HttpResponse) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is not None and isinstance(match.kwargs.get("ref"), str):
        return match.kwargs["ref"]
    return getattr(response, "order_ref", None)


def _new_request_id() -> str:
    """32 hex digits. Not a secret (a caller may choose its own), so from `random`, which
    every forked worker reseeds, rather than a system call per request as uuid4 makes."""
    return f"{random.getrandbits(128):032x}"


class RequestLogMiddleware:
    """Outermost middleware: times the whole request and writes the access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # META, not request.headers: that builds a dict of every header for this one.
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else _new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        reset = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if access_log.isEnabledFor(logging.INFO):
                access_log.handle(_access_record(request, response, started))
            return response
        finally:
            request_id_var.reset(reset)


def _access_record(
    request: HttpRequest, response: HttpResponse, started: float
) -> logging.LogRecord:
    """The access line as a log record, made directly: `Logger.info` would first walk the
    stack for the caller's file and line, which no formatter here prints."""
    method, path, status = request.method, redacted_path(request), response.status_code
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    return access_log.makeRecord(
        access_log.name,
        logging.INFO,
        __file__,
        0,
        "%s %s %s %sms",
        (method, path, status, duration_ms),
        None,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "order_ref": _order_ref(request, response),
        },
    )


class RequestIdFilter(logging.Filter):
    """Stamps every log record with the id of the request being handled (or "-").

    Django logs a response's status after the middleware has returned; such records carry
    the request itself, so they get its id too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id == "-":
            request_id = getattr(getattr(record, "request", None), "request_id", "-")
        record.request_id = request_id
        return True


class ResponseLineFilter(logging.Filter):
    """Drops another logger's line about a response the access line already reports.

    On `django.request` (`below=500`) a 4xx's "Not Found: /path" goes, and 5xx lines
    stay, with their traceback; on `django.server` (`below=600`) every request line of
    the development server goes. Lines without a status (anything else) always stay.
    """

    def __init__(self, below: int) -> None:
        super().__init__()
        self.below = below

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        return not (isinstance(status, int) and status < self.below)


_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _redacted(value: Any) -> Any:
    """A log field's value, JSON-ready, with every string in it redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {str(key): _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return redact(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, traceback,
    every value redacted."""

    def __init__(self) -> None:
        super().__init__()
        # (second, its text): the time has no finer field, so it is formatted once a
        # second, not once a line. One tuple, replaced whole, so threads never mix two.
        self._time: tuple[int, str] = (-1, "")

    def _formatted_time(self, record: logging.LogRecord) -> str:
        second, text = self._time
        if int(record.created) != second:
            text = self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
            self._time = (int(record.created), text)
        return text

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._formatted_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key != "request":
                entry[key] = _redacted(value)
        if record.exc_info:
            entry["traceback"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry)


class TextFormatter(logging.Formatter):
    """For people reading a terminal: time, level, logger, request id, message; redacted."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"  # a handler without the request id filter (gunicorn's)
        return redact(super().format(record))


FORMATTERS = {"json": JsonFormatter, "text": TextFormatter}


def log_format() -> str:
    """`LOG_FORMAT`: "json" (the default) or "text" (the default when DEBUG is on)."""
    return env_str("LOG_FORMAT", default="text" if env_bool("DEBUG", default=False) else "json")


def gunicorn_log_config() -> dict[str, Any]:
    """gunicorn's own lines (start-up, worker restarts, a malformed request line it
    quotes) in the service's format and redacted, through the same formatters. Its
    access log stays off: the service writes its own access line."""
    formatter = {"()": f"{__name__}.{FORMATTERS[log_format()].__name__}"}
    return {
        "formatters": {"generic": formatter},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }

"""Idempotency-Key for unsafe requests of both APIs.

A request carrying `Idempotency-Key` is performed at most once per caller and key: the
first claims the key (a unique row in PostgreSQL), runs, and stores its answer; a retry
with the same body replays that answer (status, body, Location; kept sealed, as they may
carry a guest link) for 24 hours; the same key with another body is a 422; a retry while
the first is still running is a 409.

Applied in the URL tables with `idempotent(ViewClass)`, so the storefront's views in
`payments` and `orders` don't depend on this app.
"""

import hashlib
import re
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integration.exceptions import IdempotencyKeyInFlight, IdempotencyKeyReused
from integration.models import ApiToken, IdempotencyRecord
from kernel.api.fields import IDEMPOTENCY_KEY_MAX_LENGTH, IDEMPOTENCY_KEY_PATTERN
from kernel.exceptions import InvalidRequest
from kernel.sealing import seal, unseal

HEADER = "Idempotency-Key"
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
RETENTION = timedelta(hours=24)
# A claim this old whose request never finished (a crashed worker) may be taken over.
ABANDONED_AFTER = timedelta(minutes=5)
_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class _Replay(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def caller_scope(request: Request) -> str:
    """Keys are scoped per caller: an API token, a user, or a visitor's session."""
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    session = request._request.session
    if session.session_key is None:
        session.save()
    return f"session:{session.session_key}"


def request_fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.body):
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    body = unseal(bytes(record.response_body).decode()) if record.response_body else b""
    response = HttpResponse(
        body,
        status=record.response_status,
        content_type=record.response_content_type or "application/json",
    )
    if record.response_location:
        response["Location"] = unseal(record.response_location).decode()
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_claim(*, scope: str, key: str, fingerprint: str) -> IdempotencyRecord:
    """Claim the key for this request, or raise `_Replay` / 409 / 422 for a repeat."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                scope=scope, key=key, fingerprint=fingerprint, expires_at=now + RETENTION
            )
    except IntegrityError:
        pass
    with transaction.atomic():
        record = IdempotencyRecord.objects.select_for_update().get(scope=scope, key=key)
        abandoned = not record.is_complete and record.created_at < now - ABANDONED_AFTER
        if record.expires_at <= now or abandoned:
            record.delete()
            return IdempotencyRecord.objects.create(
                scope=scope, key=key, fingerprint=fingerprint, expires_at=now + RETENTION
            )
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"This {HEADER} was already used for a different request.", field=None
        )
    if not record.is_complete:
        raise IdempotencyKeyInFlight(f"A request with this {HEADER} is still being processed.")
    raise _Replay(_replay(record))


def idempotency_store(record: IdempotencyRecord, response: HttpResponse) -> None:
    """Keep the answer for retries; a server error frees the key so a retry runs again."""
    if response.status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.render()
    record.is_complete = True
    record.response_status = response.status_code
    # Sealed: a checkout's answer carries the order's guest link (its token), which must
    # not sit in the table in clear for the day the answer is kept.
    record.response_body = seal(response.content).encode()
    record.response_content_type = response.get("Content-Type", "")
    location = response.get("Location", "")
    record.response_location = seal(location.encode()) if location else ""
    record.save(
        update_fields=[
            "is_complete",
            "response_status",
            "response_body",
            "response_content_type",
            "response_location",
        ]
    )


class IdempotentViewMixin(APIView):
    """Runs the view's unsafe methods at most once per caller and Idempotency-Key."""

    _idempotency_record: IdempotencyRecord | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        key = request.headers.get(HEADER)
        method = (request.method or "").lower()
        # A method the view doesn't take is a 405 (from dispatch), whatever the key says.
        applies = (
            key is not None
            and request.method in _UNSAFE_METHODS
            and method in self.http_method_names
            and hasattr(self, method)
        )
        if applies:
            # The raw body is read (and kept) before authentication: its CSRF check reads a
            # form or multipart body as form data, after which the bytes are gone.
            fingerprint = request_fingerprint(request)
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        if not applies or key is None:
            return
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not _KEY.match(key):
            raise InvalidRequest(
                f"{HEADER} must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters.",
                field=HEADER,
            )
        self._idempotency_record = idempotency_claim(
            scope=caller_scope(request), key=key, fingerprint=fingerprint
        )

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            return exc.response  # type: ignore[return-value]
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency_record is not None:
            idempotency_store(self._idempotency_record, response)
            self._idempotency_record = None
        return response


def idempotent(view_class: type[APIView]) -> type[APIView]:
    """`view_class` with Idempotency-Key support for its unsafe methods."""
    return type(f"Idempotent{view_class.__name__}", (IdempotentViewMixin, view_class), {})


def idempotency_purge() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted

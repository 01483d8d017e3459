"""Where payment providers notify us (`/webhooks/<method>/`): signed server-to-server calls.

Not a storefront surface: no session, no CSRF (the signature authenticates the caller),
and a small JSON body a provider's delivery log can show. The body is read raw, because
signatures are computed over the exact bytes sent.

Anyone can post here, so each client address is throttled before anything else is done
(`ORDERLY_WEBHOOK_RATE_LIMIT`, counted in the rate-limit table every worker shares): a
flood of forged posts costs one counter update each, not a body read, a parse or a row.
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.throttling import BaseThrottle

from integration.ratelimit import parse_rate, rate_limit_hit
from kernel.conf import orderly_setting
from payments import services
from payments.exceptions import NotificationProviderNotFound, NotificationRefused
from shop.api.errors import error_body

# Providers send small JSON events; anything much larger is not one of theirs.
MAX_BODY_BYTES = 256 * 1024


def _client_address(request: HttpRequest) -> str:
    """The caller's address as every rate limit sees it (honouring `NUM_PROXIES`)."""
    return str(BaseThrottle().get_ident(request))  # type: ignore[arg-type]


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, method: str) -> JsonResponse:
    sender = _client_address(request)
    rate = parse_rate(orderly_setting("WEBHOOK_RATE_LIMIT"))
    decision = rate_limit_hit(f"webhook:{sender}", rate)
    if not decision.allowed:
        refused = JsonResponse(error_body("Too many notifications; retry later."), status=429)
        refused["Retry-After"] = str(decision.retry_after)
        return refused
    # Measured on the body itself (Django bounds the read at DATA_UPLOAD_MAX_MEMORY_SIZE).
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return JsonResponse(error_body("Notification too large."), status=413)
    try:
        notification = services.payment_notification_receive(
            provider=method[:64], body=body, headers=request.headers, sender=sender
        )
    except NotificationProviderNotFound as exc:
        return JsonResponse(error_body(exc.message), status=404)
    except NotificationRefused as exc:
        return JsonResponse(error_body(exc.message), status=400)
    return JsonResponse({"received": True, "result": notification.reason})

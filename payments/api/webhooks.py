"""Where payment providers notify us (`/webhooks/<method>/`): signed server-to-server calls.

Not a storefront surface: no session, no CSRF (the signature authenticates the caller),
and a small JSON body a provider's delivery log can show. The body is read raw, because
signatures are computed over the exact bytes sent.
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import services
from payments.exceptions import NotificationProviderNotFound, NotificationRefused

# Providers send small JSON events; anything much larger is not one of theirs.
MAX_BODY_BYTES = 256 * 1024


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, method: str) -> JsonResponse:
    # Measured on the body itself (Django bounds the read at DATA_UPLOAD_MAX_MEMORY_SIZE).
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return JsonResponse({"detail": "Notification too large."}, status=413)
    try:
        notification = services.payment_notification_receive(
            provider=method[:64], body=body, headers=request.headers
        )
    except NotificationProviderNotFound as exc:
        return JsonResponse({"detail": exc.message}, status=404)
    except NotificationRefused as exc:
        return JsonResponse({"detail": exc.message}, status=400)
    return JsonResponse({"received": True, "result": notification.reason})

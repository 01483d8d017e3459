"""Throttles on logging in, registering and opening the pay page, shared by all workers.

Counted in the same database table as the API's rate limits (`integration.ratelimit`), so
every server process sees the same counts. A middleware, because three of these surfaces
are not ours to subclass (the admin's and DRF's login forms) and `shop` and `payments`
must not depend on this app:

- logins (`/api/auth/login/`, `/admin/login/`, `/api-auth/login/`): every attempt counts
  per client address; failed attempts count per account (the account the e-mail or user
  name names, or the name itself when there is none), so guessing one account's password
  from many addresses is as slow as from one;
- registration (`/api/auth/register/`): every attempt counts per client address, which
  is also what bounds learning that an e-mail is taken;
- the pay page (`/pay/<token>/`): per client address, in the same bucket as the API's
  guest look-ups by `?token=`, so guessing tokens is equally slow on both.

Over a limit the answer is a 429 with `Retry-After`, in the surface's own shape: DRF's
`{"detail": ...}` under `/api/`, a short HTML page for the HTML forms.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from integration.ratelimit import (
    Rate,
    RateDecision,
    parse_rate,
    rate_limit_hit,
    rate_limit_peek,
)
from integration.throttling import token_lookup_bucket
from kernel.conf import orderly_setting

# (URL namespace, URL name) -> how the login form names the account field.
_LOGIN_VIEWS = {
    ("storefront", "auth-login"): "email",
    ("admin", "login"): "username",
    ("rest_framework", "login"): "username",
}
_REGISTER_VIEW = ("storefront", "auth-register")
_PAY_PAGE_VIEW = ("", "pay-page")


def client_address(request: HttpRequest) -> str:
    """The client's address as DRF's throttles see it (`NUM_PROXIES` aware)."""
    return str(BaseThrottle().get_ident(request))  # type: ignore[arg-type]


def _account_bucket(field: str, identifier: str) -> str:
    """One bucket per account, whichever form and spelling names it."""
    users = get_user_model().objects
    lookup = {"email__iexact": identifier} if field == "email" else {"username": identifier}
    user_id = users.filter(**lookup).order_by("pk").values_list("pk", flat=True).first()
    if user_id is not None:
        return f"login-account:{user_id}"
    name = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]
    return f"login-account:{name}"


def _posted(request: HttpRequest, field: str) -> str:
    """The account field of a login, from a JSON or a form body ("" if unreadable)."""
    try:
        if request.content_type == "application/json":
            value = json.loads(request.body or b"{}").get(field, "")
        else:
            value = request.POST.get(field, "")
    except Exception:  # any unreadable body: the view itself refuses it
        return ""
    return value[:254] if isinstance(value, str) else ""


def _too_many(request: HttpRequest, decision: RateDecision) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": str(Throttled(decision.retry_after).detail)}, status=429)
    else:
        html = render_to_string(
            "integration/too_many_attempts.html",
            {"retry_after": decision.retry_after},
            request=request,
        )
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


def _failed(request: HttpRequest, response: HttpResponse) -> bool:
    """A login the view refused: the API answers 400; the HTML forms show themselves
    again (200) where a success redirects."""
    return response.status_code == (400 if request.path.startswith("/api/") else 200)


class LoginThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        account_bucket = getattr(request, "_login_account_bucket", None)
        if account_bucket is not None and _failed(request, response):
            rate_limit_hit(account_bucket, parse_rate(orderly_setting("LOGIN_RATE_PER_ACCOUNT")))
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None:
            return None
        name = (match.namespace, match.url_name)
        if name == _PAY_PAGE_VIEW:
            return self._refused(request, *token_lookup_bucket(client_address(request)))
        if request.method != "POST":
            return None
        if name == _REGISTER_VIEW:
            return self._limit(request, "register-ip", "REGISTRATION_RATE_PER_ADDRESS")
        field = _LOGIN_VIEWS.get(name)  # type: ignore[arg-type]
        if field is None:
            return None
        refused = self._limit(request, "login-ip", "LOGIN_RATE_PER_ADDRESS")
        if refused is not None:
            return refused
        bucket = _account_bucket(field, _posted(request, field))
        decision = rate_limit_peek(bucket, parse_rate(orderly_setting("LOGIN_RATE_PER_ACCOUNT")))
        if not decision.allowed:
            return _too_many(request, decision)
        request._login_account_bucket = bucket  # type: ignore[attr-defined]
        return None

    def _limit(self, request: HttpRequest, prefix: str, setting: str) -> HttpResponse | None:
        bucket = f"{prefix}:{client_address(request)}"
        return self._refused(request, bucket, parse_rate(orderly_setting(setting)))

    def _refused(self, request: HttpRequest, bucket: str, rate: Rate) -> HttpResponse | None:
        """Count this request in `bucket`; the 429 if it is over `rate`."""
        decision = rate_limit_hit(bucket, rate)
        return None if decision.allowed else _too_many(request, decision)

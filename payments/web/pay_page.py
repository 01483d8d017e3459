"""The hosted pay page (`/pay/<token>/`): the HTML page a buyer reaches with their order's
token — the `checkout_link` handed out with an order. It shows the order and what is
still owed, offers the usable payment methods, starts a payment, and shows the result
when the provider sends the buyer back. Plain forms: it works without JavaScript."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kernel.conf import orderly_setting
from kernel.types import Caller
from orders.models import CLOSED_STATUSES, Order, OrderStatus, order_token_digest
from orders.selectors import order_detail_queryset
from payments import selectors, services
from payments.exceptions import PaymentMethodNotAvailable, PaymentRefused

# Tokens are 43 characters; anything much longer is not one.
_MAX_TOKEN = 128


def _order_for_token(token: str) -> Order | None:
    if len(token) > _MAX_TOKEN:
        return None
    queryset = order_detail_queryset(include_private_notes=False)
    return queryset.filter(token_digest=order_token_digest(token)).first()


def _payer(request: HttpRequest) -> Caller:
    """The page is the buyer's: staff-only methods are never offered here, even to staff."""
    return AnonymousUser() if request.user.is_staff else request.user


def _payment_state(order: Order, *, returned: bool) -> str:
    # Closed first: a cancelled order that money reached late is still cancelled.
    if order.status in CLOSED_STATUSES:
        return "closed"
    if order.is_paid:
        return "paid"
    if order.status == OrderStatus.FAILED:
        return "failed"
    if order.amount_paid > 0:
        return "partly_paid"
    if returned:
        return "pending"
    return "unpaid"


@never_cache
@require_http_methods(["GET", "POST"])
def pay_page(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_for_token(token)
    if order is None:
        return render(request, "payments/pay_not_found.html", status=404)
    base_url = request.build_absolute_uri("/")
    error: str | None = None
    status = 200
    chosen = ""
    if request.method == "POST":
        chosen = request.POST.get("payment_method", "")[:64]
        page_url = request.build_absolute_uri(request.path)
        try:
            url = services.order_pay(
                order=order,
                actor=_payer(request),
                payment_method=chosen,
                base_url=base_url,
                return_url=f"{page_url}?{urlencode({'returned': chosen or '1'})}",
                source="pay_page",
            )
        except PaymentMethodNotAvailable as exc:
            error, status = exc.message, 400
        except PaymentRefused as exc:
            error, status = exc.message, 402
        else:
            return HttpResponseRedirect(url)
    methods = selectors.payment_method_choices_for_order(
        order, actor=_payer(request), base_url=base_url
    )
    usable = [m for m in methods if m["error"] is None]
    context: dict[str, Any] = {
        "order": order,
        "currency": orderly_setting("CURRENCY"),
        "state": _payment_state(order, returned="returned" in request.GET),
        # Which method the buyer came back from, to word "pending" right.
        "returned_method": request.GET.get("returned", "")[:64],
        "methods": methods,
        "has_usable_method": bool(usable) and order.amount_outstanding > 0,
        "chosen": chosen or (usable[0]["identifier"] if usable else ""),
        "error": error,
        "bank_instructions": orderly_setting("BANK_TRANSFER_INSTRUCTIONS"),
    }
    return render(request, "payments/pay_page.html", context, status=status)

"""The test gateway's own page: where the buyer approves or declines a pretend payment.

It stands in for a provider's hosted page, so it knows the shop only through the signed
session in its URL and the signed notification it sends back.
"""

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from payments.gateways.test_card import IDENTIFIER, GatewaySession, card_gateway_notify
from payments.methods import payment_method_get


@require_http_methods(["GET", "POST"])
def gateway_page(request: HttpRequest) -> HttpResponse:
    if payment_method_get(IDENTIFIER) is None:
        raise Http404("The test gateway is not enabled.")
    raw = (request.POST if request.method == "POST" else request.GET).get("session", "")
    try:
        session = GatewaySession.loads(raw)
    except (signing.BadSignature, TypeError, ValueError):
        return render(
            request,
            "payments/test_gateway.html",
            {"error": "This payment link is invalid or has expired."},
            status=400,
        )
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in {"approve", "decline"}:
            return render(
                request,
                "payments/test_gateway.html",
                {"session": session, "raw": raw, "error": "Choose approve or decline."},
                status=400,
            )
        card_gateway_notify(session, approved=decision == "approve")
        return HttpResponseRedirect(session.return_url)
    return render(request, "payments/test_gateway.html", {"session": session, "raw": raw})

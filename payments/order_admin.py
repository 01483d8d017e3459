"""The order page's money actions: record a manual payment, refund with confirmation.

They extend `orders.admin.OrderAdmin` here because they are payments' use cases
(`order_pay`, `order_refund`), and `orders` must not depend on `payments`.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from kernel.exceptions import DomainError
from orders.admin import OrderAdmin, OrderAdminForm
from orders.models import Order
from orders.selectors import order_queryset
from orders.services import payment_refundable_amount
from payments.builtin import ManualPayment
from payments.services import order_pay, order_refund


class OrderPaymentsAdminForm(OrderAdminForm):
    record_payment = forms.BooleanField(
        required=False,
        label="Record a payment of the outstanding amount",
        help_text="For a bank transfer or cash that arrived (pay in advance, on delivery).",
    )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="Leave empty to refund everything that was paid.",
    )


def _money_fieldset(fieldsets: list[Any]) -> list[Any]:
    """The base fieldsets with the payment and refund controls under "Money"."""
    result = []
    for name, options in fieldsets:
        if name == "Money":
            options = {**options, "fields": [*options["fields"], "record_payment", "refund_link"]}
        result.append((name, options))
    return result


class OrderWithPaymentsAdmin(OrderAdmin):
    form = OrderPaymentsAdminForm
    fieldsets = _money_fieldset(OrderAdmin.fieldsets)
    readonly_fields = [*OrderAdmin.readonly_fields, "refund_link"]

    @admin.display(description="Refund")
    def refund_link(self, order: Order) -> str:
        if not order.pk or order.amount_paid <= 0:
            return "Nothing paid to refund."
        url = reverse("admin:orders_order_refund", args=[order.pk])
        return format_html('<a class="button" href="{}">Refund…</a>', url)

    def apply_money_actions(self, request: HttpRequest, order: Order, data: dict[str, Any]) -> None:
        if data.get("record_payment"):
            order_pay(
                order=order,
                actor=request.user,
                payment_method=ManualPayment.identifier,
                base_url=request.build_absolute_uri("/"),
                source="admin",
            )
            self.message_user(request, "Payment of the outstanding amount recorded.")

    def get_urls(self) -> list[Any]:
        refund = self.admin_site.admin_view(self.refund_view)
        return [
            path("<int:order_id>/refund/", refund, name="orders_order_refund"),
            *super().get_urls(),
        ]

    def refund_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """GET: what would be refunded. POST: refund, then show what succeeded and failed."""
        if not self.has_change_permission(request):
            raise Http404
        order = order_queryset().filter(pk=order_id).first()
        if order is None:
            raise Http404
        # An overpaid order's refund starts from what it holds beyond what it is owed.
        overpaid = order.amount_overpaid
        form = RefundForm(request.POST or None, initial={"amount": overpaid} if overpaid else None)
        outcome = None
        if request.method == "POST" and form.is_valid():
            try:
                outcome = order_refund(
                    order=order,
                    actor=request.user,
                    base_url=request.build_absolute_uri("/"),
                    amount=form.cleaned_data["amount"],
                )
            except DomainError as exc:
                form.add_error("amount" if exc.field == "amount" else None, exc.message)
            else:
                order = order_queryset().get(pk=order_id)
                if not outcome.failed:
                    self.message_user(request, f"Refunded {order.ref}.", messages.SUCCESS)
        payments = [
            (payment, payment_refundable_amount(payment))
            for payment in order.payments.prefetch_related("refunds")
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund order {order.ref}",
            "opts": self.model._meta,
            "order": order,
            "payments": payments,
            "form": form,
            "outcome": outcome,
            "change_url": reverse("admin:orders_order_change", args=[order.pk]),
        }
        return TemplateResponse(request, "admin/orders/refund_confirm.html", context)


admin.site.unregister(Order)
admin.site.register(Order, OrderWithPaymentsAdmin)

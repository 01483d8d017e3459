"""Staff's view of orders. Nothing here writes an order directly: a status change goes
through `orders.services.order_transition`, like the API's."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from orders.exceptions import StatusChangeNotAllowed
from orders.models import Order, OrderEvent, OrderItem, OrderNote, OrderPayment, OrderStatus
from orders.selectors import order_queryset, status_change_error
from orders.services import order_transition


class OrderAdminForm(forms.ModelForm):
    move_to = forms.ChoiceField(
        required=False,
        label="Change status to",
        help_text="Only the moves the status machine allows from the current status.",
    )

    class Meta:
        model = Order
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order = self.instance
        moves = order.get_available_status_transitions() if order.pk else []
        allowed = [(move.target, OrderStatus(move.target).label) for move in moves]
        cast(forms.ChoiceField, self.fields["move_to"]).choices = [
            ("", "— keep the current status —"),
            *allowed,
        ]

    def clean_move_to(self) -> str:
        target = self.cleaned_data["move_to"]
        if target:
            error = status_change_error(self.instance, target)
            if error:
                raise forms.ValidationError(error)
        return target


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or []


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ["product_data", "unit_price", "quantity", "subtotal", "extra_rows", "total"]


class OrderPaymentInline(ReadOnlyInline):
    model = OrderPayment
    fields = ["amount", "payment_method", "transaction_id", "actor", "created_at"]


class OrderNoteInline(ReadOnlyInline):
    model = OrderNote
    fields = ["message", "is_public", "author", "created_at"]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "type", "from_status", "to_status", "actor", "source", "data"]
    verbose_name_plural = "history"


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    form = OrderAdminForm
    list_display = ["ref", "created_at", "email", "status", "total", "payment_method"]
    list_filter = ["status", "payment_method", "created_at"]
    search_fields = ["ref", "email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "ref",
        "status",
        "email",
        "user",
        "billing_address",
        "shipping_address",
        "subtotal",
        "extra_rows",
        "total",
        "amount_paid",
        "amount_outstanding",
        "payment_method",
        "extra",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["ref", "status", "move_to"]}),
        ("Customer", {"fields": ["email", "user", "billing_address", "shipping_address"]}),
        (
            "Money",
            {
                "fields": [
                    "subtotal",
                    "extra_rows",
                    "total",
                    "amount_paid",
                    "amount_outstanding",
                    "payment_method",
                ]
            },
        ),
        ("More", {"fields": ["extra", "created_at", "updated_at"]}),
    ]
    inlines = [OrderItemInline, OrderPaymentInline, OrderNoteInline, OrderEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return order_queryset().select_related("user")

    @admin.display(description="Amount paid")
    def amount_paid(self, order: Order) -> Any:
        return order.amount_paid

    @admin.display(description="Amount outstanding")
    def amount_outstanding(self, order: Order) -> Any:
        return order.amount_outstanding

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from checkout, never from a blank form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders are records: cancel or refund them instead

    def save_model(self, request: HttpRequest, obj: Order, form: Any, change: bool) -> None:
        target = form.cleaned_data.get("move_to")
        if not target:
            return
        try:
            order_transition(order=obj, status=target, actor=request.user, source="admin")
        except StatusChangeNotAllowed as exc:
            # Someone else moved the order between the form and the save.
            messages.error(request, exc.message)

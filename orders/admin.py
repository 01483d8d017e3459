"""Staff's day-to-day order desk in Django's admin.

Nothing here writes an order directly: status moves go through
`orders.services.order_transition` and notes through `order_note_add` — the same code the
API runs, with `source="admin"`. Recording payments and refunding are money actions of the
`payments` app, which registers a subclass of `OrderAdmin` adding them
(`payments.order_admin`), so this app doesn't depend on it.
"""

import csv
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from kernel.admin import RecordAdmin
from kernel.conf import orderly_setting
from kernel.exceptions import DomainError
from kernel.money import format_money
from orders.exceptions import StatusChangeNotAllowed
from orders.models import (
    Order,
    OrderEvent,
    OrderItem,
    OrderNote,
    OrderPayment,
    OrderRefund,
    OrderStatus,
)
from orders.selectors import (
    order_pay_path,
    order_queryset,
    overpaid_condition,
    paid_condition,
    status_change_error,
)
from orders.services import order_guest_link_reissue, order_note_add, order_transition

# Above this many rows an unfiltered list shows PostgreSQL's estimate instead of counting.
EXACT_COUNT_LIMIT = 100_000


class EstimatedCountPaginator(Paginator):
    """Counting a million orders takes seconds; the planner's estimate takes none.

    Only the unfiltered list uses the estimate (filters narrow enough to count exactly).
    """

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet, self.object_list)
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > EXACT_COUNT_LIMIT:
                return int(row[0])
        return queryset.count()


def money(value: Decimal) -> str:
    """Money as the buyer's pay page shows it: two places and the shop's currency."""
    return f"{format_money(value)} {orderly_setting('CURRENCY')}"


def _details(data: dict[str, Any]) -> str:
    """A JSON object's keys and values as a short line of text ("percent: -10")."""
    return ", ".join(f"{key}: {value}" for key, value in data.items())


def price_rows_list(rows: list[dict[str, Any]]) -> SafeString | str:
    """Price modifier rows (shipping, discounts) as the pay page lists them, not raw JSON:
    one line each with its label, its amount and, quietly, its details."""
    if not rows:
        return "—"
    items = format_html_join(
        "",
        '<li><span class="label">{}</span> <span class="money">{}</span>'
        ' <span class="quiet">{}</span></li>',
        (
            (
                row.get("label") or row.get("modifier", ""),
                money(Decimal(str(row["amount"]))),
                _details(row.get("extra") or {}),
            )
            for row in rows
        ),
    )
    return format_html('<ul class="price-rows">{}</ul>', items)


def key_value_list(data: dict[str, Any]) -> SafeString | str:
    """A free-form JSON object (an order's `extra`, an event's data) as a list."""
    if not data:
        return "—"
    items = format_html_join("", "<li><strong>{}</strong>: {}</li>", data.items())
    return format_html('<ul class="key-values">{}</ul>', items)


class PaidFilter(admin.SimpleListFilter):
    title = "paid"
    parameter_name = "paid"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Paid"), ("no", "Not paid")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.value() in {"yes", "no"}:
            return queryset.filter(paid_condition(is_paid=self.value() == "yes"))
        return queryset


class OverpaidFilter(admin.SimpleListFilter):
    """Orders holding money they aren't owed (`Order.amount_overpaid`): refund it."""

    title = "overpaid"
    parameter_name = "overpaid"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Overpaid: to refund")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.value() == "yes":
            return queryset.filter(overpaid_condition())
        return queryset


class OrderAdminForm(forms.ModelForm):
    """The order page's working fields: a status move, a note, a manual payment."""

    move_to = forms.ChoiceField(
        required=False,
        label="Change status to",
        help_text="Only the moves the status machine allows from the current status.",
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    note_is_public = forms.BooleanField(required=False, label="Show the note to the customer")

    class Meta:
        model = Order
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order = self.instance
        moves = order.get_available_status_transitions() if order.pk else []
        allowed = [(move.target, OrderStatus(move.target).label) for move in moves]
        move_to = cast(forms.ChoiceField, self.fields["move_to"])
        move_to.choices = [("", "— keep the current status —"), *allowed]

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
    fields = [
        "product",
        "unit_price_amount",
        "quantity",
        "subtotal_amount",
        "price_rows",
        "total_amount",
    ]

    @admin.display(description="product")
    def product(self, item: OrderItem) -> str:
        data = item.product_data or {}
        name = data.get("name") or f"{item.product_type} {item.product_id}"
        return f"{name} ({data['code']})" if data.get("code") else str(name)

    # Admin methods, not the model's fields: a field's name would show its raw value.
    @admin.display(description="unit price")
    def unit_price_amount(self, item: OrderItem) -> str:
        return money(item.unit_price)

    @admin.display(description="subtotal")
    def subtotal_amount(self, item: OrderItem) -> str:
        return money(item.subtotal)

    @admin.display(description="price rows")
    def price_rows(self, item: OrderItem) -> SafeString | str:
        return price_rows_list(item.extra_rows)

    @admin.display(description="total")
    def total_amount(self, item: OrderItem) -> str:
        return money(item.total)


class OrderPaymentInline(ReadOnlyInline):
    model = OrderPayment
    fields = [
        "payment_amount",
        "payment_method",
        "transaction_id",
        "refunded",
        "actor",
        "created_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderPayment]:
        return super().get_queryset(request).prefetch_related("refunds").select_related("actor")

    @admin.display(description="amount")
    def payment_amount(self, payment: OrderPayment) -> str:
        return money(payment.amount)

    @admin.display(description="refunded")
    def refunded(self, payment: OrderPayment) -> str:
        refunds = list(payment.refunds.all())
        return ", ".join(f"{money(r.amount)} ({r.transaction_id})" for r in refunds) or "—"


class OrderNoteInline(ReadOnlyInline):
    model = OrderNote
    fields = ["created_at", "message", "is_public", "author"]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "type", "from_status", "to_status", "actor", "source", "details"]
    verbose_name_plural = "history"

    @admin.display(description="details")
    def details(self, event: OrderEvent) -> str:
        return _details(event.data or {}) or "—"


def _move_action(target: OrderStatus) -> Any:
    """A bulk action moving the selected orders to `target` where the machine allows it."""

    def move(modeladmin: "OrderAdmin", request: HttpRequest, queryset: QuerySet[Order]) -> None:
        moved, refused = [], []
        for order in queryset.order_by("pk"):
            try:
                order_transition(order=order, status=target, actor=request.user, source="admin")
                moved.append(order.ref)
            except StatusChangeNotAllowed as exc:
                refused.append(f"{order.ref}: {exc.message}")
        if moved:
            modeladmin.message_user(request, f"Moved to {target.label}: {', '.join(moved)}.")
        if refused:
            modeladmin.message_user(request, "Refused — " + " ".join(refused), messages.WARNING)

    move.__name__ = f"move_to_{target.value.lower()}"
    return admin.action(description=f"Move selected orders to {target.label}")(move)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv output."""

    def write(self, value: str) -> str:
        return value


CSV_COLUMNS = ["ref", "created_at", "status", "email", "total", "amount_paid", "payment_method"]


def _csv_rows(queryset: QuerySet[Order]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for order in queryset.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                order.ref,
                order.created_at.isoformat(),
                order.status,
                order.email,
                f"{order.total:.2f}",
                f"{order.amount_paid:.2f}",
                order.payment_method,
            ]
        )


@admin.action(description="Re-issue the guest link of selected orders (old links stop working)")
def reissue_guest_link(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Order]) -> None:
    """For a buyer who lost their link, or one that leaked: shown once here, to pass on."""
    for order in queryset.order_by("pk"):
        order = order_guest_link_reissue(order=order, actor=request.user, source="admin")
        link = request.build_absolute_uri(order_pay_path(order))
        modeladmin.message_user(request, f"New guest link of {order.ref}: {link}")


@admin.action(description="Export selected orders as CSV")
def export_csv(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Order]) -> Any:
    """Streamed row by row, so exporting every order never holds them all in memory."""
    orders = order_queryset().filter(pk__in=queryset.values("pk")).order_by("-created_at", "-id")
    response = StreamingHttpResponse(_csv_rows(orders), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    return response


# Order pages leave out the admin's app navigation: its 300 px would push the list's
# money columns under the filters on a 1280 px screen. The breadcrumbs still lead back.
NARROW_PAGE = {"is_nav_sidebar_enabled": False}


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    form = OrderAdminForm
    # Few, narrow columns, so that at a 1280 px desk the money columns stand clear of
    # the filters (the app navigation is left out of order pages for the same reason).
    list_display = [
        "ref",
        "created",
        "customer",
        "status",
        "total_amount",
        "paid",
        "payment_method",
        "team_name",
    ]
    list_filter = ["status", PaidFilter, OverpaidFilter, "created_at", "payment_method", "team"]
    # Prefix searches (`^`) and exact refs (`=`) can use indexes on a large table.
    search_fields = ["=ref", "^email", "^user__first_name", "^user__last_name"]
    search_help_text = "An order ref, or the start of an email or a customer's name."
    ordering = ["-created_at", "-id"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "team"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    actions = [*(_move_action(status) for status in OrderStatus), reissue_guest_link, export_csv]
    readonly_fields = [
        "ref",
        "status",
        "email",
        "user",
        "team",
        "profile",
        "billing_address",
        "shipping_address",
        "subtotal_amount",
        "price_rows",
        "total_amount",
        "amount_paid",
        "amount_outstanding",
        "amount_overpaid",
        "date_paid",
        "payment_method",
        "extra_data",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["ref", "status", "move_to"]}),
        (
            "Customer",
            {"fields": ["email", "user", "team", "profile", "billing_address", "shipping_address"]},
        ),
        (
            "Money",
            {
                "fields": [
                    "subtotal_amount",
                    "price_rows",
                    "total_amount",
                    "amount_paid",
                    "amount_outstanding",
                    "amount_overpaid",
                    "date_paid",
                    "payment_method",
                ]
            },
        ),
        ("Add a note", {"fields": ["note", "note_is_public"]}),
        ("More", {"fields": ["extra_data", "created_at", "updated_at"]}),
    ]
    inlines = [OrderItemInline, OrderPaymentInline, OrderNoteInline, OrderEventInline]

    class Media:
        css = {"all": ["orders/admin.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return order_queryset().select_related("user", "team", "profile")

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ChangeList

    @admin.display(description="customer", ordering="email")
    def customer(self, order: Order) -> SafeString:
        """The email, and the customer's name under it when the order has an account."""
        name = order.user.get_full_name() if order.user else ""
        if not name:
            return format_html("{}", order.email)
        return format_html('{}<br><span class="quiet">{}</span>', order.email, name)

    @admin.display(description="created at", ordering="created_at")
    def created(self, order: Order) -> str:
        return timezone.localtime(order.created_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description="team", ordering="team__name")
    def team_name(self, order: Order) -> str:
        return order.team.name if order.team else "—"

    @admin.display(description="paid", boolean=True)
    def paid(self, order: Order) -> bool:
        return order.is_paid

    # Money through admin methods, not the model's fields (which would show "0" for 0.00).
    @admin.display(description="subtotal")
    def subtotal_amount(self, order: Order) -> str:
        return money(order.subtotal)

    @admin.display(description="price rows")
    def price_rows(self, order: Order) -> SafeString | str:
        return price_rows_list(order.extra_rows)

    @admin.display(description="total", ordering="total")
    def total_amount(self, order: Order) -> str:
        return money(order.total)

    @admin.display(description="Amount paid")
    def amount_paid(self, order: Order) -> str:
        return money(order.amount_paid)

    @admin.display(description="Amount outstanding")
    def amount_outstanding(self, order: Order) -> str:
        return money(order.amount_outstanding)

    @admin.display(description="extra")
    def extra_data(self, order: Order) -> SafeString | str:
        return key_value_list(order.extra)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> Any:
        return super().changelist_view(request, {**NARROW_PAGE, **(extra_context or {})})

    @admin.display(description="Overpaid: to refund")
    def amount_overpaid(self, order: Order) -> str:
        """A provider payment that arrived when nothing was owed; refund it below."""
        return money(order.amount_overpaid)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from checkout, never from a blank form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders are records: cancel or refund them instead

    def save_model(self, request: HttpRequest, obj: Order, form: Any, change: bool) -> None:
        """Apply what staff asked for through the domain services, one after the other."""
        data = form.cleaned_data
        try:
            if data.get("note"):
                order_note_add(
                    order=obj,
                    message=data["note"],
                    is_public=data.get("note_is_public", False),
                    actor=request.user,
                    source="admin",
                )
            self.apply_money_actions(request, obj, data)
            if data.get("move_to"):
                order_transition(
                    order=obj, status=data["move_to"], actor=request.user, source="admin"
                )
        except DomainError as exc:
            # Someone else changed the order meanwhile, or a rule refused: say which.
            self.message_user(request, exc.message, messages.ERROR)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        # Django wraps this view in one transaction. The order form writes nothing itself:
        # each action is a service call owning its transaction (durable for money), so the
        # wrapper is left out — it would make those services refuse to run.
        context = {**NARROW_PAGE, **(extra_context or {})}
        return self._changeform_view(request, object_id, form_url, context)  # type: ignore[attr-defined]

    def apply_money_actions(self, request: HttpRequest, order: Order, data: dict[str, Any]) -> None:
        """Hook for the payments app: runs after a note is added, before a status move."""


@admin.register(OrderRefund)
class OrderRefundAdmin(RecordAdmin):
    """Refunds are read-only records; make them through an order's Refund page."""

    list_display = ["created_at", "payment", "amount", "transaction_id", "actor"]
    list_select_related = ["payment", "payment__order", "actor"]
    search_fields = ["=payment__order__ref", "=transaction_id"]

import hashlib
import secrets
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, Transition, transition

from kernel.money import ZERO
from kernel.sealing import seal


class OrderStatus(models.TextChoices):
    NEW = "NEW", "New"
    CREATED = "CREATED", "Created"
    HOLD = "HOLD", "Hold"
    FAILED = "FAILED", "Failed"
    CANCELLED = "CANCELLED", "Cancelled"
    PROCESSING = "PROCESSING", "Processing"
    SHIPPED = "SHIPPED", "Shipped"
    COMPLETED = "COMPLETED", "Completed"
    REFUNDED = "REFUNDED", "Refunded"


# An order can take money only in these statuses (the contract's "can be paid while").
PAYABLE_STATUSES = frozenset({OrderStatus.CREATED, OrderStatus.HOLD, OrderStatus.FAILED})
# Statuses in which nothing is owed any more, whatever was paid.
CLOSED_STATUSES = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})


def order_token_digest(token: str) -> str:
    """Orders are looked up by the digest of their token, so the lookup leaks nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_order_token() -> str:
    # 32 random bytes: 256 bits of entropy, 43 URL-safe characters.
    return secrets.token_urlsafe(32)


def order_token_sealed(token: str) -> str:
    """The token as the order row keeps it: sealed, so a database dump opens no order.
    `orders.selectors.order_guest_token` opens it again where links are built."""
    return seal(token.encode())


class RefCounter(models.Model):
    """The last order number handed out per year; incremented under a row lock."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class OrderStatusCount(models.Model):
    """How many orders of a team (or of no team) have each status, kept exact by
    PostgreSQL triggers (migration 0003). The staff list's and `/v1/orders`' totals read
    these rows instead of COUNT(*), which took 40 to 70 ms of the staff list at 1,000,000
    orders. Not kept on SQLite, where lists count their rows."""

    # The orders' team id, 0 for orders without a team: a plain number, so one unique
    # constraint covers both (NULLs would never conflict) and no team delete touches it.
    team_key = models.PositiveIntegerField()
    status = models.CharField(max_length=16)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team_key", "status"], name="order_count_key"),
        ]

    def __str__(self) -> str:
        return f"team {self.team_key}, {self.status}: {self.count}"


class Order(FSMModelMixin, models.Model):
    ref = models.CharField(max_length=32, unique=True, editable=False)
    # The guest token, sealed with the server's key (`kernel.sealing`): links are built from
    # it after checkout (the order shape, pay links, e-mails). Looked up by its digest.
    token_sealed = models.CharField(max_length=255, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # protected: the status only changes through the transition methods below, which
    # `orders.services.order_transition` calls; a direct assignment raises.
    status = FSMField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.NEW, protected=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField()
    billing_address = models.TextField(blank=True)
    shipping_address = models.TextField(blank=True)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    extra_rows = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    payment_method = models.CharField(max_length=64, blank=True)
    # Set for orders placed for a team (through /v1/, or by a customer who is a member).
    team = models.ForeignKey(
        "shop.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    profile = models.ForeignKey(
        "shop.Profile", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    # When the order became fully paid (None while money is owed).
    date_paid = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by PostgreSQL triggers (migration 0005) on every change to the order, its
    # items, payments, refunds and notes, in the changing transaction: a stored document
    # (`OrderDocument`) is current only while its revision equals this one.
    revision = models.BigIntegerField(db_default=0, editable=False)

    # Not a column: `orders.selectors.order_queryset()` annotates it from the payments
    # ledger (paid net of refunds). django-fsm adds the method.
    amount_paid: Decimal
    # Set by the selectors' prefetches (`to_attr`), where they are asked for.
    prefetched_items: list["OrderItem"]
    prefetched_payments: list["OrderPayment"]
    prefetched_notes: list["OrderNote"]
    get_available_status_transitions: Callable[[], Iterator[Transition]]

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtotal__gte=0), name="order_subtotal_not_negative"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="order_newest"),
            models.Index(fields=["user", "-created_at", "-id"], name="order_user_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="order_status_newest"),
            models.Index(fields=["email"], name="order_email"),
            models.Index(fields=["team", "-created_at", "-id"], name="order_team_newest"),
            models.Index(fields=["profile", "-created_at", "-id"], name="order_profile_newest"),
        ]

    def __str__(self) -> str:
        return self.ref

    # Derived from `amount_paid` here rather than annotated too: each annotation that
    # reuses another copies its subqueries into the SQL, which Django then compiles on
    # every request (8 correlated subqueries instead of 2).

    @property
    def is_paid(self) -> bool:
        return self.amount_paid >= self.total

    @property
    def amount_outstanding(self) -> Decimal:
        """What is still owed; nothing once the order is cancelled or refunded."""
        if self.status in CLOSED_STATUSES or self.is_paid:
            return ZERO
        return self.total - self.amount_paid

    @property
    def amount_overpaid(self) -> Decimal:
        """Money held beyond what the order is owed, for staff to refund: a provider
        payment confirmed after the order was fully paid or closed (cancelled, refunded).
        It stays on the ledger, in `amount_paid`, until it is refunded."""
        owed = ZERO if self.status in CLOSED_STATUSES else self.total
        return max(ZERO, self.amount_paid - owed)

    # --- the status machine ----------------------------------------------------------
    # One method per target status; sources straight from the contract's table. They do
    # no I/O: `order_transition` saves, records the event and schedules side effects.

    @transition(field=status, source=OrderStatus.NEW, target=OrderStatus.CREATED)
    def mark_created(self) -> None:
        pass

    @transition(field=status, source=OrderStatus.CREATED, target=OrderStatus.HOLD)
    def hold(self) -> None:
        pass

    @transition(
        field=status, source=[OrderStatus.CREATED, OrderStatus.HOLD], target=OrderStatus.FAILED
    )
    def fail(self) -> None:
        pass

    @transition(field=status, source=list(PAYABLE_STATUSES), target=OrderStatus.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(field=status, source=list(PAYABLE_STATUSES), target=OrderStatus.PROCESSING)
    def process(self) -> None:
        pass

    @transition(field=status, source=OrderStatus.PROCESSING, target=OrderStatus.SHIPPED)
    def ship(self) -> None:
        pass

    @transition(
        field=status,
        source=[OrderStatus.PROCESSING, OrderStatus.SHIPPED],
        target=OrderStatus.COMPLETED,
    )
    def complete(self) -> None:
        pass

    @transition(
        field=status,
        source=[OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.COMPLETED],
        target=OrderStatus.REFUNDED,
    )
    def refund(self) -> None:
        pass


class OrderItem(models.Model):
    """A basket line frozen at checkout: later catalogue changes never alter it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product_type = models.CharField(max_length=100)
    product_id = models.PositiveBigIntegerField()
    product_data = models.JSONField(default=dict, help_text="The product as it was sold.")
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    extra_rows = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    # An add-on line, optionally tied to the main line (of this or an earlier order) it extends.
    is_add_on = models.BooleanField(default=False)
    linked_item = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="add_ons"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_item_quantity_min"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="order_item_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_data.get('name', self.product_id)}"


class OrderPayment(models.Model):
    """Money received for an order, once per provider transaction."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    transaction_id = models.CharField(max_length=128)
    payment_method = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment_method", "transaction_id"], name="payment_transaction_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} via {self.payment_method} ({self.transaction_id})"


class OrderRefund(models.Model):
    """Money given back against one payment; never more than that payment in total."""

    payment = models.ForeignKey(OrderPayment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    transaction_id = models.CharField(max_length=128, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"-{self.amount} ({self.transaction_id})"


class OrderNote(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notes")
    message = models.TextField()
    is_public = models.BooleanField(default=False, help_text="Shown to the customer.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.message[:50]


class OrderEventType(models.TextChoices):
    PLACED = "placed", "Placed"
    STATUS_CHANGED = "status_changed", "Status changed"
    PAYMENT_RECORDED = "payment_recorded", "Payment recorded"
    PAYMENT_REFUNDED = "payment_refunded", "Payment refunded"
    NOTE_ADDED = "note_added", "Note added"
    GUEST_LINK_REISSUED = "guest_link_reissued", "Guest link re-issued"


class OrderEvent(models.Model):
    """Append-only history: who did what to the order, from where, and when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=OrderEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=32, help_text="api, admin, callback, command, system")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_order_time")]

    def __str__(self) -> str:
        return self.get_type_display()


class OrderDocument(models.Model):
    """The order as each API renders it, kept beside it so that a read is one indexed
    fetch and no serialization (`orders.documents`; README "Performance").

    The texts are the APIs' own JSON, with the parts that depend on the request (the
    host in links, the order token, which notes the caller sees) left as slots that a
    read fills in. A document counts only while `revision` equals its order's and
    `shape` the running code's (`orders.documents.document_shape`); otherwise the next
    read or change renders it again.
    """

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, primary_key=True, related_name="document"
    )
    revision = models.BigIntegerField()
    shape = models.BigIntegerField()
    # The storefront order (`orders.api.documents`): slots for its url, token and notes.
    storefront = models.TextField()
    notes_public = models.TextField()
    notes_all = models.TextField()
    # The `/v1/` order, for team orders (`integration.api.documents`): a slot for its
    # checkout link while it is payable. Empty for other orders, which `/v1/` never shows.
    integration = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"document of order {self.order_id} at revision {self.revision}"

"""Writes to orders: placing them, moving them through the status machine, recording money
and notes. Each function is one transaction; those that change an order lock its row
first, so concurrent requests apply one after the other, never both on stale data."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kernel.money import ZERO, quantize_money
from kernel.types import Actor
from orders import events
from orders.exceptions import (
    InvalidPayment,
    OrderNotFound,
    RefundNotAllowed,
    StatusChangeNotAllowed,
)
from orders.models import (
    CLOSED_STATUSES,
    Order,
    OrderItem,
    OrderNote,
    OrderPayment,
    OrderRefund,
    OrderStatus,
    RefCounter,
    new_order_token,
    order_token_digest,
    order_token_sealed,
)
from orders.selectors import order_queryset, status_change_error
from shop.models import Profile, Team
from shop.pricing import PricedBasket


def _user_or_none(actor: Actor) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def order_lock(order_id: int) -> Order:
    """Lock the order row and return it with its money annotations. Needs a transaction."""
    order = order_queryset().select_for_update(of=("self",)).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


def order_ref_next() -> str:
    """The next ref of this year ("2026-00042"). Expects to run inside a transaction.

    The counter row is locked until the caller commits, so two checkouts never draw the
    same number, and a rolled-back checkout gives its number back.
    """
    year = timezone.localdate().year
    table = RefCounter._meta.db_table
    # One statement creates the year's row or increments it, and locks it: a locked read
    # and then a write cost two round trips while every other checkout waited on the lock
    # (the first order of a year, four).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (year, last_number) VALUES (%s, 1)
            ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1
            RETURNING last_number
            """,  # noqa: S608  (the table name is ours, values are parameters)
            [year],
        )
        (number,) = cursor.fetchone()
    return f"{year}-{number:05d}"


def order_transition_locked(order: Order, target: str, *, actor: Actor, source: str) -> bool:
    """Move an order the caller has locked (`order_lock`). Returns whether it changed."""
    if target == order.status:
        return False
    error = status_change_error(order, target)
    if error is not None:
        raise StatusChangeNotAllowed(error, field="status")
    from_status = order.status
    transition = TRANSITION_BY_TARGET[target]
    transition(order)
    order.save(update_fields=["status", "updated_at"])
    events.event_status_changed(
        order, actor=_user_or_none(actor), source=source, from_status=from_status, to_status=target
    )
    return True


def order_transition_if_allowed(order: Order, target: str, *, actor: Actor, source: str) -> bool:
    """Move a locked order to `target` when the machine allows it from where it is; a
    follow-on move (paid, refunded, failed) that is simply skipped otherwise."""
    if status_change_error(order, target) is not None:
        return False
    return order_transition_locked(order, target, actor=actor, source=source)


def _transitions_by_target() -> dict[str, Callable[[Order], None]]:
    """Target status -> transition method, read off the machine itself."""
    return {
        str(transition.target): getattr(Order, transition.name)
        for transition in Order._meta.get_field("status").get_all_transitions(Order)
    }


TRANSITION_BY_TARGET = _transitions_by_target()


@dataclass(frozen=True)
class ItemLink:
    """How one priced line relates to others: an add-on, optionally of an existing line."""

    is_add_on: bool = False
    linked_item_id: int | None = None


# No savepoint of its own: its callers (checkout, `/v1/` checkout) are one transaction
# that fails whole, so a savepoint would only cost two round trips per order.
@transaction.atomic(savepoint=False)
def order_place(
    *,
    priced: PricedBasket,
    email: str,
    shipping_address: str,
    billing_address: str,
    payment_method: str,
    extra: dict[str, Any],
    user: User | None,
    actor: Actor,
    source: str,
    team: Team | None = None,
    profile: Profile | None = None,
    item_links: Sequence[ItemLink] | None = None,
) -> Order:
    """Create an order from priced lines, frozen as they are now, in status CREATED.

    `item_links`, when given, has one entry per priced line, in the same order.
    The order returned is as `order_lock` would give it (annotated with `amount_paid`,
    and locked: it was created in the caller's transaction, which no one else sees), so
    the caller goes on with it without reading it again.
    """
    links = list(item_links) if item_links is not None else [ItemLink()] * len(priced.lines)
    if len(links) != len(priced.lines):
        raise ValueError("item_links must have one entry per priced line")
    token = new_order_token()
    order = Order.objects.create(
        ref=order_ref_next(),
        token_sealed=order_token_sealed(token),
        token_digest=order_token_digest(token),
        user=user,
        email=email,
        shipping_address=shipping_address,
        billing_address=billing_address,
        subtotal=priced.subtotal,
        total=priced.total,
        extra_rows=[row.to_json() for row in priced.extra_rows],
        extra=extra,
        payment_method=payment_method,
        team=team,
        profile=profile,
    )
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            product_type=line.line.product_type,
            product_id=line.line.product_id,
            product_data=line.line.product.get_summary(),
            unit_price=line.unit_price,
            quantity=line.line.quantity,
            subtotal=line.subtotal,
            total=line.total,
            extra_rows=[row.to_json() for row in line.extra_rows],
            extra=line.line.extra,
            is_add_on=link.is_add_on,
            linked_item_id=link.linked_item_id,
        )
        for line, link in zip(priced.lines, links, strict=True)
    )
    events.event_order_placed(order, actor=_user_or_none(actor), source=source)
    order_transition_locked(order, OrderStatus.CREATED, actor=actor, source=source)
    # A new order has no payments yet; one with nothing to pay (a free sample, a full
    # discount) is paid as placed and goes on like any other paid order.
    order.amount_paid = ZERO
    _order_settle_if_paid(order, actor=actor, source=source)
    return order


@transaction.atomic
def order_transition(*, order: Order, status: str, actor: Actor, source: str) -> Order:
    """Move an order to `status` if the machine allows it from its current status.

    Moving to the status it already has is a no-op. A refused move raises
    `StatusChangeNotAllowed` with the machine's message.
    """
    if status not in OrderStatus.values:
        raise StatusChangeNotAllowed(f'"{status}" is not a valid choice.', field="status")
    locked = order_lock(order.pk)
    order_transition_locked(locked, status, actor=actor, source=source)
    return locked


@transaction.atomic
def payment_record(
    *,
    order: Order,
    amount: Decimal,
    transaction_id: str,
    payment_method: str,
    actor: Actor,
    source: str,
) -> OrderPayment:
    """Record money received, once per (method, transaction id): a repeat returns the
    payment already recorded. When the order is fully paid it moves to PROCESSING.

    Money is recorded whatever the order's state (a provider may confirm a payment for an
    order already paid or cancelled: it was taken, so it is on the ledger); callers that
    take money on purpose check `order_payable_error` first. A closed order is never
    marked paid by such money: it shows as `Order.amount_overpaid`, for staff to refund.
    """
    amount = quantize_money(amount)
    if amount <= ZERO:
        raise InvalidPayment("A payment must be more than zero.", field="amount")
    locked = order_lock(order.pk)
    existing = OrderPayment.objects.filter(
        payment_method=payment_method, transaction_id=transaction_id
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            payment = OrderPayment.objects.create(
                order=locked,
                amount=amount,
                transaction_id=transaction_id,
                payment_method=payment_method,
                actor=_user_or_none(actor),
            )
    except IntegrityError:
        # Another order's lock let a duplicate notification through first.
        return OrderPayment.objects.get(
            payment_method=payment_method, transaction_id=transaction_id
        )
    events.event_payment_recorded(
        locked,
        actor=_user_or_none(actor),
        source=source,
        amount=amount,
        payment_method=payment_method,
        transaction_id=transaction_id,
    )
    _order_settle_if_paid(order_lock(order.pk), actor=actor, source=source)
    return payment


def _order_settle_if_paid(order: Order, *, actor: Actor, source: str) -> None:
    """What becomes of a fully paid order: it gets its `date_paid` and moves to
    PROCESSING where the machine allows it. The caller has locked and annotated it."""
    if not order.is_paid:
        return
    if order.date_paid is None and order.status not in CLOSED_STATUSES:
        order.date_paid = timezone.now()
        order.save(update_fields=["date_paid", "updated_at"])
        events.event_order_paid(order)
    order_transition_if_allowed(order, OrderStatus.PROCESSING, actor=actor, source=source)


def order_settle_if_refunded(order_id: int, *, actor: Actor, source: str) -> None:
    """What becomes of an order once refunds leave nothing paid: it moves to REFUNDED
    where the machine allows it. The refund's counterpart of `_order_settle_if_paid`;
    the caller holds the order's lock, read again here so the refunds just recorded count."""
    order = order_lock(order_id)
    if order.amount_paid <= ZERO:
        order_transition_if_allowed(order, OrderStatus.REFUNDED, actor=actor, source=source)


def payment_refundable_amount(payment: OrderPayment) -> Decimal:
    refunded = sum((refund.amount for refund in payment.refunds.all()), ZERO)
    return quantize_money(payment.amount - refunded)


@transaction.atomic
def payment_refund_record(
    *, payment: OrderPayment, amount: Decimal, transaction_id: str, actor: Actor, source: str
) -> OrderRefund:
    """Record money given back against a payment. The caller holds the order's lock."""
    amount = quantize_money(amount)
    refundable = payment_refundable_amount(payment)
    if amount <= ZERO or amount > refundable:
        raise RefundNotAllowed(
            f"A refund must be more than 0.00 and at most {refundable} for this payment.",
            field="amount",
        )
    refund = OrderRefund.objects.create(
        payment=payment, amount=amount, transaction_id=transaction_id, actor=_user_or_none(actor)
    )
    events.event_payment_refunded(
        payment.order,
        actor=_user_or_none(actor),
        source=source,
        amount=amount,
        transaction_id=transaction_id,
    )
    return refund


@transaction.atomic
def order_guest_link_reissue(*, order: Order, actor: Actor, source: str) -> Order:
    """Give the order a new guest token; the old one (a lost or leaked link) stops working.

    Returns the locked order: `orders.selectors.order_guest_token` opens the new token.
    """
    locked = order_lock(order.pk)
    token = new_order_token()
    locked.token_sealed = order_token_sealed(token)
    locked.token_digest = order_token_digest(token)
    locked.save(update_fields=["token_sealed", "token_digest", "updated_at"])
    events.event_guest_link_reissued(locked, actor=_user_or_none(actor), source=source)
    return locked


@transaction.atomic
def order_note_add(
    *, order: Order, message: str, is_public: bool, actor: Actor, source: str
) -> OrderNote:
    note = OrderNote.objects.create(
        order=order, message=message, is_public=is_public, author=_user_or_none(actor)
    )
    events.event_note_added(order, actor=_user_or_none(actor), source=source, note=note)
    return note

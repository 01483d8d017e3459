"""Writes to baskets. Every function is one transaction and locks the basket row first,
so two requests of one shopper (two tabs, a double click) never lose an update."""

import json
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from kernel.conf import orderly_setting
from kernel.exceptions import InvalidRequest, ObjectNotFound
from shop.exceptions import BasketItemNotFound, BasketLimitExceeded, ProductNotFound
from shop.models import MAX_EXTRA_JSON_CHARS, Basket, BasketItem
from shop.products import default_item_ref, product_get
from shop.selectors import basket_item_get


def merge_extra(current: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """`extra` updates merge: keys sent replace, keys sent as null are removed."""
    merged = {**current, **update}
    return {key: value for key, value in merged.items() if value is not None}


def merge_extra_bounded(current: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """`merge_extra` for a caller's update: each request is bounded by the API, but merged
    updates could still grow `extra` without limit, so the result is bounded too."""
    merged = merge_extra(current, update)
    if len(json.dumps(merged)) > MAX_EXTRA_JSON_CHARS:
        raise BasketLimitExceeded(
            f"Ensure this object has no more than {MAX_EXTRA_JSON_CHARS} characters of JSON.",
            field="extra",
        )
    return merged


def basket_lock(basket: Basket) -> Basket:
    """Lock and reload the basket; callers must be inside a transaction."""
    locked = Basket.objects.select_for_update().filter(pk=basket.pk).first()
    if locked is None:
        raise ObjectNotFound("This basket no longer exists.")
    return locked


def quantity_over_limit(quantity: int) -> int | None:
    """The most units one line may hold (basket or order), when `quantity` is over it."""
    maximum: int = orderly_setting("BASKET_MAX_QUANTITY")
    return maximum if quantity > maximum else None


def line_count_over_limit(count: int) -> int | None:
    """The most distinct lines a basket or order may hold, when `count` is over it."""
    maximum: int = orderly_setting("BASKET_MAX_ITEMS")
    return maximum if count > maximum else None


def _check_quantity(quantity: int) -> None:
    maximum = quantity_over_limit(quantity)
    if maximum is not None:
        raise BasketLimitExceeded(
            f"Ensure this value is less than or equal to {maximum}.", field="quantity"
        )


def basket_get_or_create(*, user: User | None, basket_id: int | None) -> Basket:
    """The caller's basket, created when missing.

    A customer (`user`) has one basket; a visitor basket they filled before logging in
    (`basket_id` from their session) is merged into it. A visitor gets the basket their
    session names, or a new one.
    """
    if user is not None:
        basket, _ = Basket.objects.get_or_create(owner=user)
        if basket_id is not None and basket_id != basket.pk:
            visitor_basket = Basket.objects.filter(pk=basket_id, owner__isnull=True).first()
            if visitor_basket is not None:
                basket_merge(source=visitor_basket, target=basket)
        return basket
    visitor_basket = (
        Basket.objects.filter(pk=basket_id, owner__isnull=True).first() if basket_id else None
    )
    return visitor_basket or Basket.objects.create()


@transaction.atomic
def basket_merge(*, source: Basket, target: Basket) -> None:
    """Move the source basket's lines into the target, adding quantities of equal refs."""
    # Lock both in primary-key order so two merges can't deadlock.
    first, second = sorted([source, target], key=lambda b: b.pk)
    basket_lock(first)
    basket_lock(second)
    target_items = {item.ref: item for item in target.items.all()}
    maximum = orderly_setting("BASKET_MAX_QUANTITY")
    for item in source.items.all():
        existing = target_items.get(item.ref)
        if existing is None:
            item.basket = target
            item.save(update_fields=["basket"])
        else:
            existing.quantity = min(existing.quantity + item.quantity, maximum)
            existing.extra = merge_extra(existing.extra, item.extra)
            existing.save(update_fields=["quantity", "extra"])
    target.extra = merge_extra(target.extra, source.extra)
    target.save(update_fields=["extra", "updated_at"])
    source.delete()


# No savepoint of its own: the storefront runs it in the request's one transaction (with
# the session naming the basket), which a failed add rolls back whole anyway.
@transaction.atomic(savepoint=False)
def basket_add_item(
    *,
    basket: Basket,
    product_type: str,
    product_id: int,
    quantity: int = 1,
    ref: str | None = None,
    extra: dict[str, Any] | None = None,
) -> BasketItem:
    """Add a product; adding one already in the basket (same ref) raises its quantity."""
    try:
        product = product_get(product_type, product_id)
    except ProductNotFound as exc:
        # Asking for a product that can't be bought is bad input (400 on `product_id`),
        # not a missing resource: the URL the caller posted to exists.
        raise InvalidRequest(exc.message, field=exc.field) from exc
    basket = basket_lock(basket)
    ref = ref or default_item_ref(product_type, product.pk)
    # One read of the lines answers both questions: is this ref there, and how many are
    # there (at most BASKET_MAX_ITEMS rows).
    lines = list(basket.items.all())
    item = next((line for line in lines if line.ref == ref), None)
    if item is None:
        maximum = line_count_over_limit(len(lines) + 1)
        if maximum is not None:
            raise BasketLimitExceeded(
                f"A basket holds at most {maximum} different items.",
                field="non_field_errors",
            )
        _check_quantity(quantity)
        item = BasketItem.objects.create(
            basket=basket,
            ref=ref,
            product_type=product_type,
            product_id=product.pk,
            quantity=quantity,
            extra=merge_extra_bounded({}, extra or {}),
        )
    else:
        _check_quantity(item.quantity + quantity)
        item.quantity += quantity
        item.extra = merge_extra_bounded(item.extra, extra or {})
        item.save(update_fields=["quantity", "extra"])
    basket.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def basket_update_item(
    *,
    basket: Basket,
    ref: str,
    quantity: int | None = None,
    extra: dict[str, Any] | None = None,
) -> BasketItem:
    basket = basket_lock(basket)
    item = basket_item_get(basket=basket, ref=ref)
    if quantity is not None:
        _check_quantity(quantity)
        item.quantity = quantity
    if extra is not None:
        item.extra = merge_extra_bounded(item.extra, extra)
    item.save(update_fields=["quantity", "extra"])
    basket.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def basket_remove_item(*, basket: Basket, ref: str) -> None:
    basket = basket_lock(basket)
    deleted, _ = basket.items.filter(ref=ref).delete()
    if not deleted:
        raise BasketItemNotFound("Not found.")
    basket.save(update_fields=["updated_at"])


@transaction.atomic
def basket_clear(*, basket: Basket, with_extra: bool = False) -> None:
    """Empty the basket; `with_extra` forgets its `extra` too (after checkout, whose
    order keeps it), while a shopper emptying their basket keeps it, as salesman does."""
    basket_clear_locked(basket_lock(basket), with_extra=with_extra)


def basket_clear_locked(basket: Basket, *, with_extra: bool = False) -> None:
    """`basket_clear` for a caller that holds the basket's lock (`basket_lock`) in its
    transaction already, as checkout does: no second lock, no savepoint."""
    BasketItem.objects.filter(basket=basket).delete()
    if with_extra:
        basket.extra = {}
    basket.save(update_fields=["extra", "updated_at"] if with_extra else ["updated_at"])


@transaction.atomic
def basket_delete(*, basket: Basket) -> None:
    Basket.objects.filter(pk=basket.pk).delete()


@transaction.atomic
def basket_update_extra(*, basket: Basket, extra: dict[str, Any]) -> Basket:
    basket = basket_lock(basket)
    basket.extra = merge_extra_bounded(basket.extra, extra)
    basket.save(update_fields=["extra", "updated_at"])
    return basket


@transaction.atomic
def customer_register(
    *, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create a customer account; the email is their login (and their username)."""
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=email,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
    except IntegrityError as exc:
        # Two registrations of one email raced; the database kept the first.
        raise InvalidRequest("A customer with this email already exists.", field="email") from exc

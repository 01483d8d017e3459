"""Each order's documents (the order as each API renders it), kept current beside it.

The same order is read far more often than it changes: buyers refresh their order page,
integrations poll. So each API's rendering of an order is stored (`OrderDocument`), and a
read fetches it with the order's row in one indexed query instead of loading the order,
its items, payments and notes as model instances and serializing them (4 queries and
about a millisecond of Python per order; README "Performance" has the figures).

- **Current or not used.** A document counts only while its `revision` equals its
  order's, which PostgreSQL triggers raise in every transaction that changes the order,
  its items, payments, refunds or notes (migration 0005), whoever writes; and while its
  `shape` is the running code's (`document_shape`).
- **Rendered once per change.** The events outbox renders the document in the change's
  transaction (`order_document_refresh`) and its event carries the same document. A read
  that finds no current document (a change no event announces, an order older than this
  table) renders and stores it then.
- **No wire shape here.** Each API registers how it renders its part of the row
  (`register_document_part`): the storefront in `orders.api.documents`, `/v1/` in
  `integration.api.documents`. Those modules also fill in, per request, what a stored
  document leaves open (links on the request's host, the order token, the notes the
  caller may see).
- SQLite (the demo) has no such triggers: there documents are rendered on every read and
  never stored.
"""

import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet

from kernel.conf import orderly_setting
from kernel.queries import PreparedQuery
from kernel.types import Caller
from orders.models import Order, OrderItem, OrderNote, OrderPayment
from orders.selectors import (
    order_queryset,
    order_visibility,
    visible_orders,
)

# Renders an order (an `order_detail_queryset` row, private notes included) into some of
# `OrderDocument`'s text columns.
DocumentPart = Callable[[Order], dict[str, str | None]]

_PARTS: dict[str, DocumentPart] = {}

# Raise when any part renders differently, so documents stored by older code are redone.
_SHAPE_VERSION = 1


def register_document_part(name: str, render: DocumentPart) -> None:
    """Add (or replace) one API's part of every order's documents (from `AppConfig.ready`)."""
    _PARTS[name] = render


def document_shape() -> int:
    """The running code's shape of documents: its version, the parts and the settings
    they render (the currency)."""
    key = f"{_SHAPE_VERSION}:{','.join(sorted(_PARTS))}:{orderly_setting('CURRENCY')}"
    return zlib.crc32(key.encode())


def documents_kept() -> bool:
    """Whether documents are stored: only where triggers keep revisions (PostgreSQL)."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class StoredOrder:
    """What a read takes from the order row beside its documents."""

    pk: int
    ref: str
    token_sealed: str
    texts: dict[str, str | None]


def document_fields(columns: Sequence[str]) -> list[str]:
    """What a read takes of each order: its row facts, the stored document's revision and
    shape, and the `columns` (`StoredOrder`, `stored_orders`)."""
    fields = ["pk", "ref", "token_sealed", "revision", "document__revision", "document__shape"]
    return [*fields, *(f"document__{column}" for column in columns)]


def stored_orders(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> list[StoredOrder]:
    """The `document_fields` rows as documents: current ones as fetched, the stale or
    missing ones rendered and stored now."""
    shape, kept = document_shape(), documents_kept()
    rows = list(rows)
    stale = [row[0] for row in rows if not (kept and row[4] == row[3] and row[5] == shape)]
    rendered = order_documents_refresh(stale) if stale else {}
    found = []
    for pk, ref, token_sealed, _, _, _, *texts in rows:
        if pk in rendered:
            texts = [rendered[pk][column] for column in columns]
        found.append(StoredOrder(pk, ref, token_sealed, dict(zip(columns, texts, strict=True))))
    return found


# The order `ref` if the caller may open it, with its documents: the storefront's order
# page, its busiest read, so prepared once per kind of caller (`kernel.queries`).
_VISIBLE_BY_REF = PreparedQuery(
    lambda key, ref, **values: (
        visible_orders(Order.objects.all(), key[0], values)
        .filter(ref=ref)
        .order_by()
        .values_list(*document_fields(key[1]))
    )
)


def order_document_visible(
    *, ref: str, caller: Caller, token: str | None, columns: Sequence[str]
) -> StoredOrder | None:
    """The order `ref` with its documents, or None when the caller may not open it
    (`orders.selectors.order_visibility`)."""
    kind, values = order_visibility(caller=caller, token=token)
    if kind == "nobody":
        return None
    rows = _VISIBLE_BY_REF.rows((kind, tuple(columns)), ref=ref, **values)
    found = stored_orders(rows, columns)
    return found[0] if found else None


# The orders of a list page with their documents, prepared once per page size: pages are
# padded up to one of these sizes (repeating an id), so a few shapes serve every list.
_PAGE_SIZES = (1, 5, 10, 20, 25, 50, 100)
_BY_IDS = PreparedQuery(
    lambda key, **ids: (
        Order.objects.filter(pk__in=list(ids.values()))
        .order_by()
        .values_list(*document_fields(key[1]))
    )
)


def _padded(ids: list[int]) -> tuple[int, dict[str, int]]:
    """`ids` padded up to the next of `_PAGE_SIZES` (repeating the last), as a prepared
    query's values: the size (its shape) and `id0`, `id1`, ..."""
    size = next((size for size in _PAGE_SIZES if size >= len(ids)), len(ids))
    padded = ids + [ids[-1]] * (size - len(ids))
    return size, {f"id{n}": pk for n, pk in enumerate(padded)}


def order_documents_in_order(ids: Iterable[int], columns: Sequence[str]) -> list[StoredOrder]:
    """The documents of the orders `ids`, in that order (a page of a list)."""
    ids = list(ids)
    if not ids:
        return []
    size, values = _padded(ids)
    rows = _BY_IDS.rows((size, tuple(columns)), **values)
    by_pk = {doc.pk: doc for doc in stored_orders(rows, columns)}
    return [by_pk[pk] for pk in ids]


def order_document_refresh(order_id: int) -> dict[str, str | None]:
    """Render the order's documents now, store them where they are kept, and return them.

    No lock is needed. The revision is read with the order row, by the first query; what
    the later queries read (items, payments, notes) is at least as new. If a change was
    committed in between, it raised the order's revision past the stored one, so the
    document is never used and the next read renders it again. Inside the changing
    transaction itself (the events outbox) it shows that transaction's changes.
    """
    rendered = order_documents_refresh([order_id])
    if order_id not in rendered:
        raise Order.DoesNotExist(f"No order {order_id}.")
    return rendered[order_id]


def order_documents_refresh(order_ids: list[int]) -> dict[int, dict[str, str | None]]:
    """`order_document_refresh` for many orders at once (a list page whose documents are
    stale or missing, as after an upgrade): their rows read in four queries in all."""
    # No savepoint inside a caller's transaction: if this fails, the caller's change fails.
    with transaction.atomic(savepoint=False):
        return {order.pk: _render_and_store(order) for order in _orders_with_details(order_ids)}


def _render_and_store(order: Order) -> dict[str, str | None]:
    """Every registered part of the order's documents, stored where they are kept.
    `order` is an `order_detail_queryset(include_private_notes=True)` row."""
    texts: dict[str, str | None] = {}
    for render in _PARTS.values():
        texts.update(render(order))
    if documents_kept():
        _store(order, texts)
    return texts


# Every change renders its order's documents (twice in a checkout: created, then on
# hold), so the orders and their rows are read through prepared queries (`kernel.queries`,
# padded like list pages): the same rows `order_detail_queryset(include_private_notes=True)`
# gives, as model instances, without building and compiling four querysets each time.
_ORDER_FIELDS = [field.attname for field in Order._meta.concrete_fields]
_ORDERS = PreparedQuery(
    lambda size, **ids: (
        order_queryset()
        .filter(pk__in=list(ids.values()))
        .order_by()
        .values_list(*_ORDER_FIELDS, "amount_paid")
    )
)
# Each detail model, the prefetched list it goes in, and its prepared query.
_DETAILS = {
    model: (
        list_name,
        PreparedQuery(
            lambda size, model=model, **ids: model.objects.filter(
                order_id__in=list(ids.values())
            ).values_list(*[field.attname for field in model._meta.concrete_fields])
        ),
    )
    for model, list_name in (
        (OrderItem, "prefetched_items"),
        (OrderPayment, "prefetched_payments"),
        (OrderNote, "prefetched_notes"),
    )
}


def _orders_with_details(order_ids: list[int]) -> list[Order]:
    """The orders with their money annotation and their items, payments and notes (all of
    them, in each model's order) in the prefetched lists the shapes read."""
    if not order_ids:
        return []
    size, values = _padded(order_ids)
    orders = {}
    for found in _ORDERS.rows(size, **values):
        order = Order.from_db(connection.alias, _ORDER_FIELDS, found[:-1])
        order.amount_paid = found[-1]
        for list_name, _ in _DETAILS.values():
            setattr(order, list_name, [])
        orders[order.pk] = order
    for model, (list_name, query) in _DETAILS.items():
        names = [field.attname for field in model._meta.concrete_fields]
        for row in query.rows(size, **values):
            detail = model.from_db(connection.alias, names, row)
            detail.order = orders[detail.order_id]  # as a prefetch sets it
            getattr(detail.order, list_name).append(detail)
    return list(orders.values())


_UPSERT = """
INSERT INTO orders_orderdocument
    (order_id, revision, shape, storefront, notes_public, notes_all, integration)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (order_id) DO UPDATE SET
    revision = EXCLUDED.revision, shape = EXCLUDED.shape, storefront = EXCLUDED.storefront,
    notes_public = EXCLUDED.notes_public, notes_all = EXCLUDED.notes_all,
    integration = EXCLUDED.integration
"""


def _store(order: Order, texts: dict[str, str | None]) -> None:
    """One statement, whether the order had a document or not (PostgreSQL)."""
    columns = ("storefront", "notes_public", "notes_all", "integration")
    values: list[Any] = [order.pk, order.revision, document_shape()]
    values += [texts.get(column) or "" for column in columns]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, values)


def orders_without_current_documents() -> QuerySet[Order]:
    """Orders whose documents are missing or stale (older than the documents table, or
    rendered by code of another shape), by id; none where documents aren't kept."""
    if not documents_kept():
        return Order.objects.none()
    current = Q(document__revision=F("revision"), document__shape=document_shape())
    return Order.objects.exclude(current).order_by("pk")

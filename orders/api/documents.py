"""The storefront's order, stored rendered and filled in per request: the fast read path.

Why: a storefront order read (a buyer's order page, a customer's list, the staff list)
used to load the order, its items, payments and notes as model instances and serialize
them, 4 queries and about a millisecond of Python per order. Now `orders.documents`
keeps the body rendered by `order_representation` (the one declaration of the shape) in
the order's `OrderDocument` row, and a read fetches it and fills in three slots:

- `url`: absolute, on the host the request came to;
- `token`: the order's guest token (opened from its seal: it is never stored in clear);
- `notes`: every note for staff, the public ones for everyone else.

A test renders the same orders both ways and compares the bytes
(tests/api/integration/test_order_documents.py, with the `/v1/` one).
"""

from collections.abc import Callable

from kernel.api.renderers import RenderedJSON, cut_slots, fill_slots, json_text, slot_marks
from orders.api.serializers import note_representation, order_representation
from orders.documents import StoredOrder
from orders.models import Order
from orders.selectors import order_guest_token

# The columns a storefront read fetches.
COLUMNS = ("storefront", "notes_public", "notes_all")


def storefront_part(order: Order) -> dict[str, str | None]:
    """The storefront columns of the order's documents (`orders.documents`): the shape
    rendered with slots for its url, token and notes, and the two lists of notes."""
    marks = slot_marks("url", "token", "notes")
    text = cut_slots(json_text(order_representation(order, **marks)), marks.values())
    notes = order.prefetched_notes
    public = [note_representation(note) for note in notes if note.is_public]
    every = [note_representation(note) for note in notes]
    return {"storefront": text, "notes_public": json_text(public), "notes_all": json_text(every)}


def storefront_order_text(text: str, *, url: str, token: str | None, notes: str) -> str:
    """A stored storefront document with its slots filled (`token` None: JSON null)."""
    return fill_slots(text, json_text(url), json_text(token), notes)


def storefront_order_json(
    stored: StoredOrder, *, order_url: Callable[[str], str], staff: bool, token: str | None = None
) -> str:
    """The order as the storefront serves it to this caller (staff see private notes).
    `token`: the order's token when the request was found by it, which saves opening
    the sealed copy."""
    texts = stored.texts
    notes = texts["notes_all"] if staff else texts["notes_public"]
    assert texts["storefront"] is not None and notes is not None  # always rendered
    return storefront_order_text(
        texts["storefront"],
        url=order_url(stored.ref),
        token=token or order_guest_token(stored),
        notes=notes,
    )


def storefront_orders_json(
    found: list[StoredOrder], *, order_url: Callable[[str], str], staff: bool
) -> RenderedJSON:
    """A list of orders as one JSON array."""
    orders = (storefront_order_json(one, order_url=order_url, staff=staff) for one in found)
    return RenderedJSON(f"[{','.join(orders)}]")
